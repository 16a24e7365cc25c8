package io.jiip.tcp;

/**
 * The congestion window and slow-start threshold of one connection (RFC 5681, in bytes) and the sender MSS they are
 * counted in. Its {@link CongestionControl} sets them; output and ACK processing read them. A connection's hot fields
 * extend this class, so that these share the connection's first cache line: with thousands of connections, a window
 * in the controller's own object would be one more cache miss per segment. A controller holds its connection as its
 * window; tests give it a bare {@code CongestionWindow}.
 */
class CongestionWindow {
    /** Payload bytes per segment (MSS minus options we always send): the SMSS of the window arithmetic. */
    int mss;
    int cwnd;
    int ssthresh;

    /**
     * Whether {@code flight} bytes outstanding used the window, so that an ACK of them may grow it. In slow start,
     * half the window in flight counts (the window doubles per round trip from there); in congestion avoidance, less
     * than one MSS of it unused. A flow that sends less is application-limited: RFC 9438 §5.8 and RFC 7661 keep its
     * window from growing on ACKs of data the window never limited (a request-response connection would otherwise
     * reach a huge window that its first bulk transfer then bursts out).
     */
    final boolean windowLimited(int flight) {
        return cwnd < ssthresh ? 2L * flight >= cwnd : flight + mss > cwnd;
    }
}
