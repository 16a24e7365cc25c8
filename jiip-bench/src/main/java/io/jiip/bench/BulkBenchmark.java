package io.jiip.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bulk transfer over one connection ({@link BulkHarness}). One operation is one kilobyte (1,000 bytes) of payload
 * delivered, so the score in ops/s times 8,000 is bits/s of payload (a score of 1,000,000 ops/s is 8 Gbit/s), and
 * {@code gc.alloc.rate.norm} is bytes allocated per kilobyte delivered.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 5)
public class BulkBenchmark {
    private static final long KB = 1000;

    @Param({"true", "false"})
    public boolean offload;

    private BulkHarness harness;
    private long claimed;

    @Setup(Level.Trial)
    public void setUp() {
        harness = new BulkHarness(offload);
        claimed = harness.bytesReceived() / KB;
    }

    @Benchmark
    public long kilobyte() {
        long target = ++claimed * KB;
        BulkHarness h = harness;
        if (h.bytesReceived() < target) {
            h.runUntil(target + 64 * KB); // run in batches: the surplus is credit for the next invocations
        }
        return h.bytesReceived();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        harness.close();
    }
}
