package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.TcpCloseReason;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpEnd;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every TCP script, on a clean and on a hostile link, ends as the script says and every invariant holds. */
class TcpAppsTest {

    static final TcpScript[] SCRIPTS = {
        TcpScript.bulk(300_000),
        TcpScript.bulk(0),
        TcpScript.halfClose(5_000, 200_000),
        TcpScript.pingPong(20, 100, 3000).noDelay(true),
        TcpScript.pingPong(5, 1, 1),
        TcpScript.abortClient(100_000, 40_000),
        TcpScript.abortServer(100_000, 10_000),
        TcpScript.bulk(100_000).chunks(1, 50),
        TcpScript.bulk(50_000).readRate(200_000),
    };

    static Simulation run(TcpScript script, Impairments imp, long seed, TcpClientApp[] client,
            TcpServerApp[] server) {
        Simulation sim = new Simulation(seed);
        Node a = sim.node("a").tcp(t -> t.maxRetries(50).mslNanos(Units.seconds(5))).build();
        Node b = sim.node("b").tcp(t -> t.maxRetries(50).mslNanos(Units.seconds(5)).receiveBuffer(64 << 10)).build();
        sim.link(a, b).bandwidth(Units.mbps(20)).delay(Units.ms(5)).queue(50).impair(imp).build();
        server[0] = b.add(new TcpServerApp(7000, script));
        client[0] = a.add(new TcpClientApp(b, 7000, script).connections(3, Units.ms(1)).pairWith(server[0]));
        sim.run();
        return sim;
    }

    @Test
    void shouldRunEveryScriptToItsExpectedEndOnACleanLink() {
        for (TcpScript s : SCRIPTS) {
            TcpClientApp[] c = new TcpClientApp[1];
            TcpServerApp[] v = new TcpServerApp[1];
            Simulation sim = run(s, Impairments.none(), 1, c, v);
            assertEquals(List.of(), Invariants.check(sim, true), s.toString());
            for (TcpEnd e : c[0].ends()) {
                int expected = s.mode() == TcpScript.Mode.ABORT_CLIENT ? TcpCloseReason.ABORTED
                        : s.mode() == TcpScript.Mode.ABORT_SERVER ? TcpCloseReason.RESET_BY_PEER
                        : TcpCloseReason.NORMAL;
                assertEquals(expected, e.closedReason(), s + ": client end");
            }
            assertEquals(3, v[0].ends().size(), s + ": accepted");
        }
    }

    @Test
    void shouldRunEveryScriptThroughLossReorderingDuplicationCorruptionAndJitter() {
        Impairments hostile = Impairments.none().loss(0.05).reorder(0.05, Units.ms(3)).duplicate(0.02)
                .corrupt(0.02).jitter(Units.ms(2));
        for (TcpScript s : SCRIPTS) {
            for (long seed = 1; seed <= 3; seed++) {
                TcpClientApp[] c = new TcpClientApp[1];
                TcpServerApp[] v = new TcpServerApp[1];
                Simulation sim = run(s, hostile, seed, c, v);
                assertEquals(List.of(), Invariants.check(sim, true), s + ", seed " + seed);
                Channel fwd = sim.links().get(0).forward();
                assertTrue(fwd.lossDrops() + fwd.reordered() + fwd.corrupted() + fwd.duplicated() > 0);
            }
        }
    }

    @Test
    void shouldReportABrokenExpectation() {
        TcpScript s = TcpScript.bulk(50_000);
        Simulation sim = new Simulation(1);
        Node a = sim.node("a").build();
        Node b = sim.node("b").build();
        sim.link(a, b).build();
        TcpServerApp srv = b.add(new TcpServerApp(7000, s).injectBugAt(1234));
        a.add(new TcpClientApp(b, 7000, s).pairWith(srv));
        sim.run();
        List<String> problems = Invariants.check(sim, true);
        assertFalse(problems.isEmpty());
        assertTrue(problems.stream().anyMatch(p -> p.contains("server: received byte at stream offset")),
                problems.toString());
    }
}
