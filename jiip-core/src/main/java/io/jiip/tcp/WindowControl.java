package io.jiip.tcp;

/**
 * What NewReno and CUBIC share: the byte-counted window and slow-start threshold, the RFC 6928 initial window,
 * slow start with byte counting (RFC 3465, L = 2), and the window side of fast recovery (RFC 5681 §3.2,
 * RFC 6582 §3.2). Subclasses decide congestion avoidance and the reduction.
 */
abstract class WindowControl implements CongestionControl {
    int mss;
    int cwnd;
    int ssthresh;

    @Override
    public void init(int mss, long now) {
        this.mss = mss;
        this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600)); // RFC 6928 §2
        this.ssthresh = Integer.MAX_VALUE; // RFC 5681 §3.1: arbitrarily high
    }

    @Override
    public final int cwnd() {
        return cwnd;
    }

    @Override
    public final int ssthresh() {
        return ssthresh;
    }

    /** Slow start: grows by the bytes acknowledged, at most 2 MSS per ACK; {@code false} above ssthresh. */
    final boolean slowStart(int bytesAcked) {
        if (cwnd >= ssthresh) {
            return false;
        }
        cwnd = Math.min(1 << 30, cwnd + Math.min(bytesAcked, 2 * mss));
        return true;
    }

    @Override
    public void onEnterRecovery(int flight, long now) {
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
        cwnd = mss; // loss window, RFC 5681 §3.1 (ssthresh set by the subclass first)
    }
}
