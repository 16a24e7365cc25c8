package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.NicFeatures;
import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Opening, negotiating and closing TAP devices; errno reporting. */
class TapDeviceTest {

    @Test
    void shouldReportErrnoOfAFailedCall() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.newState(a);
            NativeException e = assertThrows(NativeException.class,
                    () -> Native.openOrThrow(a, state, "/nonexistent/jiip", Native.O_RDONLY));
            assertEquals(2, e.errno());
            assertEquals("open(/nonexistent/jiip)", e.call());
            assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        }
    }

    @Test
    void shouldProbeAvailability() {
        Throwable cause = TapDevice.unavailabilityCause();
        assertEquals(cause == null, TapDevice.isAvailable());
        if (cause != null) {
            System.out.println("TAP unavailable here: " + cause.getMessage());
        }
    }

    @Test
    void shouldNegotiateOffloadsAndOpenQueues() throws Exception {
        KernelPeer.assumeAvailable();
        try (NetNs ns = NetNs.create("jiip")) {
            try (TapDevice tap = TapDevice.open(TapConfig.builder().name("jt%d").queues(3).mtu(9000)
                    .netns(ns.name()).build())) {
                assertTrue(tap.name().startsWith("jt"), tap.name());
                assertEquals(3, tap.queueCount());
                assertEquals(9000, tap.mtu());
                assertEquals(TapDevice.TUN_F_CSUM, tap.tunOffloads());
                int f = tap.queue(0).features();
                assertEquals(NicFeatures.TCP_TX_CSUM | NicFeatures.UDP_TX_CSUM | NicFeatures.TCP_RX_CSUM
                        | NicFeatures.UDP_RX_CSUM | NicFeatures.TX_SCATTER_GATHER | NicFeatures.TCP_TSO, f);
                tap.queue(1).disable(NicFeatures.TX_SCATTER_GATHER);
                assertEquals(f & ~NicFeatures.TX_SCATTER_GATHER, tap.queue(1).features());
                String link = ns.execOrThrow("ip", "-d", "link", "show", tap.name());
                assertTrue(link.contains("multi_queue") && link.contains("vnet_hdr") && link.contains("UP"), link);
                String k = ns.execOrThrow("ethtool", "-k", tap.name());
                assertTrue(k.contains("tx-checksumming: on"), k);
                assertTrue(k.contains("tcp-segmentation-offload: off"), k);
                // The device exists only inside the namespace.
                assertTrue(!new File("/sys/class/net/" + tap.name()).exists()
                        || !tap.name().startsWith("jt"), "not in our namespace");
            }
            assertTrue(!ns.execOrThrow("ip", "link").contains("jt0"), "closing the last queue removes the TAP");
        }
    }

    @Test
    void shouldNegotiateTsoForRxGsoAndNothingWithOffloadsOff() throws Exception {
        KernelPeer.assumeAvailable();
        try (NetNs ns = NetNs.create("jiip")) {
            try (TapDevice tap = TapDevice.open(TapConfig.builder().name("jg0").rxGso(true).netns(ns.name())
                    .build())) {
                assertEquals(TapDevice.TUN_F_CSUM | TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6, tap.tunOffloads());
                assertTrue((tap.queue(0).features() & NicFeatures.LRO) != 0, "super-frames go to the stack whole");
                assertTrue(ns.execOrThrow("ethtool", "-k", "jg0").contains("tcp-segmentation-offload: on"));
            }
            try (TapDevice tap = TapDevice.open(TapConfig.builder().name("jn0").txChecksum(false)
                    .rxChecksum(false).scatterGather(false).netns(ns.name()).build())) {
                assertEquals(0, tap.tunOffloads());
                assertEquals(0, tap.queue(0).features());
                assertTrue(ns.execOrThrow("ethtool", "-k", "jn0").contains("tx-checksumming: off"));
            }
        }
    }

    @Test
    void shouldFailCleanlyOnANameTakenByAnotherKindOfDevice() throws Exception {
        KernelPeer.assumeAvailable();
        try (NetNs ns = NetNs.create("jiip")) {
            ns.execOrThrow("ip", "link", "add", "jd0", "type", "veth", "peer", "name", "jd1");
            int fdsBefore = new File("/proc/self/fd").list().length;
            NativeException e = assertThrows(NativeException.class,
                    () -> TapDevice.open(TapConfig.builder().name("jd0").netns(ns.name()).build()));
            assertTrue(e.getMessage().startsWith("ioctl(TUNSETIFF, jd0) failed"), e.getMessage());
            assertEquals(22, e.errno()); // EINVAL: not a tun/tap device
            int fdsAfter = new File("/proc/self/fd").list().length;
            assertTrue(fdsAfter <= fdsBefore, "the fd is closed again: " + fdsBefore + " -> " + fdsAfter);
        }
    }
}
