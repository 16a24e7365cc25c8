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

    public static final double C_PER_SEGMENT = Math.sqrt(1.5);
    public static final double C_DELAYED_ACK = Math.sqrt(0.75);
}
