package io.jiip.sim.scenario;

import io.jiip.api.Counter;
import io.jiip.api.Stats;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Switch;
import io.jiip.sim.Units;
import io.jiip.sim.app.SynFlood;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpEnd;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import java.util.List;

/**
 * A bulk TCP transfer while an attacker floods the same listening port with SYNs from random sources at the line
 * rate of its own link. Client, attacker and server hang off one switch; the server's link is faster than the
 * client's so that the flood does not simply congest the wire (what is measured is the stack, not the link).
 * Goodput is measured in simulated time, so the run is deterministic; compare with {@code flood=0}.
 */
public final class SynFloodBulk implements Scenario {
    public SynFloodBulk() {
    }

    @Override
    public String name() {
        return "syn-flood";
    }

    @Override
    public String description() {
        return "bulk TCP transfer while a SYN flood at line rate hits the same listener (SYN cookies)";
    }

    @Override
    public List<Param> parameters() {
        return List.of(new Param("bytes", "10MB", "bytes of the bulk transfer"),
                new Param("bandwidth", "100M", "client and attacker link rate, bit/s"),
                new Param("server-bandwidth", "1G", "server link rate, bit/s"),
                new Param("delay", "1ms", "one-way propagation delay of each link"),
                new Param("flood", "100M", "flood rate, bit/s of minimum frames (0: no flood)"),
                new Param("flood-start", "50ms", "when the flood starts (the bulk flow connects at 0)"),
                new Param("flood-stop", "2s", "when the flood stops"),
                new Param("cookies", "1", "SYN cookies on the server (1) or off (0)"),
                new Param("late-at", "600ms", "a second client connects to the flooded listener then (0: none)"));
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        ScenarioRun run = new ScenarioRun(this, o);
        Simulation sim = run.sim();
        long bytes = o.getBytes("bytes");
        long rate = o.getRate("bandwidth");
        long delay = o.getTime("delay");
        long flood = o.getRate("flood");
        boolean cookies = o.getInt("cookies") != 0;
        Switch sw = sim.newSwitch("switch");
        Node a = sim.node("client").build();
        Node b = sim.node("server").tcp(t -> t.synCookies(cookies)).build();
        Node x = sim.node("attacker").build();
        sim.link(a, sw).bandwidth(rate).delay(delay).build();
        sim.link(x, sw).bandwidth(rate).delay(delay).build();
        sim.link(sw, b).bandwidth(o.getRate("server-bandwidth")).delay(delay).build();
        TcpScript script = TcpScript.bulk(bytes);
        TcpServerApp sink = b.add(new TcpServerApp(5001, script));
        TcpClientApp sender = a.add(new TcpClientApp(b, 5001, script).label("bulk"));
        // Not paired with the sink (it accepts both clients); each connection still checks its stream byte-exact.
        long lateAt = o.getTime("late-at");
        TcpClientApp late = lateAt > 0
                ? a.add(new TcpClientApp(b, 5001, script).label("late"), lateAt) : null;
        SynFlood flooder = flood > 0
                ? x.add(new SynFlood(b, 5001, flood, o.getTime("flood-stop")), o.getTime("flood-start")) : null;
        run.line("topology: client and attacker --%s-- switch --%s-- server, %s per link; %s bulk, flood %s",
                Units.formatRate(rate), Units.formatRate(o.getRate("server-bandwidth")), Units.formatTime(delay),
                Units.formatBytes(bytes), flood > 0 ? Units.formatRate(flood) : "off");
        return run.execute(r -> {
            if (sink.ends().isEmpty() || sender.ends().isEmpty()) {
                return;
            }
            TcpEnd in = sink.ends().get(0);
            TcpEnd out = sender.ends().get(0);
            double seconds = (in.lastPayloadAt() - out.establishedAt()) / 1e9;
            double goodput = in.received() * 8 / seconds;
            Stats s = b.stack().stats();
            r.metric("goodput_bps", goodput);
            r.metric("received", in.received());
            r.metric("syns", flooder == null ? 0 : flooder.sent());
            r.metric("cookies_sent", s.get(Counter.SYN_COOKIES_SENT));
            r.metric("backlog_drops", s.get(Counter.DROP_TCP_BACKLOG_FULL));
            r.metric("passive_opens", s.get(Counter.TCP_PASSIVE_OPENS));
            if (late != null && !late.ends().isEmpty() && late.ends().get(0).established()) {
                double ms = (late.ends().get(0).establishedAt() - lateAt) / 1e6;
                r.metric("late_connect_ms", ms);
                r.line("a client connecting during the flood at %s: established after %.1f ms",
                        Units.formatTime(lateAt), ms);
            } else if (late != null) {
                r.line("a client connecting during the flood at %s: never established", Units.formatTime(lateAt));
            }
            r.line("goodput: %s (%s in %.3f s); %d SYNs, %d cookies sent, %d backlog drops",
                    Units.formatRate(goodput), Units.formatBytes(in.received()), seconds,
                    flooder == null ? 0 : flooder.sent(), s.get(Counter.SYN_COOKIES_SENT),
                    s.get(Counter.DROP_TCP_BACKLOG_FULL));
        });
    }
}
