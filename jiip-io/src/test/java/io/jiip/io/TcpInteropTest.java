package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.io.app.HttpServer;
import org.junit.jupiter.api.Test;

/**
 * Bulk TCP with the Linux kernel as the peer, byte-exact by SHA-256 in both directions: curl downloading from the
 * jiip HTTP server, and the jiip HTTP client downloading from {@code python3 -m http.server}. The size is
 * {@code -Djiip.interop.bytes} (default 1 GiB, as the issue asks; about 8 s each way here).
 */
class TcpInteropTest {

    @Test
    void curlGetsHelloAndBulkFromJiip() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            HttpServer server = new HttpServer();
            assertEquals(Result.OK, (int) peer.node.call(s -> s.tcpListen(80, 16, server)));
            NetNs.Result hello = peer.exec("curl", "-sS", "--max-time", "10", "http://" + KernelPeer.JIIP_IP + "/");
            assertEquals(0, hello.exit(), hello.output());
            assertTrue(hello.output().startsWith("Hello from jiip"), hello.output());
            // Keep-alive: two requests on one connection.
            NetNs.Result two = peer.exec("curl", "-sS", "-v", "--max-time", "10", "http://" + KernelPeer.JIIP_IP
                    + "/", "http://" + KernelPeer.JIIP_IP + "/bytes/1000");
            assertEquals(0, two.exit(), two.output());
            assertTrue(two.output().contains("Re-using existing connection")
                    || two.output().contains("Reusing existing"), two.output());
            NetNs.Result head = peer.exec("curl", "-sS", "-I", "--max-time", "5", "http://" + KernelPeer.JIIP_IP
                    + "/bytes/5");
            assertEquals(0, head.exit(), head.output());
            assertTrue(head.output().contains("Content-Length: 5"), head.output());
            NetNs.Result missing = peer.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
                    "5", "http://" + KernelPeer.JIIP_IP + "/nothing");
            assertEquals("404", missing.output());
            peer.node.execute(s -> server.release());

            Transfers.curlFromJiip(peer, KernelPeer.JIIP_IP, Transfers.BYTES, 150);
            System.out.println(peer.stats());
            TapQueue q = peer.node.queue();
            assertTrue(q.txBytes() / q.txFrames() > 3000, "TSO super-segments went out: " + q.counters());
        }
    }

    @Test
    void jiipGetsBulkFromKernel() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            Transfers.jiipFromPython(peer, KernelPeer.KERNEL_IP, Transfers.BYTES, 150);
            System.out.println(peer.stats());
        }
    }

    /**
     * With {@code TUN_F_TSO4} the kernel sends TCP super-frames of up to 64 KB, which the stack takes whole (LRO;
     * the kernel's partial checksum is trusted).
     */
    @Test
    void jiipGetsBulkFromKernelAsGsoSuperFrames() throws Exception {
        KernelPeer.Options o = new KernelPeer.Options();
        o.tap.rxGso(true);
        try (KernelPeer peer = KernelPeer.start(o)) {
            Transfers.jiipFromPython(peer, KernelPeer.KERNEL_IP, Math.min(Transfers.BYTES, 256L << 20), 120);
            TapQueue q = peer.node.queue();
            assertTrue(q.rxGsoFrames() > 0, "the kernel sent GSO super-frames: " + q.counters());
            assertEquals(0, q.rxGsoSegments(), "passed whole: " + q.counters());
        }
    }

    /** The same with LRO switched off: the queue splits every super-frame into MSS segments. */
    @Test
    void jiipGetsBulkFromKernelAsSplitGsoSuperFrames() throws Exception {
        KernelPeer.Options o = new KernelPeer.Options();
        o.tap.rxGso(true);
        try (KernelPeer peer = KernelPeer.start(o)) {
            peer.node.queue().disable(NicFeatures.LRO);
            Transfers.jiipFromPython(peer, KernelPeer.KERNEL_IP, Math.min(Transfers.BYTES, 64L << 20), 120);
            TapQueue q = peer.node.queue();
            assertTrue(q.rxGsoFrames() > 0, "the kernel sent GSO super-frames: " + q.counters());
            assertTrue(q.rxGsoSegments() > q.rxGsoFrames(), q.counters());
        }
    }

    /** Without TSO jiip sends MSS-sized segments only (one write each). */
    @Test
    void curlGetsBulkFromJiipWithoutTso() throws Exception {
        KernelPeer.Options o = new KernelPeer.Options();
        o.tap.txTso(false);
        try (KernelPeer peer = KernelPeer.start(o)) {
            Transfers.curlFromJiip(peer, KernelPeer.JIIP_IP, Math.min(Transfers.BYTES, 256L << 20), 120);
            TapQueue q = peer.node.queue();
            assertTrue(q.txBytes() / q.txFrames() < 1600, "no super-segments: " + q.counters());
        }
    }
}
