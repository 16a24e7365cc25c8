package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run is a pure function of (scenario, seed): byte-identical pcaps, traces and plots. */
class DeterminismTest {

    private static ScenarioResult run(String scenario, long seed, Path out, String... params) {
        ScenarioOptions o = new ScenarioOptions().seed(seed).pcap(out.resolve("pcap")).trace(out.resolve("trace.csv"))
                .plot(out.resolve("plot.svg"));
        for (int i = 0; i < params.length; i += 2) {
            o.set(params[i], params[i + 1]);
        }
        return Scenarios.find(scenario).run(o);
    }

    private static void assertSameFiles(Path x, Path y) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(x)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(files.size() >= 4, "outputs: " + files);
        for (Path f : files) {
            Path other = y.resolve(x.relativize(f));
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(other), "differs: " + x.relativize(f));
        }
    }

    @Test
    void shouldProduceByteIdenticalOutputsForTheSameSeed(@TempDir Path dir) throws IOException {
        String[] params = {"loss", "2%", "duration", "6s", "warmup", "1s"};
        ScenarioResult first = run("lossy-lfn", 9, dir.resolve("1"), params);
        ScenarioResult second = run("lossy-lfn", 9, dir.resolve("2"), params);
        assertTrue(first.ok(), first.report());
        assertEquals(first.digest(), second.digest());
        assertEquals(first.metrics(), second.metrics());
        assertSameFiles(dir.resolve("1"), dir.resolve("2"));
        ScenarioResult other = run("lossy-lfn", 10, dir.resolve("3"), params);
        assertNotEquals(first.digest(), other.digest(), "another seed, other losses");
    }

    private static String bulk(boolean trace, Path pcap) {
        Simulation sim = new Simulation(4);
        Node a = sim.node("a").build();
        Node b = sim.node("b").build();
        Link l = sim.link(a, b).bandwidth(Units.mbps(50)).delay(Units.ms(3)).queue(30)
                .impair(Impairments.none().loss(0.01)).build();
        if (pcap != null) {
            sim.captureAll(pcap);
        }
        TcpScript s = TcpScript.bulk(2_000_000);
        TcpServerApp srv = b.add(new TcpServerApp(1, s).trace(trace));
        a.add(new TcpClientApp(b, 1, s).trace(trace).pairWith(srv));
        sim.run();
        assertEquals(List.of(), Invariants.check(sim, true));
        sim.closeOutputs();
        assertTrue(l.forward().lossDrops() > 0);
        return sim.digest();
    }

    @Test
    void shouldSendTheSameFramesWhetherTracedAndCapturedOrNot(@TempDir Path dir) {
        assertEquals(bulk(false, null), bulk(true, dir), "sampling and capturing must not change what stacks send");
    }
}
