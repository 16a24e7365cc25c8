package io.jiip.sim.scenario;

/** Formulas the scenarios report against. */
public final class Metrics {
    private Metrics() {
    }

    /** Jain's fairness index (sum x)^2 / (n sum x^2): 1 when all equal, 1/n when one takes everything. */
    public static double jain(double[] x) {
        double sum = 0;
        double sq = 0;
        for (double v : x) {
            sum += v;
            sq += v * v;
        }
        return sq == 0 ? 1.0 : sum * sum / (x.length * sq);
    }

    /**
     * The Mathis et al. (1997) throughput of a loss-limited Reno flow, bits per second: MSS / RTT * C / sqrt(p),
     * with C = sqrt(3/2) = 1.22 for an ACK per segment, sqrt(3/4) = 0.87 with delayed ACKs (b = 2).
     */
    public static double mathis(int mssBytes, double rttSeconds, double lossRate, double c) {
        return mssBytes * 8.0 / rttSeconds * c / Math.sqrt(lossRate);
    }

    /**
     * The goodput a loss-limited flow should reach, bits per second: the Mathis bound with the delayed-ACK constant
     * (the lower of the two) at loss rate {@code lossRate} per frame, capped by the payload rate of the link
     * ({@code linkBps} x MSS / (MSS + 66 bytes of Ethernet, IPv4, TCP and timestamp headers)). The per-frame loss
     * rate is at least the rate of loss events the model means (a burst or a lost TSO super-frame is one event),
     * and the base RTT is at most the RTT the flow sees, so the bound errs low. With no loss, the link rate.
     */
    public static double recoveryModel(int mssBytes, double baseRttSeconds, double lossRate, long linkBps) {
        double link = linkBps * (double) mssBytes / (mssBytes + 66);
        return lossRate <= 0 ? link : Math.min(link, mathis(mssBytes, baseRttSeconds, lossRate, C_DELAYED_ACK));
    }

    public static final double C_PER_SEGMENT = Math.sqrt(1.5);
    public static final double C_DELAYED_ACK = Math.sqrt(0.75);
}
