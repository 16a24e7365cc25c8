package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** Kernel interop over a TAP in a namespace: ping and ARP. */
class TapBasicsTest {

    @Test
    void kernelPingsJiip() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            NetNs.Result r = peer.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", KernelPeer.JIIP_IP);
            System.out.println(r.output());
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("3 received"), r.output());
            assertEquals(3L, (long) peer.node.call(s -> s.stats().get(Counter.ICMP_ECHO_REPLIES_TX)));
            System.out.println(peer.node.queue().counters());
        }
    }

    @Test
    void arpBothWays() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            int kernel = Ipv4Address.parse(KernelPeer.KERNEL_IP);
            assertEquals(Result.OK, (int) peer.node.call(s -> s.arpRequest(kernel)));
            long mac = -1;
            for (int i = 0; i < 100 && mac < 0; i++) {
                Thread.sleep(20);
                mac = peer.node.call(s -> s.arpLookup(kernel));
            }
            assertEquals(MacAddress.toString(peer.tap.kernelMac()), MacAddress.toString(mac), "jiip learned");
            NetNs.Result r = peer.exec("ip", "neigh", "show", KernelPeer.JIIP_IP);
            // The kernel learns us from our request (RFC 826 merge) or asks itself on first use.
            NetNs.Result ping = peer.exec("ping", "-c", "1", "-W", "2", KernelPeer.JIIP_IP);
            r = peer.exec("ip", "neigh", "show", KernelPeer.JIIP_IP);
            System.out.println(r.output());
            assertTrue(r.output().contains(KernelPeer.JIIP_MAC), r.output() + ping.output());
        }
    }
}
