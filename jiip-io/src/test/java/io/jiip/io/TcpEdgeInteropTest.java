package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.TcpCloseReason;
import io.jiip.io.app.EchoServer;
import io.jiip.io.app.Pattern;
import io.jiip.link.Packet;
import io.jiip.wire.Ipv4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Half-close and resets, with the kernel on the other end. */
class TcpEdgeInteropTest {
    static final int SIZE = 1_000_000;

    /** socat sends 1 MB, half-closes (stdin EOF), and still reads the whole echo; then jiip closes. */
    @Test
    void kernelHalfClosesAndJiipFinishesTheEcho() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            assertEquals(Result.OK, (int) peer.node.call(s -> s.tcpListen(7, 16, new EchoServer())));
            Path dir = Files.createTempDirectory("jiip-half");
            Path f = dir.resolve("data");
            try {
                Transfers.writePattern(f, SIZE);
                NetNs.Result r = peer.ns.exec(Duration.ofSeconds(30), "bash", "-c",
                        "set -o pipefail; socat -t 20 - TCP:" + KernelPeer.JIIP_IP + ":7 < " + f + " | sha256sum");
                assertEquals(0, r.exit(), r.output());
                assertEquals(Pattern.sha256(SIZE), r.output().split("\\s+")[0]);
            } finally {
                Files.deleteIfExists(f);
                Files.deleteIfExists(dir);
            }
        }
    }

    /**
     * jiip sends 1 MB and half-closes; the kernel side (socat running sha256sum) reads to EOF, then answers with the
     * hash on the half-open connection, then closes.
     */
    @Test
    void jiipHalfClosesAndStillReceives() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            peer.ns.start(null, "socat", "TCP-LISTEN:9001,bind=" + KernelPeer.KERNEL_IP + ",reuseaddr",
                    "SYSTEM:sha256sum");
            Transfers.waitForListener(peer.ns, 9001);
            Recorder rec = new Recorder();
            int kernel = Ipv4Address.parse(KernelPeer.KERNEL_IP);
            int conn = peer.node.call(s -> s.tcpConnect(kernel, 9001, 0, rec, null));
            assertTrue(conn >= 0, Result.name(conn));
            rec.connected.get(5, TimeUnit.SECONDS);
            long[] sent = {0};
            // Feed 1 MB as the send buffer allows (onAcked is not needed: retry on WOULD_BLOCK).
            for (int round = 0; round < 10_000 && sent[0] < SIZE; round++) {
                int r = peer.node.call(s -> {
                    while (sent[0] < SIZE) {
                        int n = (int) Math.min(16384, SIZE - sent[0]);
                        Packet p = s.packetOps().alloc(n);
                        if (p == null) {
                            return Result.NO_BUFFER;
                        }
                        Pattern.fill(p.buffer(), p.offset(), n, sent[0]);
                        s.packetOps().length(p, n);
                        int res = s.tcpSend(conn, p, 0);
                        if (res != Result.OK) {
                            s.packetOps().free(p);
                            return res;
                        }
                        sent[0] += n;
                    }
                    return s.tcpShutdownOutput(conn);
                });
                if (r == Result.OK) {
                    break;
                }
                assertTrue(r == Result.WOULD_BLOCK || r == Result.NO_BUFFER, Result.name(r));
                Thread.sleep(2);
            }
            assertEquals(SIZE, sent[0]);
            // In FIN-WAIT the peer's FIN is our end of input (onRemoteShutdown, as in CLOSE-WAIT), then TIME-WAIT
            // ends the connection (onClosed(NORMAL)).
            assertEquals(TcpCloseReason.NORMAL, (int) rec.closed.get(20, TimeUnit.SECONDS), rec.events::toString);
            String answer = new String(rec.bytes(), StandardCharsets.US_ASCII);
            assertEquals(Pattern.sha256(SIZE) + "  -\n", answer, "the answer that came after our FIN");
            assertEquals(List.of("connected", "payload", "remote-shutdown", "closed 0"), rec.events);
        }
    }

    @Test
    void kernelResetsConnectToClosedPort() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            Recorder rec = new Recorder();
            int kernel = Ipv4Address.parse(KernelPeer.KERNEL_IP);
            int conn = peer.node.call(s -> s.tcpConnect(kernel, 9, 0, rec, null));
            assertTrue(conn >= 0, Result.name(conn));
            assertEquals(TcpCloseReason.REFUSED, (int) rec.closed.get(5, TimeUnit.SECONDS));
            assertEquals(List.of("closed " + TcpCloseReason.REFUSED), rec.events);
            assertEquals(1, peer.counter(Counter.TCP_RESETS_RX));
        }
    }

    @Test
    void jiipResetsConnectToClosedPort() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            NetNs.Result r = peer.exec("curl", "-sS", "--max-time", "5", "http://" + KernelPeer.JIIP_IP + ":9/");
            assertEquals(7, r.exit(), r.output()); // curl: couldn't connect
            assertTrue(r.output().contains("Connection refused") || r.output().contains("Couldn't connect"),
                    r.output());
            assertTrue(peer.counter(Counter.TCP_RESETS_TX) >= 1);
        }
    }
}
