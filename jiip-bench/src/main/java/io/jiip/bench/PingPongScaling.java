package io.jiip.bench;

import io.jiip.api.Clock;
import io.jiip.api.Counter;
import io.jiip.link.MemoryLink;
import java.util.Arrays;

/**
 * How the ping-pong rate holds up as connections grow, measured side by side in one JVM: a {@link PingPongHarness}
 * per connection count, run in turn for short slices, round after round. This machine drifts by up to a third over
 * minutes, and separate JMH forks put that drift between the counts being compared; slices interleaved within each
 * round put it on every count alike. For each count the tool prints the median rate and the median, per round, of
 * its rate divided by the first count's rate.
 *
 * <pre>
 * java -cp jiip-bench/target/benchmarks.jar io.jiip.bench.PingPongScaling [offload|software] [count ...]
 * </pre>
 *
 * Defaults: offload, counts 32 1000 3000 10000, 2 warm-up rounds and 12 measured rounds of 250 ms slices. The shape
 * is the JMH {@link PingPongBenchmark}'s (copying wire, 64 frames per run, one 1-byte request per connection).
 *
 * <p>Each harness runs on its own clock, stopped while the others have their slices: on the common clock, every
 * request of a paused harness would have been in flight for the whole pause when it resumed, and its tail loss probes
 * (a few round trips, RFC 8985 §7) would have fired for every connection at once, 10,000 spurious retransmissions in
 * each slice of the largest count.
 */
public final class PingPongScaling {
    private static final long WARMUP_SLICE_NANOS = 300_000_000L;
    private static final long SLICE_NANOS = 250_000_000L;
    private static final int WARMUP_ROUNDS = 2;
    private static final int ROUNDS = 12;
    /** Round trips between two clock reads: small against a slice, large against a clock read. */
    private static final int CHUNK = 2_000;

    private PingPongScaling() {
    }

    public static void main(String[] args) {
        boolean offload = true;
        int[] counts = {32, 1000, 3000, 10_000};
        int first = 0;
        if (args.length > 0 && (args[0].equals("offload") || args[0].equals("software"))) {
            offload = args[0].equals("offload");
            first = 1;
        }
        if (args.length > first) {
            counts = Arrays.stream(args, first, args.length).mapToInt(Integer::parseInt).toArray();
        }
        System.out.println(report(counts, offload));
    }

    /** Runs the measurement and returns the table (one line per connection count). */
    static String report(int[] counts, boolean offload) {
        return report(counts, offload, WARMUP_ROUNDS, ROUNDS, WARMUP_SLICE_NANOS, SLICE_NANOS);
    }

    static String report(int[] counts, boolean offload, int warmupRounds, int rounds, long warmupSliceNanos,
            long sliceNanos) {
        PingPongHarness[] harnesses = new PingPongHarness[counts.length];
        PausableClock[] clocks = new PausableClock[counts.length];
        for (int i = 0; i < counts.length; i++) {
            clocks[i] = new PausableClock();
            harnesses[i] = new PingPongHarness(counts[i], offload, clocks[i], MemoryLink.Delivery.COPY);
            clocks[i].pause();
        }
        for (int r = 0; r < warmupRounds; r++) {
            for (int i = 0; i < counts.length; i++) {
                rate(harnesses[i], clocks[i], warmupSliceNanos);
            }
        }
        double[][] rates = new double[counts.length][rounds];
        double[][] ratios = new double[counts.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < counts.length; i++) {
                rates[i][r] = rate(harnesses[i], clocks[i], sliceNanos);
            }
            for (int i = 0; i < counts.length; i++) {
                ratios[i][r] = rates[i][r] / rates[0][r];
            }
        }
        StringBuilder out = new StringBuilder(String.format("%-12s %22s %28s%n", "connections",
                "median M round trips/s", "median ratio to " + counts[0] + " (q1-q3)"));
        for (int i = 0; i < counts.length; i++) {
            double[] q = quartiles(ratios[i]);
            out.append(String.format("%-12d %22.2f %14.2f (%.2f-%.2f)%n", counts[i], quartiles(rates[i])[1] / 1e6,
                    q[1], q[0], q[2]));
        }
        for (PingPongHarness h : harnesses) {
            long retransmits = h.clientStats().get(Counter.TCP_RETRANSMITS)
                    + h.serverStats().get(Counter.TCP_RETRANSMITS);
            if (h.sendFailures() != 0 || h.closedConnections() != 0 || retransmits != 0) {
                throw new IllegalStateException(h + ": " + h.sendFailures() + " sends refused, "
                        + h.closedConnections() + " connections closed, " + retransmits + " retransmissions");
            }
            h.close();
        }
        return out.toString();
    }

    /** Round trips per second over one slice of about {@code nanos}, the harness's clock running meanwhile. */
    private static double rate(PingPongHarness h, PausableClock clock, long nanos) {
        clock.resume();
        long start = System.nanoTime();
        long before = h.roundTrips();
        long elapsed;
        do {
            h.runUntil(h.roundTrips() + CHUNK);
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        clock.pause();
        return (h.roundTrips() - before) * 1e9 / elapsed;
    }

    /** {@code System.nanoTime} less the time spent paused. */
    static final class PausableClock implements Clock {
        private long pausedTotal;
        private long pausedAt = -1;

        void pause() {
            pausedAt = System.nanoTime();
        }

        void resume() {
            pausedTotal += System.nanoTime() - pausedAt;
            pausedAt = -1;
        }

        @Override
        public long nanoTime() {
            return (pausedAt >= 0 ? pausedAt : System.nanoTime()) - pausedTotal;
        }
    }

    /** First quartile, median and third quartile (nearest rank). */
    private static double[] quartiles(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return new double[] {sorted[n / 4], sorted[n / 2], sorted[(3 * n) / 4]};
    }
}
