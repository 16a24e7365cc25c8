package io.jiip.sim.scenario;

import io.jiip.sim.Impairments;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Units;
import io.jiip.sim.app.UdpSender;
import io.jiip.sim.app.UdpSink;
import java.util.List;

/** A constant-rate UDP stream over an impaired link: loss, duplication and reordering counted, damage refused. */
public final class UdpStream implements Scenario {
    public UdpStream() {
    }

    @Override
    public String name() {
        return "udp-stream";
    }

    @Override
    public String description() {
        return "a constant-rate UDP stream over a lossy, reordering, duplicating, corrupting link";
    }

    @Override
    public List<Param> parameters() {
        return List.of(new Param("count", "10000", "datagrams"),
                new Param("size", "1000", "datagram payload bytes"),
                new Param("interval", "100us", "time between datagrams"),
                new Param("loss", "1%", "random loss"),
                new Param("reorder", "1%", "reordering probability (held back up to 1 ms)"),
                new Param("duplicate", "0.5%", "duplication probability"),
                new Param("corrupt", "0.5%", "single-bit corruption probability"));
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        ScenarioRun run = new ScenarioRun(this, o);
        Simulation sim = run.sim();
        Node a = sim.node("a").build();
        Node b = sim.node("b").build();
        Impairments imp = Impairments.none().loss(o.getDouble("loss"))
                .reorder(o.getDouble("reorder"), Units.MILLISECOND).duplicate(o.getDouble("duplicate"))
                .corrupt(o.getDouble("corrupt"));
        sim.link(a, b).bandwidth(Units.mbps(100)).delay(Units.ms(1)).impairForward(imp).build();
        int count = o.getInt("count");
        int size = o.getInt("size");
        UdpSink sink = b.add(new UdpSink(9000, size, count));
        UdpSender sender = a.add(new UdpSender(b, 9000, count, size, o.getTime("interval")));
        run.line("topology: a --100 Mbit/s, 1 ms, %s-- b; %d datagrams of %d B every %s", imp, count, size,
                Units.formatTime(o.getTime("interval")));
        return run.execute(r -> {
            r.metric("delivered", sink.distinct());
            r.metric("loss", 1.0 - (double) sink.distinct() / Math.max(1, sender.count()));
        });
    }
}
