package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.scenario.Scenario;
import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every registered scenario runs (at a reduced size) with every invariant holding, and reports sane numbers. */
class ScenariosTest {

    private static ScenarioResult run(String name, String... params) {
        ScenarioOptions o = new ScenarioOptions().seed(1);
        for (int i = 0; i < params.length; i += 2) {
            o.set(params[i], params[i + 1]);
        }
        ScenarioResult r = Scenarios.find(name).run(o);
        assertTrue(r.ok(), r.report());
        return r;
    }

    @Test
    void shouldHaveUniqueOneWordNames() {
        Set<String> names = new HashSet<>();
        for (Scenario s : Scenarios.all()) {
            assertTrue(s.name().matches("[a-z0-9-]+"), s.name());
            assertTrue(names.add(s.name()), "duplicate " + s.name());
        }
        assertTrue(names.containsAll(Set.of("two-node-bulk", "dumbbell", "lossy-lfn", "many-rr")));
    }

    @Test
    void twoNodeBulkShouldNearlyFillTheLink() {
        ScenarioResult r = run("two-node-bulk", "bytes", "5MB");
        double goodput = r.metric("goodput_bps");
        assertTrue(goodput > 40e6 && goodput < 100e6, "goodput " + goodput);
    }

    @Test
    void dumbbellShouldShareFairly() {
        ScenarioResult r = run("dumbbell", "flows", "4", "duration", "12s", "warmup", "3s");
        assertTrue(r.metric("jain") > 0.9, r.report());
        assertTrue(r.metric("utilisation") > 0.8, r.report());
    }

    @Test
    void lossyLinkShouldBeLossLimited() {
        ScenarioResult r = run("lossy-lfn", "loss", "1%", "duration", "20s", "warmup", "5s");
        double ratio = r.metric("goodput_bps") / r.metric("mathis_bps");
        assertTrue(ratio > 0.4 && ratio < 1.6, r.report());
    }

    /**
     * HyStart++ (RFC 9406) on a drop-tail bottleneck whose buffer slow start overflows: 20 Mbit/s, 20 ms RTT (a
     * bandwidth-delay product of 34 segments), 1000 frames of queue, and a receive window above both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cubic", "newreno"})
    void hyStartShouldLeaveSlowStartBeforeTheBottleneckQueueOverflows(String cc) {
        String[] bottleneck = {"loss", "0", "bandwidth", "20M", "delay", "10ms", "queue", "1000", "rcvbuf", "16MiB",
                "duration", "3s", "warmup", "1s", "cc", cc};
        ScenarioResult on = run("lossy-lfn", with(bottleneck, "hystart", "on"));
        ScenarioResult off = run("lossy-lfn", with(bottleneck, "hystart", "off"));
        assertEquals(0, on.metric("retransmits"), on.report());
        assertEquals(0, on.metric("timeouts"), on.report());
        assertTrue(on.metric("ssthresh_bytes") < Integer.MAX_VALUE, "slow start ended, and not by a loss: "
                + on.report());
        assertTrue(off.metric("retransmits") > 1000, "slow start overshoots into the drop-tail queue: "
                + off.report());
        assertTrue(off.metric("timeouts") >= 1, off.report());
        assertTrue(on.metric("goodput_bps") > off.metric("goodput_bps"), on.report() + off.report());
    }

    @Test
    void hyStartShouldTakeItsRttSamplesFromTransmissionTimesWithoutTimestamps() {
        String[] bottleneck = {"loss", "0", "bandwidth", "20M", "delay", "10ms", "queue", "1000", "rcvbuf", "16MiB",
                "duration", "3s", "warmup", "1s", "cc", "cubic", "timestamps", "off"};
        ScenarioResult on = run("lossy-lfn", with(bottleneck, "hystart", "on"));
        ScenarioResult off = run("lossy-lfn", with(bottleneck, "hystart", "off"));
        assertEquals(0, on.metric("retransmits"), on.report());
        assertTrue(on.metric("ssthresh_bytes") < Integer.MAX_VALUE, "slow start ended, and not by a loss: "
                + on.report());
        assertTrue(off.metric("retransmits") > 1000, off.report());
    }

    private static String[] with(String[] params, String name, String value) {
        String[] all = Arrays.copyOf(params, params.length + 2);
        all[params.length] = name;
        all[params.length + 1] = value;
        return all;
    }

    @Test
    void manyRequestResponseShouldCompleteEveryTransaction() {
        ScenarioResult r = run("many-rr", "clients", "3", "connections", "40", "rounds", "5");
        assertEquals(600.0, r.metric("transactions"));
        run("many-rr", "clients", "2", "connections", "10", "rounds", "3", "loss", "2%");
    }

    @Test
    void udpStreamShouldDeliverIntactDatagramsOnly() {
        ScenarioResult r = run("udp-stream", "count", "3000");
        assertTrue(r.metric("loss") > 0.0 && r.metric("loss") < 0.05, r.report());
    }

    @Test
    void shouldRefuseUnknownParameters() {
        try {
            Scenarios.find("dumbbell").run(new ScenarioOptions().set("flow", "3"));
            throw new AssertionError("accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("flows"), e.getMessage());
        }
    }
}
