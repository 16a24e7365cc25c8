package io.jiip.tcp;

/**
 * CUBIC congestion control (RFC 9438), counted in bytes: the window grows as a cubic function of the time since
 * the last congestion event, with a Reno-friendly lower bound (§4.3), fast convergence (§4.7), multiplicative
 * decrease by β = 0.7 (§4.6), and slow start with byte counting below ssthresh.
 */
final class Cubic extends WindowControl {
    private static final double C = 0.4;
    private static final double BETA = 0.7;
    /** RFC 9438 §4.3: α for the Reno-friendly estimate, 3(1 - β) / (1 + β). */
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    private static final double NANOS = 1e9;

    /** Window just before the last reduction, in segments (W_max). */
    private double wMax;
    /** Start of the current congestion-avoidance epoch, or -1 when none has started. */
    private long epochStart;
    private double k;
    private double originPoint;
    /** Reno-friendly estimate W_est, in segments. */
    private double wEst;
    private double ackedSinceGrow;
    /** When the flow last turned application-limited, or -1: that time is not part of the epoch (§5.8). */
    private long appLimitedSince;

    Cubic(CongestionWindow window) {
        super(window);
    }

    @Override
    public void init(int mss, boolean useHyStart, long now) {
        super.init(mss, useHyStart, now);
        this.wMax = 0;
        this.epochStart = -1;
        this.ackedSinceGrow = 0;
        this.appLimitedSince = -1;
    }

    @Override
    public void onAppLimited(long now) {
        appLimitedSince = now;
    }

    @Override
    public void onAck(int bytesAcked, int flightBefore, long now, long srtt) {
        if (appLimitedSince >= 0) {
            if (epochStart >= 0) {
                epochStart += now - appLimitedSince; // §5.8: t counts no application-limited time
            }
            appLimitedSince = -1;
        }
        if (slowStart(bytesAcked)) {
            return;
        }
        double segments = (double) w.cwnd / w.mss;
        if (epochStart < 0) {
            epochStart = now;
            if (segments < wMax) {
                k = Math.cbrt((wMax - segments) / C); // RFC 9438 eq. 2
                originPoint = wMax;
            } else {
                k = 0;
                originPoint = segments;
            }
            wEst = segments;
        }
        double ackedSegments = (double) bytesAcked / w.mss;
        wEst += ALPHA * ackedSegments / segments; // RFC 9438 eq. 4
        double rttSeconds = srtt > 0 ? srtt / NANOS : 0.1;
        double t = (now - epochStart) / NANOS + rttSeconds;
        double target = originPoint + C * Math.pow(t - k, 3); // W_cubic(t + RTT), eq. 1
        if (target < wEst) {
            target = wEst; // Reno-friendly region (§4.3)
        } else {
            target = Math.min(target, 1.5 * segments); // §4.4: at most 50% growth per RTT
        }
        if (target > segments) {
            // §4.4: cwnd grows by (target - cwnd) / cwnd segments per segment acknowledged.
            ackedSinceGrow += ackedSegments * (target - segments) / segments;
            if (ackedSinceGrow >= 1) {
                int grow = (int) ackedSinceGrow;
                ackedSinceGrow -= grow;
                w.cwnd = (int) Math.min(1 << 30, (long) w.cwnd + (long) grow * w.mss);
            }
        }
    }

    private void reduce() {
        double segments = (double) w.cwnd / w.mss;
        // Fast convergence (§4.7): a flow whose window keeps shrinking releases bandwidth to newer flows.
        wMax = segments < wMax ? segments * (1 + BETA) / 2 : segments;
        w.ssthresh = Math.max((int) (w.cwnd * BETA), 2 * w.mss);
        epochStart = -1;
        ackedSinceGrow = 0;
        appLimitedSince = -1;
    }

    @Override
    public void onEnterRecovery(int flight, long now) {
        reduce();
        super.onEnterRecovery(flight, now);
    }

    @Override
    public void onTimeout(int flight, long now) {
        reduce(); // §4.8, then a loss window and slow start to ssthresh
        super.onTimeout(flight, now);
    }
}
