package io.jiip.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The unified loop of every workload allocates nothing in steady state (latency recording included). */
class BenchAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"PING_PONG", "BULK", "UDP_PING_PONG", "UDP_STREAM"})
    void shouldAllocateNothingPerIteration(String workload) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
        BenchConfig cfg = new BenchConfig();
        cfg.workload = BenchConfig.Workload.valueOf(workload);
        cfg.connections = 4;
        cfg.depth = cfg.workload == BenchConfig.Workload.BULK ? 16 : 2;
        cfg.length = cfg.workload == BenchConfig.Workload.BULK ? 65_160 : 64;
        // The memory link's LRO emulation is slow for bulk (it re-checksums the growing tail frame): off here.
        cfg.lro = cfg.workload != BenchConfig.Workload.BULK;
        Pair pair = new Pair(0, cfg);
        try {
            pair.start(new Pair.Control());
            pair.iterate(50_000); // warm up: JIT, histogram buckets touched, pools cycled
            long thread = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(thread);
            pair.iterate(20_000);
            long after = mx.getThreadAllocatedBytes(thread);
            assertEquals(0, after - before, workload + ": bytes allocated in 20,000 iterations");
        } finally {
            pair.close();
        }
    }
}
