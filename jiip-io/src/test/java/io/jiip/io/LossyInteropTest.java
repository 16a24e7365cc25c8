package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.io.app.Pattern;
import io.jiip.link.FaultInjector;
import org.junit.jupiter.api.Test;

/**
 * The bulk transfers again with the jiip side dropping 5% of the frames in each direction (a seeded
 * {@link FaultInjector} in a {@link FaultyNic}): recovery on both ends (jiip's and the kernel's) must still deliver
 * every byte exactly. Sizes: {@code -Djiip.interop.lossy.bytes} (default 8 MiB: jiip as the sender recovers from
 * tail losses by RTO only, so this direction is slow). {@code -Djiip.debug.pcap=FILE} captures the TAP.
 */
class LossyInteropTest {
    static final long BYTES = Pattern.parseSize(System.getProperty("jiip.interop.lossy.bytes", "8m"));

    private static KernelPeer lossyPeer(long seed) throws Exception {
        KernelPeer.Options o = new KernelPeer.Options();
        o.txHook = new FaultInjector(seed).drop(0.05);
        o.rxHook = new FaultInjector(seed + 1).drop(0.05);
        return KernelPeer.start(o);
    }

    @Test
    void curlFromJiipThroughLoss() throws Exception {
        try (KernelPeer peer = lossyPeer(42)) {
            if (System.getProperty("jiip.debug.pcap") != null) {
                peer.ns.start(null, "tcpdump", "-i", "jtap0", "-s", "128", "-w", System.getProperty("jiip.debug.pcap"));
                Thread.sleep(500);
            }
            Transfers.curlFromJiip(peer, KernelPeer.JIIP_IP, BYTES, 100);
            report(peer);
        }
    }

    @Test
    void jiipFromKernelThroughLoss() throws Exception {
        try (KernelPeer peer = lossyPeer(4242)) {
            Transfers.jiipFromPython(peer, KernelPeer.KERNEL_IP, BYTES, 100);
            report(peer);
        }
    }

    private static void report(KernelPeer peer) {
        FaultyNic f = peer.node.faults();
        System.out.printf("  dropped by the fault injector: %d sent, %d received%n", f.txDropped(), f.rxDropped());
        System.out.println(peer.stats());
        assertTrue(f.txDropped() > 0 && f.rxDropped() > 0, "the injector dropped frames both ways");
    }
}
