package io.jiip.io.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiip.api.CongestionAlgorithm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./jiip tap-bench --loss} at a tiny size: every cell measured against both servers, every transfer ended
 * and verified, the loss rules really dropped packets, the table and the JSON complete, and no namespace left
 * behind. Times are not checked (a benchmark's numbers are not a test's business).
 */
class TapLossBenchTest {
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void tinyRunProducesACompleteTable(@TempDir Path dir) throws Exception {
        String cause = TapLossBench.unavailabilityCause();
        assumeTrue(cause == null, () -> "tap loss benchmark skipped: " + cause);
        List<String> namespacesBefore = lossBenchNamespaces();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        // 5 % so that a 256 KiB transfer surely meets some drops; 30 s per transfer is far above what it needs.
        TapLossBench bench = new TapLossBench(new PrintStream(text, true, StandardCharsets.UTF_8),
                new TapLossBench.Options(256 << 10, 1, List.of(5.0), List.of(true, false),
                        List.of(TapLossBench.Workload.values()), Duration.ofSeconds(30), false,
                        CongestionAlgorithm.CUBIC, null));
        int status = bench.run();
        String output = text.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, status, output);

        List<TapLossBench.Cell> cells = bench.cells();
        assertEquals(2 * TapLossBench.Workload.values().length, cells.size(), "a cell per TSO setting and workload");
        long dropped = 0;
        for (TapLossBench.Cell c : cells) {
            assertTrue(c.complete(), () -> "every transfer ended and was verified: " + c);
            assertEquals(1, c.jiip().size());
            assertEquals(1, c.kernel().size());
            assertTrue(c.ratio() > 0 && Double.isFinite(c.ratio()), () -> "a ratio: " + c);
            for (TapLossBench.Transfer t : List.of(c.jiip().get(0), c.kernel().get(0))) {
                dropped += t.droppedIn() + t.droppedOut();
            }
        }
        assertTrue(dropped > 0, "the nftables rules dropped packets");

        List<String> table = bench.table();
        assertEquals(2 + cells.size(), table.size());
        for (String row : table.subList(2, table.size())) {
            assertEquals(12, row.split("\\|", -1).length, row); // 10 columns between 11 bars
            assertTrue(row.startsWith("| 5 % |") && !row.contains("—"), row);
        }
        assertTrue(output.contains(table.get(0)), "the table is printed");
        assertTrue(output.contains("rx GSO off, cubic) vs a Linux server over veth (cubic)"),
                "the header names both congestion controls: " + output);

        Path json = dir.resolve("loss.json");
        bench.writeJson(json);
        String j = Files.readString(json);
        assertEquals(cells.size(), j.split("\"loss_percent\"", -1).length - 1, j);
        assertEquals(2 * cells.size(), j.split("\"status\": \"ok\"", -1).length - 1, j);
        assertTrue(j.contains("\"kernel_congestion_control\": \"cubic\""), j);

        assertEquals(namespacesBefore, lossBenchNamespaces(), "every namespace deleted");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void unknownKernelCongestionControlFailsClearly() throws Exception {
        String cause = TapLossBench.unavailabilityCause();
        assumeTrue(cause == null, () -> "tap loss benchmark skipped: " + cause);
        List<String> namespacesBefore = lossBenchNamespaces();
        TapLossBench bench = new TapLossBench(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new TapLossBench.Options(64 << 10, 1, List.of(1.0), List.of(false),
                        List.of(TapLossBench.Workload.SEND), Duration.ofSeconds(10), false, CongestionAlgorithm.CUBIC,
                        "nosuchcc"));
        Exception e = assertThrows(Exception.class, bench::run);
        assertTrue(e.getMessage().contains("congestion control nosuchcc"), e.getMessage());
        assertEquals(namespacesBefore, lossBenchNamespaces(), "every namespace deleted");
    }

    private static List<String> lossBenchNamespaces() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.lines().filter(l -> l.startsWith("jiip-lossb-")).sorted().toList();
    }
}
