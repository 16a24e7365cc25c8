package io.jiip.link;

import static io.jiip.testkit.TcpFixtures.A;
import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.LinkType;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.testkit.Pcap;
import io.jiip.testkit.TestNet;
import io.jiip.testkit.Tshark;
import io.jiip.testkit.WireCheck;
import io.jiip.wire.Bytes;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.MacAddress;
import io.jiip.wire.UdpHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Captures of real scenarios between two stacks, read back by tshark: every frame dissects without a malformed
 * packet or a checksum complaint, and the pcap header and timestamps are what tshark expects.
 */
class PcapTsharkTest {
    private static final int ECHO = 7;
    private static final int CLIENT = 40000;
    private static final int SINK = 40001;
    private static final int UNBOUND = 40002;
    /** ICMP checksums are always verified by tshark; IPv4 and UDP only when asked. */
    private static final String[] CHECKSUMS = {"-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"};

    @TempDir
    Path dir;

    private static void assumeTshark() {
        Tshark.assume();
    }

    /** Our test ports carry opaque bytes: keep heuristic dissectors (RTCP, ...) from misreading them. */
    private static List<String> tshark(Path file, String... args) throws IOException, InterruptedException {
        String[] all = new String[args.length + 2];
        all[0] = "-d";
        all[1] = "udp.port==" + SINK + "-" + UNBOUND + ",data";
        System.arraycopy(args, 0, all, 2, args.length);
        return Tshark.run(file, all);
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed + i * 13 + (i >> 7));
        }
        return b;
    }

    private static Packet payload(PacketPool pool, byte[] data) {
        Packet p = pool.alloc(data.length);
        p.buffer().put(p.offset(), data);
        pool.length(p, data.length);
        return p;
    }

    /**
     * Asserts what every capture must satisfy: tshark counts the frames we wrote, finds no malformed packet, and
     * reports no expert error or warning about a checksum; our own reader agrees on the checksums.
     *
     * @return the protocol stack of each frame, as tshark names it
     */
    private static List<String> assertCleanCapture(Path file, long framesWritten, int l2Length)
            throws IOException, InterruptedException {
        List<String> protocols = tshark(file, concat(CHECKSUMS, "-T", "fields", "-e", "frame.protocols"));
        assertEquals(framesWritten, protocols.size(), "frames tshark reads: " + protocols);
        assertTrue(protocols.stream().noneMatch(p -> p.contains("_ws.malformed")), "malformed: " + protocols);

        List<String> malformed = tshark(file, concat(CHECKSUMS, "-Y", "_ws.malformed || _ws.expert.severity >= warning",
                "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message"));
        assertEquals(List.of(), malformed, "frames with warnings or errors");

        List<String> bad = tshark(file, concat(CHECKSUMS, "-Y",
                "ip.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0",
                "-T", "fields", "-e", "frame.number"));
        assertEquals(List.of(), bad, "frames with a bad checksum");

        List<String> expert = tshark(file, concat(CHECKSUMS, "-q", "-z", "expert,warn"));
        String report = String.join("\n", expert);
        assertTrue(report.toLowerCase().indexOf("checksum") < 0, "expert info about checksums:\n" + report);
        assertTrue(expert.stream().noneMatch(l -> l.matches("^(Errors|Warns) \\(\\d+\\).*")),
                "expert errors or warnings:\n" + report);

        Pcap pcap = Pcap.read(file);
        assertEquals(framesWritten, pcap.records.size());
        for (int i = 0; i < pcap.records.size(); i++) {
            assertEquals(List.of(), WireCheck.checksumErrors(pcap.records.get(i).data, l2Length), "frame " + (i + 1));
        }
        return protocols;
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    private static long count(List<String> protocols, String suffix) {
        return protocols.stream().filter(p -> p.endsWith(suffix)).count();
    }

    // ---- scenario over Ethernet ----

    @ParameterizedTest(name = "features {0}")
    @ValueSource(ints = {0, NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER})
    void shouldCaptureAScenarioThatTsharkDissectsCleanly(int features) throws Exception {
        assumeTshark();
        Path file = dir.resolve("scenario.pcap");
        TestNet net = TestNet.twoNodes(c -> { }, features);
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        net.link.capture(writer);
        TestNet.Node a = net.a();
        TestNet.Node b = net.b();

        // B echoes (zero-copy, from inside the callback) and has a sink for the fragmented datagram.
        b.stack.udpBind(ECHO, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            Packet copy = stack.packetOps().clone(packet);
            stack.packetOps().trimHead(copy, off - copy.offset());
            stack.packetOps().length(copy, len);
            assertEquals(Result.OK, stack.udpSend(copy, dstPort, srcIp, srcPort));
        });
        List<byte[]> sunk = new ArrayList<>();
        b.stack.udpBind(SINK, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] data = new byte[len];
            packet.buffer().get(off, data);
            sunk.add(data);
        });
        List<byte[]> echoed = new ArrayList<>();
        a.stack.udpBind(CLIENT, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] data = new byte[len];
            packet.buffer().get(off, data);
            echoed.add(data);
        });

        // ARP
        assertEquals(Result.OK, a.stack.arpRequest(B));
        net.pump();
        net.clock.advance(1_000_000);

        // ping of several sizes
        int[] pings = {0, 1, 56, 1000, 1472};
        for (int i = 0; i < pings.length; i++) {
            byte[] data = pattern(pings[i], i);
            assertEquals(Result.OK, a.stack.icmpEchoRequest(B, Stack.RESOLVE, 0x4242, i, ByteBuffer.wrap(data), 0,
                    data.length));
            net.pump();
            net.clock.advance(1_000_000);
        }
        assertEquals(pings.length, a.events.echoReplies.size());

        // UDP echo of several sizes
        int[] sizes = {0, 1, 2, 17, 512, 1471, 1472};
        for (int size : sizes) {
            assertEquals(Result.OK, a.stack.udpSend(payload(a.pool, pattern(size, size)), CLIENT, B, ECHO));
            net.pump();
            net.clock.advance(1_000_000);
        }
        assertEquals(sizes.length, echoed.size());
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(pattern(sizes[i], sizes[i]), echoed.get(i));
        }

        // port unreachable
        assertEquals(Result.OK, a.stack.udpSend(payload(a.pool, pattern(30, 3)), CLIENT, B, UNBOUND));
        net.pump();
        assertEquals(1, a.events.unreachable.size());
        net.clock.advance(1_000_000);

        // an IPv4-fragmented UDP datagram built by hand, injected from A's port
        byte[] big = pattern(3000, 77);
        injectFragmented(net, 0x5151, SINK, big, 1480);
        net.pump();
        assertEquals(1, sunk.size());
        assertArrayEquals(big, sunk.get(0));
        assertEquals(1, b.stack.stats().get(Counter.REASM_OK));
        net.clock.advance(1_000_000);

        // and one to an unbound port: B answers port unreachable about the reassembled datagram
        injectFragmented(net, 0x5152, UNBOUND, pattern(2000, 78), 1480);
        net.pump();
        assertEquals(2, a.events.unreachable.size());

        writer.close();
        assertEquals(0, a.stack.stats().totalDrops());
        assertEquals(2, b.stack.stats().totalDrops(), "the two datagrams to the unbound port: " + b.stack.stats());
        net.assertNoLeaks();

        List<String> protocols = assertCleanCapture(file, writer.frames(), EthernetHeader.LENGTH);
        assertEquals(net.link.frames(), writer.frames());
        assertEquals(2, count(protocols, ":arp"), protocols.toString());
        assertEquals(2 * pings.length, count(protocols, ":icmp:data") + count(protocols, ":icmp"),
                protocols.toString());
        // (an empty echo datagram is shown as bare UDP)
        assertEquals(2 * sizes.length, protocols.stream()
                .filter(p -> p.endsWith(":ip:udp:echo") || p.endsWith("ethertype:ip:udp")).count(),
                protocols.toString());
        assertEquals(2, protocols.stream().filter(p -> p.contains(":icmp:ip:udp")).count(),
                "port unreachables quote the UDP datagram: " + protocols);
        assertEquals(3, count(protocols, "eth:ethertype:ip:data"), "first fragments: " + protocols);
        assertEquals(3, count(protocols, "eth:ethertype:ip:udp:data"),
                "the datagram to the unbound port and the two reassembled by tshark: " + protocols);

        // tshark's own reassembly matches what B delivered.
        List<String> reassembled = tshark(file, "-Y", "udp.dstport == " + SINK, "-T", "fields", "-e", "udp.length",
                "-e", "data.len");
        assertEquals(List.of((8 + 3000) + "\t3000"), reassembled);
    }

    /** Sends {@code payload} to B as a UDP datagram split into IPv4 fragments of {@code fragData} bytes. */
    private static void injectFragmented(TestNet net, int id, int dstPort, byte[] payload, int fragData) {
        int udpLen = UdpHeader.LENGTH + payload.length;
        ByteBuffer whole = ByteBuffer.allocate(udpLen);
        UdpHeader.write(whole, 0, CLIENT, dstPort, udpLen);
        whole.put(UdpHeader.LENGTH, payload);
        Bytes.u16(whole, UdpHeader.Offset.CHECKSUM, UdpHeader.checksumOf(whole, 0, udpLen, A, B));
        PacketPool pool = net.a().pool;
        for (int at = 0; at < udpLen; at += fragData) {
            int n = Math.min(fragData, udpLen - at);
            boolean more = at + n < udpLen;
            int len = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + n;
            Packet f = pool.alloc(len);
            pool.length(f, len);
            ByteBuffer buf = f.buffer();
            int o = f.offset();
            EthernetHeader.write(buf, o, MacAddress.parse(TestNet.B_MAC), MacAddress.parse(TestNet.A_MAC),
                    EthernetHeader.TYPE_IPV4);
            Ipv4Header.write(buf, o + EthernetHeader.LENGTH, Ipv4Header.MIN_LENGTH + n, id,
                    (more ? Ipv4Header.FLAG_MF : 0) | (at / 8), 64, Ipv4Header.PROTO_UDP, A, B, false);
            buf.put(o + EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH, whole, at, n);
            net.a().port.push(f);
        }
    }

    // ---- timestamps ----

    @Test
    void shouldWriteNanosecondTimestampsThatTsharkShows() throws Exception {
        assumeTshark();
        Path file = dir.resolve("nanos.pcap");
        TestNet net = TestNet.twoNodes();
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        net.link.capture(writer);
        net.clock.advanceTo(1_700_000_000_123_456_789L);
        assertEquals(Result.OK, net.a().stack.arpRequest(B));
        net.a().runOnce(); // the request leaves at ...789
        net.clock.advance(1);
        net.pump(); // the reply at ...790
        net.clock.advanceTo(1_700_000_001_000_000_007L);
        assertEquals(Result.OK, net.a().stack.icmpEchoRequest(B, Stack.RESOLVE, 1, 1, null, 0, 0));
        net.pump();
        writer.close();
        net.assertNoLeaks();

        List<String> times = tshark(file, "-T", "fields", "-e", "frame.time_epoch");
        assertEquals(List.of("1700000000.123456789", "1700000000.123456790", "1700000001.000000007",
                "1700000001.000000007"), times);
        List<String> deltas = tshark(file, "-T", "fields", "-e", "frame.time_delta");
        assertEquals("0.000000001", deltas.get(1));

        Pcap pcap = Pcap.read(file);
        assertEquals(0xa1b23c4d, pcap.magic, "the nanosecond magic");
        assertTrue(pcap.nanos);
        assertEquals(2, pcap.versionMajor);
        assertEquals(4, pcap.versionMinor);
        assertEquals(65535, pcap.snapLength);
        assertEquals(1, pcap.linkType);
        assertEquals(1_700_000_000L, pcap.records.get(0).seconds);
        assertEquals(123_456_789L, pcap.records.get(0).fraction);
        assertEquals(7L, pcap.records.get(3).fraction);
        assertCleanCapture(file, writer.frames(), EthernetHeader.LENGTH);
    }

    @Test
    void shouldTruncateToTheSnapLengthButRecordTheOriginalLength() throws Exception {
        Path file = dir.resolve("snap.pcap");
        TestNet net = TestNet.twoNodes();
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET, 64);
        net.link.capture(writer);
        byte[] data = pattern(1000, 1);
        assertEquals(Result.OK, net.a().stack.icmpEchoRequest(B, Stack.RESOLVE, 1, 1, ByteBuffer.wrap(data), 0, 1000));
        net.pump();
        writer.close();
        net.assertNoLeaks();
        Pcap pcap = Pcap.read(file);
        assertEquals(64, pcap.snapLength);
        assertEquals(4, pcap.records.size());
        for (Pcap.Record r : pcap.records.subList(2, 4)) {
            assertEquals(64, r.data.length);
            assertEquals(14 + 20 + 8 + 1000, r.originalLength);
        }
        assertEquals(60, pcap.records.get(0).data.length, "ARP frames are padded to the Ethernet minimum");
        if (Tshark.available()) {
            List<String> lens = tshark(file, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len");
            assertEquals(List.of("60\t60", "60\t60", "1042\t64", "1042\t64"), lens);
        }
    }

    @Test
    void shouldFlushLargeCapturesCompletely() throws Exception {
        Path file = dir.resolve("many.pcap");
        TestNet net = TestNet.twoNodes();
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        net.link.capture(writer);
        List<Integer> got = new ArrayList<>();
        net.b().stack.udpBind(SINK, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> got.add(len));
        for (int i = 0; i < 500; i++) {
            assertEquals(Result.OK, net.a().stack.udpSend(payload(net.a().pool, pattern(1472 - i, i)), CLIENT, B,
                    SINK));
            net.pump();
        }
        writer.flush();
        long expectedBytes = 24 + 2 * (16 + 60) + 500L * 16 + 500L * (14 + 28) + (1472L + 973) * 500 / 2;
        assertEquals(expectedBytes, Files.size(file), "flush writes every buffered record");
        writer.close();
        assertEquals(502, writer.frames());
        assertEquals(500, got.size());
        Pcap pcap = Pcap.read(file);
        assertEquals(502, pcap.records.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(14 + 28 + 1472 - i, pcap.records.get(i + 2).data.length);
        }
        net.assertNoLeaks();
        if (Tshark.available()) {
            assertCleanCapture(file, 502, EthernetHeader.LENGTH);
        }
    }

    @Test
    void shouldWriteAChainAsOneRecordUpToTheSnapLength() throws Exception {
        Path file = dir.resolve("chain.pcap");
        PacketPool pool = PacketPool.standard();
        byte[] data = pattern(90, 5);
        Packet head = null;
        int at = 0;
        for (int len : new int[] {10, 0, 50, 30}) {
            Packet p = pool.alloc(len);
            p.buffer().put(p.offset(), data, at, len);
            pool.length(p, len);
            at += len;
            if (head == null) {
                head = p;
            } else {
                pool.chainAppend(head, p);
            }
        }
        try (PcapWriter full = PcapWriter.create(file, LinkType.IP)) {
            full.write(7_000_000_003L, pool, head);
            full.write(7_000_000_004L, head.buffer(), head.offset(), head.length());
            assertEquals(2, full.frames());
        }
        Pcap pcap = Pcap.read(file);
        assertEquals(101, pcap.linkType);
        assertArrayEquals(data, pcap.records.get(0).data);
        assertEquals(90, pcap.records.get(0).originalLength);
        assertEquals(7, pcap.records.get(0).seconds);
        assertEquals(3, pcap.records.get(0).fraction);
        assertArrayEquals(Arrays.copyOf(data, 10), pcap.records.get(1).data);

        Path snapped = dir.resolve("chain64.pcap");
        try (PcapWriter cut = PcapWriter.create(snapped, LinkType.ETHERNET, 64)) {
            cut.write(1, pool, head);
        }
        pcap = Pcap.read(snapped);
        assertEquals(1, pcap.records.size());
        assertArrayEquals(Arrays.copyOf(data, 64), pcap.records.get(0).data);
        assertEquals(90, pcap.records.get(0).originalLength);
        pool.free(head);
        assertEquals(0, pool.inUse());
    }

    // ---- raw IP through CapturingNic ----

    @Test
    void shouldCaptureRawIpThroughCapturingNic() throws Exception {
        Path file = dir.resolve("raw.pcap");
        ManualClock clock = new ManualClock(1_600_000_000_000_000_001L);
        MemoryLink link = new MemoryLink(clock, LinkType.IP);
        PacketPool poolA = PacketPool.standard();
        PacketPool poolB = PacketPool.standard();
        // A sends scatter-gather chains: the capturing NIC records each chain as one frame.
        MemoryLink.Port portA = link.attach(poolA, NicFeatures.TX_SCATTER_GATHER, 64);
        MemoryLink.Port portB = link.attach(poolB);
        PcapWriter writer = PcapWriter.create(file, LinkType.IP);
        CapturingNic<Packet> nicA = new CapturingNic<>(portA, poolA, clock, writer);
        StackConfig configA = StackConfig.builder().linkType(LinkType.IP).ipv4(TestNet.A_IP, 24).build();
        StackConfig configB = StackConfig.builder().linkType(LinkType.IP).ipv4(TestNet.B_IP, 24).build();
        TestNet.RecordingEvents eventsA = new TestNet.RecordingEvents();
        Stack<Packet> a = new Stack<>(configA, poolA, nicA, clock, eventsA);
        Stack<Packet> b = new Stack<>(configB, poolB, portB, clock, null);
        b.udpBind(ECHO, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            Packet copy = stack.packetOps().clone(packet);
            stack.packetOps().trimHead(copy, off - copy.offset());
            stack.packetOps().length(copy, len);
            assertEquals(Result.OK, stack.udpSend(copy, dstPort, srcIp, srcPort));
        });
        List<byte[]> echoed = new ArrayList<>();
        a.udpBind(CLIENT, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] data = new byte[len];
            packet.buffer().get(off, data);
            echoed.add(data);
        });
        Packet[] rx = new Packet[64];
        Runnable pump = () -> {
            for (int round = 0; round < 100; round++) {
                int n = portA.poll(rx, rx.length);
                nicA.captureRx(rx, n);
                a.run(rx, n);
                int m = portB.poll(rx, rx.length);
                b.run(rx, m);
                if (n + m == 0) {
                    return;
                }
            }
        };

        byte[] ping = pattern(56, 1);
        assertEquals(Result.OK, a.icmpEchoRequest(B, Stack.RESOLVE, 9, 1, ByteBuffer.wrap(ping), 0, ping.length));
        pump.run();
        clock.advance(1000);
        for (int size : new int[] {0, 5, 1472}) {
            assertEquals(Result.OK, a.udpSend(payload(poolA, pattern(size, 2)), CLIENT, B, ECHO));
            pump.run();
            clock.advance(1000);
        }
        assertEquals(Result.OK, a.udpSend(payload(poolA, pattern(9, 3)), CLIENT, B, UNBOUND));
        pump.run();
        writer.close();

        assertEquals(1, eventsA.echoReplies.size());
        assertEquals(3, echoed.size());
        assertEquals(1, eventsA.unreachable.size());
        a.close();
        b.close();
        assertEquals(0, poolA.inUse());
        assertEquals(0, poolB.inUse());
        assertEquals(0, poolA.buffersInUse());
        assertEquals(0, poolB.buffersInUse());

        // Both directions as seen by A: 1 + 3 + 1 sent, 1 + 3 + 1 received.
        assertEquals(10, writer.frames());
        Pcap pcap = Pcap.read(file);
        assertEquals(101, pcap.linkType, "LINKTYPE_RAW");
        assertEquals(10, pcap.records.size());
        assertEquals(0x45, pcap.records.get(0).data[0] & 0xff, "frames start with the IPv4 header");
        assertEquals(1_600_000_000L, pcap.records.get(0).seconds);
        assertEquals(1L, pcap.records.get(0).fraction);

        assumeTshark();
        List<String> protocols = assertCleanCapture(file, 10, 0);
        for (String p : protocols) {
            assertTrue(p.startsWith("raw:ip:"), p);
        }
        assertEquals(2, count(protocols, "raw:ip:icmp:data"), protocols.toString());
        assertEquals(7, protocols.stream().filter(p -> p.startsWith("raw:ip:udp")).count(), protocols.toString());
        assertEquals(1, protocols.stream().filter(p -> p.startsWith("raw:ip:icmp:ip:udp")).count(),
                protocols.toString());
        List<String> times = tshark(file, "-T", "fields", "-e", "frame.time_epoch");
        assertEquals("1600000000.000000001", times.get(0));
        String directions = tshark(file, "-T", "fields", "-E", "occurrence=f", "-e", "ip.src").stream()
                .collect(Collectors.joining(","));
        assertEquals("10.0.0.1,10.0.0.2,10.0.0.1,10.0.0.2,10.0.0.1,10.0.0.2,10.0.0.1,10.0.0.2,10.0.0.1,10.0.0.2",
                directions);
    }
}
