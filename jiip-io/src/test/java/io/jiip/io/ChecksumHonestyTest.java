package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.io.app.EchoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checksum honesty: traffic between jiip and a second namespace is routed by the first namespace's kernel over a
 * veth whose forwarding end has {@code ethtool -K ... tx off tso off gso off}, so nothing on the path fixes up or
 * skips a checksum: the peer verifies every one in software. With jiip's offloads off, jiip computes and verifies
 * every checksum itself; with them on, the kernel must complete jiip's partial checksums while forwarding. Either
 * way the peer's {@code /proc/net/snmp} must count zero checksum errors, and jiip must drop nothing as corrupt.
 *
 * <pre>
 *   jiip 10.77.0.2 --TAP-- 10.77.0.1 [ns A, forwarding] 10.77.1.1 --veth (tx off)-- 10.77.1.2 [ns B]
 * </pre>
 */
class ChecksumHonestyTest {
    static final String PEER_IP = "10.77.1.2";

    @ParameterizedTest(name = "jiip offloads {0}")
    @ValueSource(strings = {"off", "on"})
    void forwardedTrafficHasNoChecksumErrors(String offloads) throws Exception {
        boolean on = offloads.equals("on");
        KernelPeer.Options o = new KernelPeer.Options();
        o.tap.txChecksum(on).rxChecksum(on);
        o.stack = b -> b.gateway(KernelPeer.KERNEL_IP);
        try (KernelPeer peer = KernelPeer.start(o); NetNs b = NetNs.create("jiip")) {
            NetNs a = peer.ns;
            assertEquals(on ? NicFeaturesText.ALL : 0, peer.node.queue().features()
                    & NicFeaturesText.CHECKSUMS, "negotiated checksum features");
            a.execOrThrow("ip", "link", "add", "vfwd", "type", "veth", "peer", "name", "vpeer", "netns", b.name());
            a.execOrThrow("ip", "addr", "add", "10.77.1.1/24", "dev", "vfwd");
            a.execOrThrow("ip", "link", "set", "vfwd", "up");
            a.execOrThrow("ethtool", "-K", "vfwd", "tx", "off", "tso", "off", "gso", "off");
            a.execOrThrow("sysctl", "-qw", "net.ipv4.ip_forward=1");
            b.execOrThrow("ip", "addr", "add", PEER_IP + "/24", "dev", "vpeer");
            b.execOrThrow("ip", "link", "set", "vpeer", "up");
            b.execOrThrow("ip", "route", "add", "default", "via", "10.77.1.1");
            System.out.println(a.execOrThrow("ethtool", "-k", "vfwd").lines()
                    .filter(l -> l.contains("tx-checksumming") || l.contains("segmentation-offload"))
                    .reduce("", (x, y) -> x + y + "\n"));
            Map<String, Long> before = snmp(b);

            // TCP both ways, through the forwarding namespace: a KernelPeer-like view with B as the kernel.
            KernelPeer viaB = peer.withKernel(b);
            long bytes = 32L << 20;
            Transfers.curlFromJiip(viaB, KernelPeer.JIIP_IP, bytes, 60);
            Transfers.jiipFromPython(viaB, PEER_IP, bytes, 60);
            // UDP: socat in B to jiip's echo.
            assertEquals(Result.OK, (int) peer.node.call(s -> s.udpBind(7, new EchoServer())));
            Path dir = Files.createTempDirectory("jiip-csum");
            try {
                for (int size : new int[] {1, 333, 1472}) {
                    Path f = dir.resolve("d" + size);
                    Transfers.writePattern(f, size);
                    NetNs.Result r = b.exec("bash", "-c", "socat -b 65536 -t 1 - UDP4:" + KernelPeer.JIIP_IP
                            + ":7 < " + f + " | cmp - " + f);
                    assertEquals(0, r.exit(), size + " bytes: " + r.output());
                    Files.delete(f);
                }
            } finally {
                Files.deleteIfExists(dir);
            }

            Map<String, Long> after = snmp(b);
            Map<String, Long> delta = new LinkedHashMap<>();
            after.forEach((k, v) -> {
                if (k.contains("Csum") || k.contains("Err") || k.endsWith("InSegs") || k.endsWith("InDatagrams")) {
                    delta.put(k, v - before.getOrDefault(k, 0L));
                }
            });
            System.out.println("peer namespace counters (delta): " + delta);
            System.out.println(b.exec("nstat", "-asz", "TcpInCsumErrors", "UdpInCsumErrors", "IpInHdrErrors",
                    "TcpInSegs", "UdpInDatagrams").output());
            System.out.println("jiip: " + peer.node.queue().counters());
            assertEquals(0L, delta.get("Tcp.InCsumErrors"), "TCP checksum errors seen by the peer");
            assertEquals(0L, delta.get("Udp.InCsumErrors"), "UDP checksum errors seen by the peer");
            assertEquals(0L, delta.get("Ip.InHdrErrors"), "IP header errors seen by the peer");
            assertEquals(true, delta.get("Tcp.InSegs") > 20_000, "the peer did receive the traffic");
            assertEquals(0L, peer.counter(Counter.DROP_TCP_BAD_CHECKSUM));
            assertEquals(0L, peer.counter(Counter.DROP_UDP_BAD_CHECKSUM));
            assertEquals(0L, peer.counter(Counter.DROP_IP_BAD_CHECKSUM));
        }
    }

    /** {@code /proc/net/snmp} of a namespace as {@code Section.Field -> value}. */
    static Map<String, Long> snmp(NetNs ns) throws Exception {
        String[] lines = ns.execOrThrow("cat", "/proc/net/snmp").split("\n");
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < lines.length; i += 2) {
            String[] names = lines[i].trim().split("\\s+");
            String[] values = lines[i + 1].trim().split("\\s+");
            String section = names[0].replace(":", "");
            for (int j = 1; j < names.length && j < values.length; j++) {
                m.put(section + "." + names[j], Long.parseLong(values[j]));
            }
        }
        return m;
    }

    /** Checksum feature masks. */
    static final class NicFeaturesText {
        static final int CHECKSUMS = NicFeatures.TCP_TX_CSUM | NicFeatures.UDP_TX_CSUM
                | NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM;
        static final int ALL = CHECKSUMS;
    }
}
