package io.jiip.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The memory probe measures positive times, and independent loads never cost more than dependent ones. */
class MemoryLatencyTest {

    @Test
    void shouldMeasureOverlapOfIndependentLoads() {
        double[] r = MemoryLatency.measure(1);
        assertTrue(r[0] > 0 && r[1] > 0, "times must be positive");
        assertTrue(r[1] < r[0], "independent loads overlap: " + r[1] + " vs dependent " + r[0] + " ns");
    }
}
