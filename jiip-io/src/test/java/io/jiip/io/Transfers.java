package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.io.app.HttpClient;
import io.jiip.io.app.HttpServer;
import io.jiip.io.app.Pattern;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The bulk transfers the interop tests run, each checked byte for byte by SHA-256. */
final class Transfers {
    /** Size of the bulk transfers: {@code -Djiip.interop.bytes} (default 1 GiB, as the issue asks). */
    static final long BYTES = Pattern.parseSize(System.getProperty("jiip.interop.bytes", "1g"));

    private Transfers() {
    }

    /** curl (kernel) downloads {@code bytes} from a jiip HTTP server on port 8080; returns bytes/s. */
    static double curlFromJiip(KernelPeer peer, String jiipIp, long bytes, int timeoutSeconds) throws Exception {
        HttpServer server = new HttpServer();
        assertEquals(Result.OK, (int) peer.node.call(s -> s.tcpListen(8080, 64, server)));
        try {
            long t0 = System.nanoTime();
            NetNs.Result r = peer.ns.exec(Duration.ofSeconds(timeoutSeconds + 10), "bash", "-c",
                    "set -o pipefail; curl -sS --max-time " + timeoutSeconds + " http://" + jiipIp + ":8080/bytes/"
                            + bytes + " | sha256sum");
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("curl <- jiip: %d bytes in %.2f s = %.1f MB/s%n", bytes, secs, bytes / secs / 1e6);
            System.out.println("  tap: " + peer.node.queue().counters());
            assertEquals(0, r.exit(), r.output());
            assertEquals(Pattern.sha256(bytes), r.output().split("\\s+")[0], "SHA-256 of what curl received");
            return bytes / secs;
        } finally {
            peer.node.call(s -> s.tcpUnlisten(8080));
            peer.node.execute(s -> server.release());
        }
    }

    /** The jiip client downloads {@code bytes} from {@code python3 -m http.server} in the namespace; bytes/s. */
    static double jiipFromPython(KernelPeer peer, String serverIp, long bytes, int timeoutSeconds)
            throws Exception {
        Path dir = Files.createTempDirectory("jiip-interop");
        Path file = dir.resolve("data.bin");
        try {
            writePattern(file, bytes);
            Process server = peer.ns.start(dir.resolve("http.log"), "python3", "-m", "http.server", "8000",
                    "--bind", serverIp, "--directory", dir.toString());
            try {
                waitForListener(peer.ns, 8000);
                HttpClient client = HttpClient.forUrl("http://" + serverIp + ":8000/data.bin");
                peer.node.execute(client::start);
                HttpClient.Response r = client.result().get(timeoutSeconds, TimeUnit.SECONDS);
                System.out.printf("jiip <- python http.server: %d bytes in %.2f s = %.1f MB/s%n", r.bytes(),
                        r.nanos() / 1e9, r.bytesPerSecond() / 1e6);
                System.out.println("  tap: " + peer.node.queue().counters());
                assertTrue(r.ok(), r.error());
                assertEquals(200, r.status());
                assertEquals(bytes, r.bytes());
                assertEquals(Pattern.sha256(bytes), r.sha256(), "SHA-256 of what jiip received");
                return r.bytesPerSecond();
            } finally {
                server.destroyForcibly();
                server.waitFor(5, TimeUnit.SECONDS);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir.resolve("http.log"));
            Files.deleteIfExists(dir);
        }
    }

    static void writePattern(Path file, long bytes) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(Pattern.PERIOD * 4096);
        Pattern.fill(block, 0, block.capacity(), 0);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = bytes;
            while (left > 0) {
                block.clear().limit((int) Math.min(left, block.capacity()));
                while (block.hasRemaining()) {
                    left -= ch.write(block);
                }
            }
        }
    }

    /** Waits (5 s at most) until something listens on TCP {@code port} in the namespace. */
    static void waitForListener(NetNs ns, int port) throws Exception {
        waitFor(ns, port, "-Hltn");
    }

    /** Waits (5 s at most) until a UDP socket is bound to {@code port} in the namespace. */
    static void waitForUdp(NetNs ns, int port) throws Exception {
        waitFor(ns, port, "-Hlun");
    }

    private static void waitFor(NetNs ns, int port, String flags) throws Exception {
        for (int i = 0; i < 100; i++) {
            NetNs.Result r = ns.exec("ss", flags, "sport", "= :" + port);
            if (r.ok() && !r.output().isBlank()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing bound to port " + port + " in " + ns.name());
    }
}
