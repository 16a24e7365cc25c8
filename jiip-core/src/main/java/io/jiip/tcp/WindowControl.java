package io.jiip.tcp;

/**
 * What NewReno and CUBIC share: the byte-counted window and slow-start threshold, the RFC 6928 initial window,
 * slow start with byte counting (RFC 3465, L = 2) or, for the initial slow start, HyStart++ (RFC 9406), and the
 * window side of fast recovery (RFC 5681 §3.2, RFC 6582 §3.2). Subclasses decide congestion avoidance and the
 * reduction.
 */
abstract class WindowControl implements CongestionControl {
    final HyStart hyStart = new HyStart();
    /** The connection's window: this sets it. */
    final CongestionWindow w;

    WindowControl(CongestionWindow window) {
        this.w = window;
    }

    @Override
    public void init(int mss, boolean useHyStart, long now) {
        w.mss = mss;
        w.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600)); // RFC 6928 §2
        w.ssthresh = Integer.MAX_VALUE; // RFC 5681 §3.1: arbitrarily high
        hyStart.start(useHyStart); // RFC 9406 §4.4: for the initial slow start only
    }

    @Override
    public final int cwnd() {
        return w.cwnd;
    }

    @Override
    public final int ssthresh() {
        return w.ssthresh;
    }

    @Override
    public void onAppLimited(long now) {
    }

    @Override
    public final void observeRtt(int ack, int sndNxt, long rttSample) {
        if (hyStart.onAck(ack, sndNxt, rttSample)) {
            w.ssthresh = w.cwnd; // RFC 9406 §4.2: CSS_ROUNDS rounds of CSS done, congestion avoidance from here
        }
    }

    /**
     * Slow start: grows by the bytes acknowledged, at most 2 MSS per ACK (RFC 3465), or as HyStart++ says
     * (RFC 9406 §4.2); {@code false} above ssthresh.
     */
    final boolean slowStart(int bytesAcked) {
        if (w.cwnd >= w.ssthresh) {
            return false;
        }
        int increase = hyStart.active() ? hyStart.increase(bytesAcked, w.mss) : Math.min(bytesAcked, 2 * w.mss);
        w.cwnd = Math.min(1 << 30, w.cwnd + increase);
        return true;
    }

    @Override
    public void onEnterRecovery(int flight, long now) {
        hyStart.stop(); // RFC 9406 §4.2: a loss ends HyStart++; ssthresh is the loss response of the subclass
        w.cwnd = w.ssthresh + 3 * w.mss; // RFC 5681 §3.2 step 2 (ssthresh set by the subclass first)
    }

    @Override
    public final void onDupAckInRecovery() {
        w.cwnd += w.mss; // RFC 5681 §3.2 step 4
    }

    @Override
    public final void onPartialAck(int bytesAcked) {
        w.cwnd = Math.max(w.mss, w.cwnd - bytesAcked + (bytesAcked >= w.mss ? w.mss : 0)); // RFC 6582 §3.2 step 5
    }

    @Override
    public void onExitRecovery(int flight, long now) {
        w.cwnd = Math.max(2 * w.mss, Math.min(w.ssthresh, Math.max(flight, w.mss) + w.mss)); // RFC 6582 §3.2 step 6
    }

    @Override
    public void onTimeout(int flight, long now) {
        hyStart.stop(); // RFC 9406 §4.2, as for fast retransmit
        w.cwnd = w.mss; // loss window, RFC 5681 §3.1 (ssthresh set by the subclass first)
    }
}
