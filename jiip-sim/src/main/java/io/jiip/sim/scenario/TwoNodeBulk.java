package io.jiip.sim.scenario;

import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Units;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpEnd;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import java.util.List;

/** Two nodes, one bulk TCP transfer over a 100 Mbit/s, 2 ms point-to-point link: iip-ns's README example. */
public final class TwoNodeBulk implements Scenario {
    public TwoNodeBulk() {
    }

    @Override
    public String name() {
        return "two-node-bulk";
    }

    @Override
    public String description() {
        return "two nodes, one bulk TCP transfer over 100 Mbit/s, 2 ms (the iip-ns README example)";
    }

    @Override
    public List<Param> parameters() {
        return List.of(new Param("bytes", "20MB", "bytes to send"),
                new Param("bandwidth", "100M", "link rate, bit/s"),
                new Param("delay", "2ms", "one-way propagation delay"),
                new Param("queue", "100", "drop-tail queue, frames"),
                new Param("rcvbuf", "256KiB", "receive buffer (window) of the sink"));
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        ScenarioRun run = new ScenarioRun(this, o);
        Simulation sim = run.sim();
        long bytes = o.getBytes("bytes");
        int rcvbuf = Math.toIntExact(o.getBytes("rcvbuf"));
        Node a = sim.node("a").build();
        Node b = sim.node("b").tcp(t -> t.receiveBuffer(rcvbuf)).build();
        sim.link(a, b).bandwidth(o.getRate("bandwidth")).delay(o.getTime("delay")).queue(o.getInt("queue")).build();
        TcpScript script = TcpScript.bulk(bytes);
        TcpServerApp sink = b.add(new TcpServerApp(5001, script));
        TcpClientApp sender = a.add(new TcpClientApp(b, 5001, script).label("bulk").trace(true).pairWith(sink));
        run.line("topology: a --%s, %s, queue %d-- b; %s from a to b", Units.formatRate(o.getRate("bandwidth")),
                Units.formatTime(o.getTime("delay")), o.getInt("queue"), Units.formatBytes(bytes));
        return run.execute(r -> {
            if (sink.ends().isEmpty() || sender.ends().isEmpty()) {
                return;
            }
            TcpEnd in = sink.ends().get(0);
            TcpEnd out = sender.ends().get(0);
            double seconds = (in.lastPayloadAt() - out.establishedAt()) / 1e9;
            double goodput = in.received() * 8 / seconds;
            r.metric("goodput_bps", goodput);
            r.metric("seconds", seconds);
            r.line("goodput: %s (%s in %.3f s from handshake to last byte), %.1f%% of the link rate",
                    Units.formatRate(goodput), Units.formatBytes(in.received()), seconds,
                    100 * goodput / o.getRate("bandwidth"));
        });
    }
}
