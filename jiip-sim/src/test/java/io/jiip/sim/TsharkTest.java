package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pcaps the simulator writes open in tshark with no malformed packet and no bad checksum. */
class TsharkTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    static List<String> tshark(Path file, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(TSHARK.toString(), "-n", "-r", file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tshark " + cmd);
        return out.isBlank() ? List.of() : List.of(out.split("\n"));
    }

    /** Frames tshark marks malformed, or with a bad IPv4/TCP/UDP checksum. */
    static List<String> problems(Path file) throws IOException, InterruptedException {
        return tshark(file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o",
                "udp.check_checksum:TRUE", "-Y", "_ws.malformed || ip.checksum.status == 0 || tcp.checksum.status == 0 "
                + "|| udp.checksum.status == 0", "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info");
    }

    private static void check(Path dir, String scenario, String... params) throws Exception {
        ScenarioOptions o = new ScenarioOptions().seed(1).pcap(dir);
        for (int i = 0; i < params.length; i += 2) {
            o.set(params[i], params[i + 1]);
        }
        ScenarioResult r = Scenarios.find(scenario).run(o);
        assertTrue(r.ok(), r.report());
        List<Path> pcaps;
        try (Stream<Path> s = Files.list(dir)) {
            pcaps = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
        assertTrue(pcaps.size() >= 3);
        for (Path p : pcaps) {
            assertEquals(List.of(), problems(p), scenario + ": " + p.getFileName());
            assertTrue(tshark(p, "-Y", "tcp || udp").size() > 10, "decoded frames in " + p.getFileName());
        }
    }

    @Test
    void shouldWriteCleanPcapsOfEveryLinkAndNode(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(TSHARK), "tshark not installed");
        check(dir.resolve("bulk"), "two-node-bulk", "bytes", "2MB");
        check(dir.resolve("lossy"), "lossy-lfn", "duration", "5s", "warmup", "1s", "loss", "2%");
        check(dir.resolve("rr"), "many-rr", "clients", "2", "connections", "8", "rounds", "3");
    }
}
