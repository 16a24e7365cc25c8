package io.jiip.bench;

import io.jiip.link.MemoryLink;

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
 * TCP ping-pong round trips per second between two jiip contexts in one thread ({@link PingPongHarness}).
 *
 * <p><b>What one operation is.</b> One JMH operation is exactly one round trip, so the score is round trips/s and
 * {@code gc.alloc.rate.norm} is bytes per round trip. The stacks complete round trips in batches (one
 * {@link PingPongHarness#step()} completes up to one per connection, at most 64), so an invocation cannot simply
 * "step until the counter moved": that would count a whole batch as one operation. Instead invocation number
 * {@code k} (counted from setup) returns as soon as the harness has completed {@code k} round trips in total: it
 * steps only when the round trips already completed are used up, and the surplus of a batch is credit that the next
 * invocations consume without stepping. Over an iteration the operations counted therefore equal the round trips
 * completed, give or take less than one batch (at most 64 of millions), and the time measured is the stepping time
 * plus the JMH loop overhead of the credit-only invocations (a few ns each, against hundreds of ns per round trip).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class PingPongBenchmark {
    @Param({"32", "10000"})
    public int connections;

    @Param({"true", "false"})
    public boolean offload;

    /** COPY is the shape of the C reference (the wire copies each frame); ZERO_COPY hands the frame over. */
    @Param({"COPY"})
    public MemoryLink.Delivery delivery;

    private PingPongHarness harness;
    /** Round trips the invocations so far have claimed (one each). */
    private long claimed;

    @Setup(Level.Trial)
    public void setUp() {
        harness = new PingPongHarness(connections, offload, System::nanoTime, delivery);
        claimed = harness.roundTrips();
    }

    @Benchmark
    public long roundTrip() {
        long target = ++claimed;
        PingPongHarness h = harness;
        if (h.roundTrips() < target) {
            h.runUntil(target);
        }
        return target;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        PingPongHarness h = harness;
        harness = null;
        if (h.sendFailures() != 0 || h.closedConnections() != 0) {
            throw new IllegalStateException(h + ": " + h.sendFailures() + " sends refused, "
                    + h.closedConnections() + " connections closed");
        }
        h.close();
    }
}
