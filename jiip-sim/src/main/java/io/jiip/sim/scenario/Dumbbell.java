package io.jiip.sim.scenario;

import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Switch;
import io.jiip.sim.Units;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import java.util.ArrayList;
import java.util.List;

/**
 * N senders on one switch, N receivers on another, one bottleneck link between the switches: N bulk flows share
 * it; per-flow goodput over the measurement window and Jain's fairness index are reported.
 */
public final class Dumbbell implements Scenario {
    public Dumbbell() {
    }

    @Override
    public String name() {
        return "dumbbell";
    }

    @Override
    public String description() {
        return "N bulk flows share one bottleneck between two switches; per-flow goodput and Jain's index";
    }

    @Override
    public List<Param> parameters() {
        return List.of(new Param("flows", "4", "number of flows (sender/receiver pairs)"),
                new Param("bottleneck", "20M", "bottleneck rate, bit/s"),
                new Param("delay", "10ms", "bottleneck one-way delay"),
                new Param("access", "1G", "access link rate, bit/s"),
                new Param("access-delay", "1ms", "access link one-way delay"),
                new Param("queue", "0", "bottleneck queue, frames (0: one bandwidth-delay product)"),
                new Param("duration", "30s", "senders stop sending at this time"),
                new Param("warmup", "5s", "goodput is measured from here to the end of sending"),
                new Param("spread", "100ms", "flow i starts at i * spread / flows"));
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        ScenarioRun run = new ScenarioRun(this, o);
        Simulation sim = run.sim();
        int flows = o.getInt("flows");
        long bottleneck = o.getRate("bottleneck");
        long delay = o.getTime("delay");
        long accessDelay = o.getTime("access-delay");
        long duration = o.getTime("duration");
        long warmup = o.getTime("warmup");
        long rtt = 2 * (delay + 2 * accessDelay);
        int queue = o.getInt("queue");
        if (queue == 0) {
            queue = (int) Math.max(4, bottleneck * rtt / 1e9 / 8 / 1514);
        }
        Switch left = sim.newSwitch("left");
        Switch right = sim.newSwitch("right");
        sim.link(left, right).name("bottleneck").bandwidth(bottleneck).delay(delay).queue(queue).build();
        List<TcpServerApp> sinks = new ArrayList<>();
        for (int i = 0; i < flows; i++) {
            Node s = sim.node("s" + i).build();
            Node r = sim.node("r" + i).build();
            sim.link(s, left).bandwidth(o.getRate("access")).delay(accessDelay).build();
            sim.link(right, r).bandwidth(o.getRate("access")).delay(accessDelay).build();
            TcpScript script = TcpScript.bulkUntil(duration);
            TcpServerApp sink = r.add(new TcpServerApp(5001, script));
            sinks.add(sink);
            s.add(new TcpClientApp(r, 5001, script).label("flow" + i).trace(true).pairWith(sink),
                    i * o.getTime("spread") / flows);
        }
        run.line("topology: %d senders -- left switch --%s, %s, queue %d-- right switch -- %d receivers; base RTT %s",
                flows, Units.formatRate(bottleneck), Units.formatTime(delay), queue, flows, Units.formatTime(rtt));
        long[] atWarmup = new long[flows];
        long[] atEnd = new long[flows];
        sim.at(warmup, () -> snapshot(sinks, atWarmup));
        sim.at(duration, () -> snapshot(sinks, atEnd));
        return run.execute(r -> {
            double[] goodput = new double[flows];
            double total = 0;
            double window = (duration - warmup) / 1e9;
            for (int i = 0; i < flows; i++) {
                goodput[i] = (atEnd[i] - atWarmup[i]) * 8 / window;
                total += goodput[i];
                r.line("flow%d goodput %s", i, Units.formatRate(goodput[i]));
                r.metric("goodput_bps_flow" + i, goodput[i]);
            }
            double jain = Metrics.jain(goodput);
            r.metric("jain", jain);
            r.metric("utilisation", total / bottleneck);
            r.line("total %s (%.1f%% of the bottleneck) from %s to %s; Jain's fairness index %.4f",
                    Units.formatRate(total), 100 * total / bottleneck, Units.formatTime(warmup),
                    Units.formatTime(duration), jain);
        });
    }

    private static void snapshot(List<TcpServerApp> sinks, long[] out) {
        for (int i = 0; i < sinks.size(); i++) {
            out[i] = sinks.get(i).ends().isEmpty() ? 0 : sinks.get(i).ends().get(0).received();
        }
    }
}
