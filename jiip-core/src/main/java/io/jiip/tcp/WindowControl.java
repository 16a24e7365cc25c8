package io.jiip.tcp;

/**
 * What NewReno and CUBIC share: the byte-counted window and slow-start threshold, the RFC 6928 initial window,
 * slow start with byte counting (RFC 3465, L = 2) or, for the initial slow start, HyStart++ (RFC 9406), and the
 * window side of fast recovery (RFC 5681 §3.2, RFC 6582 §3.2). Subclasses decide congestion avoidance and the
 * reduction.
 */
abstract class WindowControl implements CongestionControl {
    final HyStart hyStart = new HyStart();
    int mss;
    int cwnd;
    int ssthresh;

    @Override
    public void init(int mss, boolean useHyStart, long now) {
        this.mss = mss;
        this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600)); // RFC 6928 §2
        this.ssthresh = Integer.MAX_VALUE; // RFC 5681 §3.1: arbitrarily high
        hyStart.start(useHyStart); // RFC 9406 §4.4: for the initial slow start only
    }

    @Override
    public final void onMssChange(int mss) {
        this.mss = mss;
    }

    @Override
    public final int cwnd() {
        return cwnd;
    }

    @Override
    public final int ssthresh() {
        return ssthresh;
    }

    @Override
    public final boolean windowLimited(int flight) {
        return cwnd < ssthresh ? 2L * flight >= cwnd : flight + mss > cwnd;
    }

    @Override
    public void onAppLimited(long now) {
    }

    @Override
    public final void observeRtt(int ack, int sndNxt, long rttSample) {
        if (hyStart.onAck(ack, sndNxt, rttSample)) {
            ssthresh = cwnd; // RFC 9406 §4.2: CSS_ROUNDS rounds of CSS done, congestion avoidance from here
        }
    }

    /**
     * Slow start: grows by the bytes acknowledged, at most 2 MSS per ACK (RFC 3465), or as HyStart++ says
     * (RFC 9406 §4.2); {@code false} above ssthresh.
     */
    final boolean slowStart(int bytesAcked) {
        if (cwnd >= ssthresh) {
            return false;
        }
        int increase = hyStart.active() ? hyStart.increase(bytesAcked, mss) : Math.min(bytesAcked, 2 * mss);
        cwnd = Math.min(1 << 30, cwnd + increase);
        return true;
    }

    @Override
    public void onEnterRecovery(int flight, long now) {
        hyStart.stop(); // RFC 9406 §4.2: a loss ends HyStart++; ssthresh is the loss response of the subclass
        cwnd = ssthresh + 3 * mss; // RFC 5681 §3.2 step 2 (ssthresh set by the subclass first)
    }

    @Override
    public final void onDupAckInRecovery() {
        cwnd += mss; // RFC 5681 §3.2 step 4
    }

    @Override
    public final void onPartialAck(int bytesAcked) {
        cwnd = Math.max(mss, cwnd - bytesAcked + (bytesAcked >= mss ? mss : 0)); // RFC 6582 §3.2 step 5
    }

    @Override
    public void onExitRecovery(int flight, long now) {
        cwnd = Math.max(2 * mss, Math.min(ssthresh, Math.max(flight, mss) + mss)); // RFC 6582 §3.2 step 6
    }

    @Override
    public void onTimeout(int flight, long now) {
        hyStart.stop(); // RFC 9406 §4.2, as for fast retransmit
        cwnd = mss; // loss window, RFC 5681 §3.1 (ssthresh set by the subclass first)
    }
}
