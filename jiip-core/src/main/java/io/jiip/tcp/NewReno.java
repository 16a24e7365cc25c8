package io.jiip.tcp;

/**
 * Congestion avoidance of RFC 5681 §3.1 counted in bytes (one MSS per window acknowledged) and the halving on
 * loss; the recovery mechanics are NewReno's (RFC 6582), in {@link WindowControl} and {@link LossRecovery}.
 */
final class NewReno extends WindowControl {
    private int bytesAckedInCa;

    NewReno(CongestionWindow window) {
        super(window);
    }

    @Override
    public void init(int mss, boolean useHyStart, long now) {
        super.init(mss, useHyStart, now);
        bytesAckedInCa = 0;
    }

    @Override
    public void onAck(int bytesAcked, int flightBefore, long now, long srtt) {
        if (slowStart(bytesAcked)) {
            return;
        }
        bytesAckedInCa += bytesAcked; // RFC 5681 §3.1 eq. 3, counted in bytes
        if (bytesAckedInCa >= w.cwnd) {
            bytesAckedInCa -= w.cwnd;
            w.cwnd = Math.min(1 << 30, w.cwnd + w.mss);
        }
    }

    @Override
    public void onEnterRecovery(int flight, long now) {
        w.ssthresh = Math.max(flight / 2, 2 * w.mss); // RFC 5681 eq. 4
        super.onEnterRecovery(flight, now);
    }

    @Override
    public void onExitRecovery(int flight, long now) {
        super.onExitRecovery(flight, now);
        bytesAckedInCa = 0;
    }

    @Override
    public void onTimeout(int flight, long now) {
        w.ssthresh = Math.max(flight / 2, 2 * w.mss);
        super.onTimeout(flight, now);
        bytesAckedInCa = 0;
    }
}
