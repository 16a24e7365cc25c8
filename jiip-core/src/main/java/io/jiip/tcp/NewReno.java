package io.jiip.tcp;

/**
 * Slow start and congestion avoidance (RFC 5681) with byte counting (RFC 3465, L = 2 MSS), the initial window of
 * RFC 6928, and the window side of NewReno fast recovery (RFC 6582).
 */
final class NewReno implements CongestionControl {
    private int mss;
    private int cwnd;
    private int ssthresh;
    private int bytesAckedInCa;

    @Override
    public void init(int mss, long now) {
        this.mss = mss;
        this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600)); // RFC 6928 §2
        this.ssthresh = Integer.MAX_VALUE; // RFC 5681 §3.1: arbitrarily high
        this.bytesAckedInCa = 0;
    }

    @Override
    public int cwnd() {
        return cwnd;
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public void onAck(int bytesAcked, int flightBefore, long now) {
        if (cwnd < ssthresh) {
            cwnd += Math.min(bytesAcked, 2 * mss); // RFC 3465 §2.2 with L = 2
        } else {
            bytesAckedInCa += bytesAcked; // RFC 5681 §3.1 eq. 3, counted in bytes
            if (bytesAckedInCa >= cwnd) {
                bytesAckedInCa -= cwnd;
                cwnd += mss;
            }
        }
        cwnd = Math.min(cwnd, 1 << 30);
    }

    @Override
    public void onEnterRecovery(int flight, long now) {
        ssthresh = Math.max(flight / 2, 2 * mss); // RFC 5681 eq. 4
        cwnd = ssthresh + 3 * mss;
    }

    @Override
    public void onDupAckInRecovery() {
        cwnd += mss;
    }

    @Override
    public void onPartialAck(int bytesAcked) {
        cwnd = Math.max(mss, cwnd - bytesAcked + (bytesAcked >= mss ? mss : 0)); // RFC 6582 §3.2 step 5
    }

    @Override
    public void onExitRecovery(int flight, long now) {
        cwnd = Math.min(ssthresh, Math.max(flight, mss) + mss); // RFC 6582 §3.2 step 6, option 1
        bytesAckedInCa = 0;
    }

    @Override
    public void onTimeout(int flight, long now) {
        ssthresh = Math.max(flight / 2, 2 * mss);
        cwnd = mss; // loss window, RFC 5681 §3.1
        bytesAckedInCa = 0;
    }
}
