package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.NicFeatures;
import io.jiip.api.RxChecksum;
import io.jiip.link.NicEmulation;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import io.jiip.sim.app.UdpSender;
import io.jiip.sim.app.UdpSink;
import io.jiip.wire.EthernetHeader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The learning switch, and the NIC emulation (offloaded checksums completed on the wire). */
class SwitchAndNicTest {

    @Test
    void shouldFloodThenLearnAndForwardUnicast(@TempDir Path dir) throws Exception {
        Simulation sim = new Simulation(3);
        Switch sw = sim.newSwitch("sw");
        Node[] n = new Node[4];
        for (int i = 0; i < n.length; i++) {
            n[i] = sim.node("n" + i).build();
            sim.link(n[i], sw).bandwidth(Units.mbps(100)).delay(Units.us(50)).build();
        }
        UdpSink sink = n[2].add(new UdpSink(9000, 200, 50));
        n[0].add(new UdpSender(n[2], 9000, 50, 200, Units.ms(1)));
        n[3].capture(dir.resolve("bystander.pcap"));
        sim.run();
        assertEquals(50, sink.distinct());
        assertTrue(Invariants.check(sim, true).isEmpty());
        // The bystander sees the ARP broadcast, and nothing of the unicast stream once the switch has learnt.
        PcapFile seen = PcapFile.read(dir.resolve("bystander.pcap"));
        for (byte[] f : seen.frames) {
            long dst = EthernetHeader.dst(ByteBuffer.wrap(f), 0);
            assertTrue(dst == EthernetHeader.BROADCAST, "bystander got a unicast frame");
        }
        assertTrue(sw.forwarded() >= 50 && sw.flooded() >= 1);
    }

    @Test
    void shouldCompleteOffloadedChecksumsOnTheWire(@TempDir Path dir) throws Exception {
        int tso = NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER | NicFeatures.TCP_TSO | NicFeatures.UDP_GSO;
        for (int features : new int[] {0, NicFeatures.ALL_CSUM, NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER,
            tso, tso | NicFeatures.LRO}) {
            Simulation sim = new Simulation(5);
            Node a = sim.node("a").nicFeatures(features).build();
            Node b = sim.node("b").nicFeatures(features).rxCoalesceNanos(Units.us(50)).build();
            Link l = sim.link(a, b).bandwidth(Units.mbps(100)).delay(Units.us(100)).build();
            TcpScript s = TcpScript.halfClose(300_000, 50_000).chunks(1000, 2000);
            TcpServerApp srv = b.add(new TcpServerApp(80, s));
            a.add(new TcpClientApp(b, 80, s).pairWith(srv));
            b.add(new UdpSink(9, 333, 20));
            a.add(new UdpSender(b, 9, 20, 333, Units.ms(1)));
            Path pcap = dir.resolve("wire-" + features + ".pcap");
            l.capture(pcap);
            sim.run();
            assertEquals(List.of(), Invariants.check(sim, true));
            sim.closeOutputs();
            int ip = 0;
            for (byte[] f : PcapFile.read(pcap).frames) {
                ByteBuffer buf = ByteBuffer.wrap(f);
                if (buf.getShort(12) != 0x0800) {
                    continue;
                }
                ip++;
                assertTrue(f.length <= 1514, "a wire frame is at most the MTU: " + f.length);
                int v = NicEmulation.verifyRx(buf, 0, f.length, EthernetHeader.LENGTH);
                assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, v,
                        "checksums on the wire, features " + features);
            }
            assertTrue(ip > 50);
            if ((features & NicFeatures.LRO) != 0) {
                assertTrue(b.nic().coalesced() > 0, "LRO merged received segments");
            }
        }
    }

    @Test
    void shouldRefuseOffloadsItCannotEmulate() {
        Simulation sim = new Simulation(1);
        try {
            sim.node("a").nicFeatures(1 << 20).build();
            throw new AssertionError("an unknown feature was accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("cannot emulate"));
        }
    }
}
