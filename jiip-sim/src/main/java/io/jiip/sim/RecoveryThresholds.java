package io.jiip.sim;

import java.util.Locale;

/**
 * Limits on loss-recovery speed, judged by {@link RecoveryAudit} and the scenarios that use it. Defaults:
 *
 * <ul>
 *   <li>{@link #maxNeedlessTimeouts} 0: a retransmission timeout while SACK information sufficed is a bug of the
 *       sender (RFC 8985 §6.2 marks the hole lost), not bad luck;</li>
 *   <li>{@link #minGoodputRatio} 0.25 of the model (see {@code Metrics.recoveryModel}: the Mathis bound with the
 *       delayed-ACK constant and the measured per-frame loss rate, capped by the link's payload rate). Linux
 *       reaches 1 to 2.7 times that model on a veth at 5 % loss (issue 13: 16 MiB in 0.04 to 0.1 s at tens of µs);
 *       a quarter leaves a factor of four to ten for the simulator's model error, while 200 ms timeouts at a
 *       10 µs path put a sender below 0.05;</li>
 *   <li>{@link #timeoutAllowance} 2 and {@link #timeoutsPerEpisode} 0.02: a flow may take 2 timeouts plus one per
 *       50 loss episodes, blind ones not counted ({@link RecoveryAudit.Flow#blindTimeouts}), and the time it sat
 *       idle waiting for timers is not counted against its goodput ({@link RecoveryAudit.Flow#excusedStallNanos}).
 *       A lost tail with no probe is legitimately a timeout; Linux takes 0 to 2 per 16 MiB at 5 % loss (some 500
 *       loss episodes);</li>
 *   <li>{@link #guardSlackNanos} 1 ms: news of delivery counts against a timeout only when it arrived at least two
 *       of the flow's largest RTT samples plus this slack before it (RACK's reordering window, the retransmission's
 *       round trip, timer granularity).</li>
 * </ul>
 */
public final class RecoveryThresholds {
    private int maxNeedlessTimeouts;
    private double minGoodputRatio = 0.25;
    private int timeoutAllowance = 2;
    private double timeoutsPerEpisode = 0.02;
    private long guardSlackNanos = Units.MILLISECOND;

    public RecoveryThresholds() {
    }

    public static RecoveryThresholds defaults() {
        return new RecoveryThresholds();
    }

    public RecoveryThresholds maxNeedlessTimeouts(int n) {
        this.maxNeedlessTimeouts = n;
        return this;
    }

    public RecoveryThresholds minGoodputRatio(double r) {
        this.minGoodputRatio = r;
        return this;
    }

    public RecoveryThresholds timeoutAllowance(int n) {
        this.timeoutAllowance = n;
        return this;
    }

    public RecoveryThresholds timeoutsPerEpisode(double r) {
        this.timeoutsPerEpisode = r;
        return this;
    }

    public RecoveryThresholds guardSlackNanos(long nanos) {
        this.guardSlackNanos = nanos;
        return this;
    }

    public int maxNeedlessTimeouts() {
        return maxNeedlessTimeouts;
    }

    public double minGoodputRatio() {
        return minGoodputRatio;
    }

    public int timeoutAllowance() {
        return timeoutAllowance;
    }

    public double timeoutsPerEpisode() {
        return timeoutsPerEpisode;
    }

    /** The retransmission timeouts a flow may take in {@code episodes} loss episodes. */
    public long allowedTimeouts(long episodes) {
        return timeoutAllowance + (long) Math.ceil(timeoutsPerEpisode * episodes);
    }

    public long guardSlackNanos() {
        return guardSlackNanos;
    }

    /**
     * How long before a timeout the news of a later delivery must have arrived for it to count as needless: two
     * smoothed RTTs and four RTT variations of the flow (RACK's reordering window and timer, then the round trip of
     * the retransmission), plus {@link #guardSlackNanos}.
     */
    public long guard(long srttNanos, long rttvarNanos) {
        return 2 * srttNanos + 4 * rttvarNanos + guardSlackNanos;
    }

    /**
     * The longest a transfer of {@code bytes} may take against a model rate of {@code modelBps}, not counting its
     * excused timer waits: the model time divided by {@link #minGoodputRatio}.
     */
    public long maxTransferNanos(long bytes, double modelBps) {
        return Math.round(bytes * 8 / modelBps / minGoodputRatio * 1e9);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "needless timeouts <= %d; timeouts <= %d + %.3f per loss episode (blind ones "
                + "not counted); bulk goodput >= %.2f x model, timer waits excused; guard 2 SRTT + 4 RTTVAR + %s",
                maxNeedlessTimeouts, timeoutAllowance, timeoutsPerEpisode, minGoodputRatio,
                Units.formatTime(guardSlackNanos));
    }
}
