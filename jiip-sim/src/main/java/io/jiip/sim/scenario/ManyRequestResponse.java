package io.jiip.sim.scenario;

import io.jiip.sim.Impairments;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Switch;
import io.jiip.sim.Units;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpEnd;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Many client connections doing request/response rounds against one server through a switch. */
public final class ManyRequestResponse implements Scenario {
    public ManyRequestResponse() {
    }

    @Override
    public String name() {
        return "many-rr";
    }

    @Override
    public String description() {
        return "many connections from several clients do request/response rounds with one server via a switch";
    }

    @Override
    public List<Param> parameters() {
        return List.of(new Param("clients", "4", "client nodes"),
                new Param("connections", "64", "connections per client"),
                new Param("rounds", "10", "request/response rounds per connection"),
                new Param("request", "200", "request bytes"),
                new Param("response", "2000", "response bytes"),
                new Param("bandwidth", "1G", "rate of every link, bit/s"),
                new Param("delay", "50us", "one-way delay of every link"),
                new Param("loss", "0", "random loss on every link, both ways"));
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        ScenarioRun run = new ScenarioRun(this, o);
        Simulation sim = run.sim();
        int clients = o.getInt("clients");
        int conns = o.getInt("connections");
        int rounds = o.getInt("rounds");
        double loss = o.getDouble("loss");
        Switch sw = sim.newSwitch("switch");
        Node server = sim.node("server").tcp(t -> t.listeners(clients + 1).connections(clients * conns + 16)).build();
        Impairments imp = Impairments.none().loss(loss);
        sim.link(server, sw).bandwidth(o.getRate("bandwidth")).delay(o.getTime("delay")).impair(imp).build();
        TcpScript script = TcpScript.pingPong(rounds, o.getLong("request"), o.getLong("response")).noDelay(true);
        List<TcpClientApp> apps = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Node c = sim.node("c" + i).tcp(t -> t.connections(conns + 16)).build();
            sim.link(c, sw).bandwidth(o.getRate("bandwidth")).delay(o.getTime("delay")).impair(imp).build();
            TcpServerApp srv = server.add(new TcpServerApp(8000 + i, script));
            apps.add(c.add(new TcpClientApp(server, 8000 + i, script).connections(conns, 10 * Units.MICROSECOND)
                    .label("c" + i).pairWith(srv)));
        }
        run.line("topology: %d clients x %d connections -- switch -- server; %s, %s links; %d rounds of %d B / %d B",
                clients, conns, Units.formatRate(o.getRate("bandwidth")), Units.formatTime(o.getTime("delay")),
                rounds, o.getLong("request"), o.getLong("response"));
        return run.execute(r -> {
            List<Long> lifetimes = new ArrayList<>();
            long last = 0;
            for (TcpClientApp a : apps) {
                for (TcpEnd e : a.ends()) {
                    if (e.establishedAt() >= 0 && e.lastPayloadAt() >= 0) {
                        lifetimes.add(e.lastPayloadAt() - e.establishedAt());
                        last = Math.max(last, e.lastPayloadAt());
                    }
                }
            }
            long[] l = lifetimes.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(l);
            long transactions = (long) clients * conns * rounds;
            double seconds = last / 1e9;
            r.metric("transactions", transactions);
            r.metric("transactions_per_s", transactions / seconds);
            if (l.length > 0) {
                r.metric("p50_connection_s", l[l.length / 2] / 1e9);
                r.metric("p99_connection_s", l[(int) (l.length * 0.99)] / 1e9);
                r.line("%d transactions over %d connections in %s (%.0f per second); per-connection time for %d rounds:"
                        + " p50 %s, p99 %s, max %s", transactions, l.length, Units.formatTime(last),
                        transactions / seconds, rounds, Units.formatTime(l[l.length / 2]),
                        Units.formatTime(l[(int) (l.length * 0.99)]), Units.formatTime(l[l.length - 1]));
            }
        });
    }
}
