package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.soak.Soak;
import io.jiip.sim.soak.SoakResult;
import io.jiip.sim.soak.SoakSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A soak failure prints its seed and one replay command, and the replay reproduces it bit for bit. Shown with an
 * intentionally broken application ({@code --inject-bug}: a sink that swallows one chunk of its stream).
 */
class ReplayTest {

    @Test
    void aFailureIsReportedWithItsSeedAndReplaysBitForBit(@TempDir Path dir) throws Exception {
        Soak.Options broken = new Soak.Options().injectBug(true).threads(2);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Soak.Summary s = Soak.run(0xb06, 40, broken, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertFalse(s.ok(), "the broken application must be caught");
        assertTrue(s.failures.size() < 40, "only scenarios that carry the bug fail");
        for (SoakResult f : s.failures) {
            String command = Soak.replayCommand(f.seed(), broken);
            assertTrue(text.contains(String.format("seed 0x%016x", f.seed())), text);
            assertTrue(text.contains("replay: " + command), text);
            assertTrue(command.endsWith(" --inject-bug"));
            assertTrue(SoakSpec.generate(f.seed(), true).hasBug());
            assertTrue(f.problems().stream().anyMatch(p -> p.contains("server")), f.problems().toString());

            SoakResult again = Soak.runOne(0, f.seed(), new Soak.Options().injectBug(true));
            assertEquals(f.problems(), again.problems(), "same failure");
            assertEquals(f.digest(), again.digest(), "same frames on every wire, at the same times");
            assertEquals(f.events(), again.events());
        }
        // With pcaps: two replays write byte-identical captures.
        long seed = s.failures.get(0).seed();
        Soak.runOne(0, seed, new Soak.Options().injectBug(true).pcap(dir.resolve("a")).trace(dir.resolve("a.csv")));
        Soak.runOne(0, seed, new Soak.Options().injectBug(true).pcap(dir.resolve("b")).trace(dir.resolve("b.csv")));
        List<Path> files;
        try (Stream<Path> st = Files.list(dir.resolve("a"))) {
            files = st.sorted().toList();
        }
        assertTrue(files.size() >= 3);
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve("b").resolve(f.getFileName())),
                    f.getFileName().toString());
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.csv")), Files.readAllBytes(dir.resolve("b.csv")));
        // The same seeds without the bug hold.
        for (SoakResult f : s.failures) {
            assertTrue(Soak.runOne(0, f.seed(), new Soak.Options()).ok(), "seed " + f.seed() + " without the bug");
        }
    }
}
