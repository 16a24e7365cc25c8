package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.api.TcpConfig;
import io.jiip.io.app.HttpClient;
import io.jiip.io.app.HttpServer;
import io.jiip.io.app.Pattern;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP with the Linux kernel as the peer: HTTP both ways with byte-exact SHA-256. */
class TcpInteropTest {
    static final long BYTES = Pattern.parseSize(System.getProperty("jiip.interop.bytes", "256m"));

    @Test
    void curlDownloadsFromJiipHttpServer() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            HttpServer server = new HttpServer();
            assertEquals(Result.OK, (int) peer.node.call(s -> s.tcpListen(8080, 64, server)));
            NetNs.Result hello = peer.exec("curl", "-sS", "--max-time", "10", "http://" + KernelPeer.JIIP_IP + ":8080/");
            assertEquals(0, hello.exit(), hello.output());
            assertTrue(hello.output().startsWith("Hello from jiip"), hello.output());

            long t0 = System.nanoTime();
            NetNs.Result r = peer.ns.exec(Duration.ofSeconds(120), "bash", "-c", "set -o pipefail; curl -sS "
                    + "--max-time 110 http://" + KernelPeer.JIIP_IP + ":8080/bytes/" + BYTES + " | sha256sum");
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("curl <- jiip: %d bytes in %.2f s = %.1f MB/s%n", BYTES, secs, BYTES / secs / 1e6);
            System.out.println(peer.node.queue().counters());
            System.out.println(peer.node.<String>call(s -> s.stats().toString()));
            assertEquals(0, r.exit(), r.output());
            assertEquals(Pattern.sha256(BYTES), r.output().split("\\s+")[0]);
            peer.node.execute(s -> server.release());
        }
    }

    @Test
    void jiipDownloadsFromKernelHttpServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data.bin");
        writePattern(file, BYTES);
        try (KernelPeer peer = KernelPeer.start()) {
            peer.ns.start(dir.resolve("http.log"), "python3", "-m", "http.server", "8000", "--bind",
                    KernelPeer.KERNEL_IP, "--directory", dir.toString());
            waitForListener(peer, 8000);
            HttpClient client = HttpClient.forUrl("http://" + KernelPeer.KERNEL_IP + ":8000/data.bin");
            peer.node.execute(client::start);
            HttpClient.Response r = client.result().get(120, TimeUnit.SECONDS);
            System.out.printf("jiip <- python http.server: %d bytes in %.2f s = %.1f MB/s%n", r.bytes(),
                    r.nanos() / 1e9, r.bytesPerSecond() / 1e6);
            System.out.println(peer.node.queue().counters());
            System.out.println(peer.node.<String>call(s -> s.stats().toString()));
            assertTrue(r.ok(), r.error());
            assertEquals(200, r.status());
            assertEquals(BYTES, r.bytes());
            assertEquals(Pattern.sha256(BYTES), r.sha256());
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

    /** Waits (5 s at most) until something listens on the kernel side's TCP port. */
    static void waitForListener(KernelPeer peer, int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            NetNs.Result r = peer.exec("ss", "-Hltn", "sport", "= :" + port);
            if (r.ok() && !r.output().isBlank()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on port " + port + " in " + peer.ns.name());
    }
}
