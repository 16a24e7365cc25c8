package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import org.junit.jupiter.api.Test;

/**
 * A SYN flood at line rate against the listener of an established bulk flow: the flow keeps at least 90% of its
 * no-flood goodput (simulated time, deterministic), the server answers with SYN cookies and keeps no state.
 */
class SynFloodTest {
    static ScenarioResult run(String... params) {
        ScenarioOptions o = new ScenarioOptions().seed(7).set("bytes", "6MB").set("flood-stop", "1s");
        for (int i = 0; i < params.length; i += 2) {
            o.set(params[i], params[i + 1]);
        }
        ScenarioResult r = Scenarios.find("syn-flood").run(o);
        assertTrue(r.ok(), r.report());
        return r;
    }

    @Test
    void establishedFlowShouldKeepNinetyPercentOfGoodputUnderSynFlood() {
        ScenarioResult base = run("flood", "0");
        ScenarioResult flood = run();
        double ratio = flood.metric("goodput_bps") / base.metric("goodput_bps");
        System.out.printf("syn-flood: goodput %.1f Mbit/s without, %.1f Mbit/s with %d SYNs: ratio %.3f, "
                + "%d cookies%n", base.metric("goodput_bps") / 1e6, flood.metric("goodput_bps") / 1e6,
                (long) flood.metric("syns"), ratio, (long) flood.metric("cookies_sent"));
        assertEquals(6_000_000, flood.metric("received"), 0.0, "byte-exact transfer");
        assertTrue(flood.metric("syns") > 50_000, flood.report());
        assertTrue(flood.metric("cookies_sent") > 0.9 * flood.metric("syns"), flood.report());
        assertTrue(ratio >= 0.9, "goodput ratio " + ratio + "\n" + flood.report() + "\n" + base.report());
        // A client that connects to the flooded listener gets through at once, by a cookie.
        assertTrue(flood.metric("late_connect_ms") < 20, flood.report());
        assertTrue(flood.metric("passive_opens") >= 2, flood.report());
    }

    @Test
    void shouldBeDeterministic() {
        ScenarioResult one = run("bytes", "1MB", "flood-stop", "200ms");
        ScenarioResult two = run("bytes", "1MB", "flood-stop", "200ms");
        assertEquals(one.metric("goodput_bps"), two.metric("goodput_bps"));
        assertEquals(one.metric("cookies_sent"), two.metric("cookies_sent"));
    }
}
