package io.jiip.api;

import static io.jiip.testkit.TcpFixtures.A;
import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.link.PcapWriter;
import io.jiip.testkit.Pcap;
import io.jiip.testkit.TestNet;
import io.jiip.testkit.WireCheck;
import io.jiip.wire.Bytes;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * UDP between two stacks under every combination of scatter-gather, TX checksum offload and RX checksum offload on
 * each side: datagrams arrive byte-exact, nothing leaks, and the wire never carries a wrong checksum.
 */
class OffloadTest {
    private static final int PORT = 4000;
    private static final int MAX_PAYLOAD = 1500 - 20 - 8;
    private static final int UDP_HEADERS = EthernetHeader.LENGTH + 20 + 8;

    private static final int SG = NicFeatures.TX_SCATTER_GATHER;
    private static final int TX = NicFeatures.UDP_TX_CSUM | NicFeatures.IPV4_TX_CSUM;
    private static final int RX = NicFeatures.IPV4_RX_CSUM | NicFeatures.UDP_RX_CSUM;

    /** Single-packet payload sizes. */
    private static final int[] SIZES = {0, 1, 2, 7, 255, 1024, 1471, MAX_PAYLOAD};
    /** Chained payloads: the length of each piece. */
    private static final int[][] CHAINS = {
        {1, 3, 5}, {0, 7}, {7, 0, 1}, {1, 1, 1, 1, 1}, {2, 3}, {3, 2}, {1, 1470, 1}, {999, 473}, {1471, 1},
        {0}, {0, 0}, {5, 1, 9, 1, 13}, {733, 1, 737, 1}};

    static Stream<Arguments> combinations() {
        List<Arguments> list = new ArrayList<>();
        int[] one = new int[8];
        for (int i = 0; i < 8; i++) {
            one[i] = ((i & 1) != 0 ? SG : 0) | ((i & 2) != 0 ? TX : 0) | ((i & 4) != 0 ? RX : 0);
        }
        for (int a : one) {
            for (int b : one) {
                list.add(Arguments.of(a, b));
            }
        }
        return list.stream();
    }

    static String describe(int f) {
        return ((f & SG) != 0 ? "SG " : "") + ((f & TX) != 0 ? "TXCSUM " : "") + ((f & RX) != 0 ? "RXCSUM" : "");
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed * 131 + i * 7 + (i >> 8));
        }
        return b;
    }

    private static Packet packet(PacketPool pool, byte[] data, int from, int len) {
        Packet p = pool.alloc(len);
        p.buffer().put(p.offset(), data, from, len);
        pool.length(p, len);
        return p;
    }

    /** A payload made of pieces of the given lengths, each its own packet. */
    private static Packet chain(PacketPool pool, byte[] data, int[] pieces) {
        Packet head = null;
        int at = 0;
        for (int len : pieces) {
            Packet p = packet(pool, data, at, len);
            at += len;
            if (head == null) {
                head = p;
            } else {
                pool.chainAppend(head, p);
            }
        }
        return head;
    }

    private static List<byte[]> sink(TestNet.Node node) {
        List<byte[]> got = new ArrayList<>();
        assertEquals(Result.OK, node.stack.udpBind(PORT, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] b = new byte[len];
            packet.buffer().get(off, b);
            got.add(b);
        }));
        return got;
    }

    @ParameterizedTest(name = "A[{0}] B[{1}]")
    @MethodSource("combinations")
    void shouldExchangeByteExactDatagramsWithCorrectWireChecksums(int featuresA, int featuresB, @TempDir Path dir)
            throws Exception {
        String what = "A[" + describe(featuresA) + "] B[" + describe(featuresB) + "]";
        TestNet net = TestNet.twoNodes(b -> { }, 0);
        net.a().port.features(featuresA);
        net.b().port.features(featuresB);
        Path file = dir.resolve("offload.pcap");
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        net.link.capture(writer);
        // What the senders hand to their NIC, before the NIC completes anything.
        List<int[]> udpHeads = new ArrayList<>();
        net.link.hook((from, buf, off, len) -> {
            if (EthernetHeader.etherType(buf, off) == EthernetHeader.TYPE_IPV4
                    && Ipv4Header.protocol(buf, off + 14) == Ipv4Header.PROTO_UDP) {
                udpHeads.add(new int[] {from, len, Bytes.u16(buf, off + 14 + Ipv4Header.Offset.CHECKSUM)});
            }
            return FrameHook.PASS;
        });
        List<byte[]> atA = sink(net.a());
        List<byte[]> atB = sink(net.b());
        List<byte[]> expectA = new ArrayList<>();
        List<byte[]> expectB = new ArrayList<>();

        int seed = 0;
        for (int size : SIZES) {
            for (TestNet.Node from : net.nodes) {
                byte[] data = pattern(size, ++seed);
                int dst = from == net.a() ? B : A;
                assertEquals(Result.OK, from.stack.udpSend(packet(from.pool, data, 0, size), PORT + 1, dst, PORT),
                        what + " size " + size);
                (from == net.a() ? expectB : expectA).add(data);
                net.pump();
            }
        }
        for (int[] pieces : CHAINS) {
            int total = 0;
            for (int len : pieces) {
                total += len;
            }
            for (TestNet.Node from : net.nodes) {
                byte[] data = pattern(total, ++seed);
                int dst = from == net.a() ? B : A;
                assertEquals(Result.OK, from.stack.udpSend(chain(from.pool, data, pieces), PORT + 1, dst, PORT),
                        what + " chain " + Arrays.toString(pieces));
                (from == net.a() ? expectB : expectA).add(data);
            }
            net.pump();
        }
        writer.close();

        assertDelivered(what + " at B", expectB, atB);
        assertDelivered(what + " at A", expectA, atA);
        for (TestNet.Node n : net.nodes) {
            assertEquals(0, n.stack.stats().totalDrops(), what + " drops: " + n.stack.stats());
            assertEquals(0, n.port.rxNoBuffer() + n.port.rxOverflow(), what);
        }
        net.assertNoLeaks();

        // The senders really used the offloads they were offered.
        int udpFrames = SIZES.length * 2 + CHAINS.length * 2;
        assertEquals(udpFrames, udpHeads.size(), what);
        for (int[] h : udpHeads) {
            int f = h[0] == 0 ? featuresA : featuresB;
            if ((f & SG) != 0) {
                assertEquals(UDP_HEADERS, h[1], what + ": headers sent in their own packet");
            }
            if ((f & TX) != 0) {
                assertEquals(0, h[2], what + ": IPv4 checksum left to the NIC");
            }
        }

        // The wire never carried a wrong checksum.
        Pcap pcap = Pcap.read(file);
        assertEquals(writer.frames(), pcap.records.size());
        assertEquals(net.link.frames(), pcap.records.size(), what);
        int udpSeen = 0;
        for (int i = 0; i < pcap.records.size(); i++) {
            byte[] frame = pcap.records.get(i).data;
            assertEquals(List.of(), WireCheck.checksumErrors(frame, EthernetHeader.LENGTH), what + " frame " + (i + 1));
            if (EthernetHeader.etherType(ByteBuffer.wrap(frame), 0) == EthernetHeader.TYPE_IPV4) {
                udpSeen++;
            }
        }
        assertEquals(udpFrames, udpSeen, what);
    }

    private static void assertDelivered(String what, List<byte[]> expected, List<byte[]> got) {
        assertEquals(expected.size(), got.size(), what + ": datagrams");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), what + ": datagram " + i);
        }
    }

    @ParameterizedTest(name = "receiver [{0}]")
    @MethodSource("receivers")
    void shouldNeverDeliverACorruptedDatagram(int receiverFeatures) {
        TestNet net = TestNet.twoNodes(b -> { }, 0);
        net.b().port.features(receiverFeatures);
        List<byte[]> atB = sink(net.b());
        assertEquals(Result.OK, net.a().stack.arpRequest(B));
        net.pump();
        // Flip one payload bit of every UDP frame on the wire, after the NIC completed the checksum.
        net.link.hook(new FrameHook() {
            @Override
            public int onFrame(int from, ByteBuffer buf, int off, int len) {
                return EthernetHeader.etherType(buf, off) == EthernetHeader.TYPE_IPV4 ? CORRUPT : PASS;
            }

            @Override
            public int corruptBit(int len) {
                return (len - 1) * 8 + 2;
            }
        });
        net.a().port.features(SG | TX);
        for (int size : new int[] {1, 2, 100, MAX_PAYLOAD}) {
            assertEquals(Result.OK, net.a().stack.udpSend(packet(net.a().pool, pattern(size, size), 0, size),
                    PORT + 1, B, PORT));
            net.pump();
        }
        assertEquals(List.of(), atB);
        assertEquals(4, net.b().stack.stats().get(Counter.DROP_UDP_BAD_CHECKSUM));
        net.assertNoLeaks();
    }

    static Stream<Arguments> receivers() {
        return Stream.of(Arguments.of(0), Arguments.of(RX), Arguments.of(NicFeatures.UDP_RX_CSUM),
                Arguments.of(NicFeatures.ALL_CSUM | SG));
    }

    static Stream<Arguments> poolLayouts() {
        List<Arguments> list = new ArrayList<>();
        for (boolean direct : new boolean[] {false, true}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                for (boolean shared : new boolean[] {true, false}) {
                    for (int headroom : new int[] {0, 3}) {
                        list.add(Arguments.of(direct, order, shared, headroom));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "direct={0} {1} shared={2} headroom={3}")
    @MethodSource("poolLayouts")
    void shouldExchangeWhateverThePoolLayout(boolean direct, ByteOrder order, boolean shared, int headroom) {
        TestNet net = new TestNet();
        for (String[] node : new String[][] {{TestNet.A_MAC, TestNet.A_IP}, {TestNet.B_MAC, TestNet.B_IP}}) {
            PacketPool pool = PacketPool.builder().packets(256).small(128, 2048).large(4, 65536 + 256).direct(direct)
                    .order(order).sharedBuffer(shared).headroom(headroom).build();
            net.add(TestNet.config(node[0], node[1], b -> { }), pool, 0);
        }
        net.a().port.features(SG | NicFeatures.ALL_CSUM);
        List<byte[]> atA = sink(net.a());
        List<byte[]> atB = sink(net.b());
        List<byte[]> sent = new ArrayList<>();
        int seed = 0;
        for (int size : SIZES) {
            byte[] data = pattern(size, ++seed);
            sent.add(data);
            assertEquals(Result.OK, net.a().stack.udpSend(packet(net.a().pool, data, 0, size), PORT + 1, B, PORT));
            assertEquals(Result.OK, net.b().stack.udpSend(packet(net.b().pool, data, 0, size), PORT + 1, A, PORT));
            net.pump();
        }
        for (int[] pieces : CHAINS) {
            int total = Arrays.stream(pieces).sum();
            byte[] data = pattern(total, ++seed);
            sent.add(data);
            assertEquals(Result.OK, net.a().stack.udpSend(chain(net.a().pool, data, pieces), PORT + 1, B, PORT));
            assertEquals(Result.OK, net.b().stack.udpSend(chain(net.b().pool, data, pieces), PORT + 1, A, PORT));
            net.pump();
        }
        byte[] ping = pattern(1472, 99);
        assertEquals(Result.OK, net.b().stack.icmpEchoRequest(A, Stack.RESOLVE, 1, 2, ByteBuffer.wrap(ping), 0,
                ping.length));
        net.pump();
        assertArrayEquals(ping, net.b().events.echoData.get(0));
        assertDelivered("at B", sent, atB);
        assertDelivered("at A", sent, atA);
        assertEquals(0, net.a().stack.stats().totalDrops());
        assertEquals(0, net.b().stack.stats().totalDrops());
        net.assertNoLeaks();
    }

    @Test
    void shouldExchangeWithTrustedChecksumsWhenBothSidesOffload(@TempDir Path dir) throws Exception {
        TestNet net = TestNet.twoNodes(b -> { }, SG | NicFeatures.ALL_CSUM);
        net.link.trustChecksums(true);
        Path file = dir.resolve("trusted.pcap");
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        net.link.capture(writer);
        List<byte[]> atB = sink(net.b());
        for (int size : SIZES) {
            assertEquals(Result.OK, net.a().stack.udpSend(packet(net.a().pool, pattern(size, size), 0, size),
                    PORT + 1, B, PORT));
            net.pump();
        }
        writer.close();
        assertEquals(SIZES.length, atB.size());
        for (int i = 0; i < SIZES.length; i++) {
            assertArrayEquals(pattern(SIZES[i], SIZES[i]), atB.get(i));
        }
        assertEquals(0, net.b().stack.stats().totalDrops());
        net.assertNoLeaks();
        // The wire carries what the stack wrote: IPv4 checksum zero, UDP checksum the pseudo-header sum.
        Pcap pcap = Pcap.read(file);
        long partial = pcap.records.stream()
                .filter(r -> !WireCheck.checksumErrors(r.data, EthernetHeader.LENGTH).isEmpty()).count();
        assertEquals(SIZES.length, partial);
    }

    @Test
    void shouldRefuseADatagramLargerThanThePathMtuAndLeaveThePayloadToTheCaller() {
        for (int features : new int[] {0, SG, SG | TX, TX}) {
            TestNet net = TestNet.twoNodes(b -> { }, features);
            List<byte[]> atB = sink(net.b());
            PacketPool pool = net.a().pool;

            Packet big = packet(pool, pattern(MAX_PAYLOAD + 1, 1), 0, MAX_PAYLOAD + 1);
            assertEquals(Result.TOO_BIG, net.a().stack.udpSend(big, PORT + 1, B, PORT));
            byte[] data = pattern(MAX_PAYLOAD + 1, 2);
            Packet bigChain = chain(pool, data, new int[] {1000, MAX_PAYLOAD + 1 - 1000});
            assertEquals(Result.TOO_BIG, net.a().stack.udpSend(bigChain, PORT + 1, B, PORT));
            net.pump();
            assertEquals(0, net.link.frames(), "nothing sent, not even an ARP request");
            assertEquals(3, pool.inUse(), "the caller still owns its packets");
            // Still ours: we may trim and send it.
            pool.trimTail(big, 1);
            assertEquals(Result.OK, net.a().stack.udpSend(big, PORT + 1, B, PORT));
            pool.free(bigChain); // must not throw: the stack did not free it
            net.pump();
            assertEquals(1, atB.size());
            assertEquals(MAX_PAYLOAD, atB.get(0).length);
            net.assertNoLeaks();
        }
    }

    @Test
    void shouldRefuseAgainstASmallerConfiguredMtu() {
        TestNet net = TestNet.twoNodes(b -> b.mtu(576), SG);
        List<byte[]> atB = sink(net.b());
        PacketPool pool = net.a().pool;
        Packet p = packet(pool, pattern(549, 1), 0, 549);
        assertEquals(576, net.a().stack.pathMtu(B));
        assertEquals(Result.TOO_BIG, net.a().stack.udpSend(p, PORT + 1, B, PORT));
        pool.trimTail(p, 1);
        assertEquals(Result.OK, net.a().stack.udpSend(p, PORT + 1, B, PORT));
        net.pump();
        assertEquals(548, atB.get(0).length);
        net.assertNoLeaks();
    }
}
