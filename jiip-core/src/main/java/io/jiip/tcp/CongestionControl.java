package io.jiip.tcp;

/**
 * A congestion controller: owns cwnd and ssthresh in bytes. The connection drives it from ACK processing and loss
 * detection; the recovery logic (which segment to retransmit when) stays in the connection, so a new algorithm
 * (CUBIC) only decides window sizes.
 */
interface CongestionControl {

    /** Starts on a connection with sender MSS {@code mss} (initial window per RFC 6928). */
    void init(int mss, long now);

    int cwnd();

    int ssthresh();

    /** New data acknowledged outside recovery. */
    void onAck(int bytesAcked, int flightBefore, long now);

    /** Fast retransmit: loss detected by duplicate ACKs; {@code flight} is the data outstanding. */
    void onEnterRecovery(int flight, long now);

    /** A further duplicate ACK during recovery (one segment left the network). */
    void onDupAckInRecovery();

    /** A partial ACK during recovery (RFC 6582 §3.2 step 5). */
    void onPartialAck(int bytesAcked);

    /** Recovery complete: the ACK covers the recovery point. */
    void onExitRecovery(int flight, long now);

    /** Retransmission timeout. */
    void onTimeout(int flight, long now);
}
