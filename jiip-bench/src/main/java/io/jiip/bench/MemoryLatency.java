package io.jiip.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What a cache miss costs on this machine, to read the many-connection benchmarks against: for working sets from
 * 1 MiB up, the time per load when each load's address depends on the previous one (latency), and when the loads are
 * independent (the CPU overlaps them; latency divided by that time is the memory-level parallelism achieved). Every
 * load touches a different random cache line, as a connection's state does when thousands of connections take turns.
 *
 * <pre>
 * java -XX:+UseTransparentHugePages -cp jiip-bench/target/benchmarks.jar io.jiip.bench.MemoryLatency [MiB ...]
 * </pre>
 */
public final class MemoryLatency {
    private static final int INTS_PER_LINE = 16;
    private static final int DEPENDENT_LOADS = 2_000_000;
    private static final int INDEPENDENT_LOADS = 1 << 21;
    private static final int REPEATS = 5;

    private MemoryLatency() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 4, 16, 64, 256};
        for (int mib : sizes) {
            double[] r = measure(mib);
            System.out.printf("%4d MiB: dependent %6.1f ns/load, independent %5.1f ns/load, parallelism %4.1f%n",
                    mib, r[0], r[1], r[0] / r[1]);
        }
    }

    /** {ns per dependent load, ns per independent load} over a working set of {@code mib} MiB (best of 5). */
    static double[] measure(int mib) {
        int lines = mib * (1024 * 1024 / 4 / INTS_PER_LINE);
        int[] memory = new int[lines * INTS_PER_LINE];
        SplittableRandom random = new SplittableRandom(1);
        // One random cycle through every line: a chase visits them all, in an order no prefetcher can guess.
        int[] order = new int[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        for (int i = lines - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < lines; i++) {
            memory[order[i] * INTS_PER_LINE] = order[(i + 1) % lines] * INTS_PER_LINE;
        }
        int[] targets = new int[INDEPENDENT_LOADS];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = random.nextInt(lines) * INTS_PER_LINE;
        }
        double dependent = Double.MAX_VALUE;
        double independent = Double.MAX_VALUE;
        long sink = 0;
        for (int rep = 0; rep < REPEATS; rep++) {
            int p = 0;
            long start = System.nanoTime();
            for (int i = 0; i < DEPENDENT_LOADS; i++) {
                p = memory[p];
            }
            dependent = Math.min(dependent, (System.nanoTime() - start) / (double) DEPENDENT_LOADS);
            long sum = p;
            start = System.nanoTime();
            for (int target : targets) {
                sum += memory[target];
            }
            independent = Math.min(independent, (System.nanoTime() - start) / (double) targets.length);
            sink += sum;
        }
        if (sink == 42) {
            System.out.print(""); // keeps the loads alive
        }
        return new double[] {dependent, independent};
    }
}
