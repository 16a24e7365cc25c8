package io.jiip.api;

/**
 * A snapshot of one connection's sender and receiver state ({@code Stack.tcpInfo}), for traces and plots.
 * Reusable: {@code tcpInfo} overwrites every field, so one instance serves any number of calls.
 */
public final class TcpInfo {
    public TcpState state;
    /** Congestion window and slow-start threshold, bytes. */
    public int cwnd;
    public int ssthresh;
    /** Smoothed RTT, RTT variance and retransmission timeout, nanoseconds (0 before the first sample). */
    public long srttNanos;
    public long rttvarNanos;
    public long rtoNanos;
    /** Bytes sent and not yet acknowledged. */
    public int bytesInFlight;
    /** Bytes queued by the application and not yet acknowledged (in flight included). */
    public int bytesQueued;
    /** The peer's receive window, bytes (scaled). */
    public int sendWindow;
    /** Our advertised receive window, bytes. */
    public int receiveWindow;
    /** Sender MSS (payload bytes per segment, options excluded). */
    public int mss;
    public boolean windowScaling;
    public boolean timestamps;
    public boolean sackPermitted;
    /** Segments retransmitted on this connection so far. */
    public long retransmits;
    public boolean inRecovery;

    /** An empty snapshot, filled by {@code Stack.tcpInfo}. */
    public TcpInfo() {
    }
}
