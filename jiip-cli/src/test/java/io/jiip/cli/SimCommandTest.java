package io.jiip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./jiip sim}: list, a scenario, soak with its exit code, and replay of a failure. */
class SimCommandTest {

    /** Runs the CLI; returns {exit code, stdout}. */
    static Object[] jiip(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Main()).execute(args);
            return new Object[] {code, buf.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void listPrintsOneScenarioPerLineNameFirst() {
        Object[] r = jiip("sim", "list");
        assertEquals(0, r[0]);
        String[] lines = ((String) r[1]).strip().split("\n");
        assertTrue(lines.length >= 4);
        assertEquals("two-node-bulk", lines[0].split("\\s+")[0]);
        for (String l : lines) {
            String name = l.split("\\s+")[0];
            assertEquals(0, jiip("sim", name, "--help")[0], name);
        }
    }

    @Test
    void aScenarioRunsWithSeedPcapAndPlot(@TempDir Path dir) {
        Object[] r = jiip("sim", "two-node-bulk", "--seed", "3", "--pcap", dir.resolve("p").toString(), "--plot",
                dir.resolve("plot.svg").toString(), "-p", "bytes=1MB");
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("goodput"), (String) r[1]);
        assertTrue(Files.exists(dir.resolve("plot.svg")));
        assertTrue(Files.exists(dir.resolve("p").resolve("link-a-b.pcap")));
        assertEquals(2, jiip("sim", "dumbbell", "-p", "nope=1")[0]);
    }

    @Test
    void soakExitsZeroOnlyWhenEveryScenarioHoldsAndFailuresReplay() {
        Object[] good = jiip("sim", "soak", "--scenarios", "30", "--seed", "7");
        assertEquals(0, good[0], (String) good[1]);
        assertTrue(((String) good[1]).contains("30 passed, 0 failed"), (String) good[1]);

        Object[] bad = jiip("sim", "soak", "--scenarios", "20", "--seed", "7", "--inject-bug");
        assertEquals(1, bad[0], (String) bad[1]);
        Matcher m = Pattern.compile("replay: \\./jiip sim replay (0x[0-9a-f]{16}) --inject-bug")
                .matcher((String) bad[1]);
        assertTrue(m.find(), (String) bad[1]);
        Object[] first = jiip("sim", "replay", m.group(1), "--inject-bug");
        Object[] second = jiip("sim", "replay", m.group(1), "--inject-bug");
        assertEquals(1, first[0]);
        assertEquals(first[1], second[1], "a replay is bit for bit the same run");
        assertTrue(((String) first[1]).contains("FAILED"));
        assertEquals(0, jiip("sim", "replay", m.group(1))[0], "the same scenario without the bug holds");
    }
}
