package io.jiip.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Runs tshark on captures written by the tests (skipping, with a reason, where it is not installed). */
public final class Tshark {
    private static final String PATH = find();

    private Tshark() {
    }

    private static String find() {
        for (String candidate : new String[] {"/usr/bin/tshark", "/usr/local/bin/tshark"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    public static boolean available() {
        return PATH != null;
    }

    /** Skips the calling test when tshark is missing. */
    public static void assume() {
        Assumptions.assumeTrue(PATH != null, "tshark not installed");
    }

    /** Runs {@code tshark -n -r file args...} and returns its standard output lines; fails on a non-zero exit. */
    public static List<String> run(Path file, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PATH, "-n", "-r", file.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path err = Files.createTempFile("tshark", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        assertEquals(0, p.exitValue(), "tshark " + cmd + " failed: " + stderr);
        String text = new String(out, StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    /**
     * Frames tshark marks malformed or with an expert message of at least warning severity, as
     * "number message" lines (checksums verified).
     */
    public static List<String> problems(Path file, String... extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-o", "tcp.check_checksum:TRUE"));
        args.addAll(Arrays.asList(extraArgs));
        args.addAll(List.of("-Y", "_ws.malformed || _ws.expert.severity >= warning", "-T", "fields", "-e",
                "frame.number", "-e", "_ws.expert.message"));
        return run(file, args.toArray(new String[0]));
    }
}
