package io.jiip.tcp;

/**
 * A congestion controller ({@link NewReno}, {@link Cubic}): owns cwnd and ssthresh in bytes. ACK processing and
 * {@link LossRecovery} drive it; which segment to retransmit when stays in {@link LossRecovery}, so a controller only
 * decides window sizes.
 */
interface CongestionControl {

    /**
     * Starts on a connection with sender MSS {@code mss} (initial window per RFC 6928); the initial slow start uses
     * HyStart++ (RFC 9406) if {@code useHyStart}.
     */
    void init(int mss, boolean useHyStart, long now);

    int cwnd();


    int ssthresh();


    /**
     * The flow turned application-limited: until the next {@link #onAck}, the ACKs of this connection skip
     * {@link #observeRtt} and {@link #onAck}. CUBIC leaves the time from here out of its epoch (RFC 9438 §5.8).
     */
    void onAppLimited(long now);

    /**
     * Every ACK that advances SND.UNA to {@code ack}, before {@link #onAck} and the recovery calls: {@code sndNxt} is
     * the highest sequence number sent plus one, {@code rttSample} the RTT this ACK measured in nanoseconds, or
     * {@link RttEstimator#NO_SAMPLE}. Feeds HyStart++ (RFC 9406 §4.2): its rounds and their minimum RTT.
     */
    void observeRtt(int ack, int sndNxt, long rttSample);

    /**
     * New data acknowledged outside recovery, of a flight the window limited
     * ({@link CongestionWindow#windowLimited}); {@code srtt} is the smoothed RTT in nanoseconds, 0 before the first
     * sample.
     */
    void onAck(int bytesAcked, int flightBefore, long now, long srtt);

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
