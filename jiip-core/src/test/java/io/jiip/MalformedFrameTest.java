package io.jiip;

import static io.jiip.api.Counter.*;
import static io.jiip.testkit.TcpFixtures.SECOND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.Stats;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.testkit.Accounting;
import io.jiip.testkit.Frames;
import io.jiip.testkit.Frames.Sum;
import io.jiip.testkit.TestNet;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.IcmpHeader;
import io.jiip.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input is dropped and counted under the right reason, never throws, never leaks, and leaves the stack working.
 * Frames go to node B from A's addresses; B's pool has one buffer per slot and frames sit at the end of their slot,
 * so any read beyond a frame throws. After every test: the receive-path counters balance on both nodes, A pings B
 * and sends it a UDP datagram, and every packet is back in its pool.
 */
class MalformedFrameTest {
    private static final int ETH = EthernetHeader.LENGTH;
    private static final int PORT = 7;
    private static final byte[] DATA = Frames.pattern(32);
    private static final long OTHER_MAC = 0x02_00_00_00_00_03L;
    private static final int PROTO_UNKNOWN = 253; // RFC 3692 experimentation

    private final TestNet net = TestNet.twoNodes(b -> { }, 0,
            () -> PacketPool.builder().sharedBuffer(false).build());
    private final TestNet.Node b = net.b();
    private final List<byte[]> delivered = new ArrayList<>();

    @BeforeEach
    void bindPort() {
        assertEquals(Result.OK, b.stack.udpBind(PORT, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] data = new byte[len];
            packet.buffer().get(off, data);
            delivered.add(data);
        }));
    }

    @AfterEach
    void stackStillWorksAndNothingLeaked() {
        net.pump();
        Accounting.assertEveryFrameAccounted(b.stack.stats());
        Accounting.assertEveryFrameAccounted(net.a().stack.stats());
        assertPingAndUdpWork();
        net.assertNoLeaks();
    }

    // ---- corpus ----

    private static Frames.Ip udp() {
        return Frames.udp(1000, PORT, DATA);
    }

    private static Frames.Ip echo() {
        return Frames.echoRequest(0x1234, 1, DATA);
    }

    /** Valid frames of every kind the stack takes in. */
    static Stream<Arguments> validFrames() {
        Frames.Ip big = Frames.udp(1000, PORT, Frames.pattern(3000)).id(77);
        return Stream.of(
                Arguments.of("ARP request", Frames.arpRequest(Frames.B_IP).build()),
                Arguments.of("ICMP echo request", echo().build()),
                Arguments.of("UDP datagram", udp().build()),
                Arguments.of("UDP datagram with IP options", udp().options(1, 7, 7, 4, 0, 0, 0, 0).build()),
                Arguments.of("first IPv4 fragment", big.fragment(0, 1480, true)),
                Arguments.of("last IPv4 fragment", big.fragment(2960, 48, false)));
    }

    static Stream<Arguments> malformed() {
        Frames.Ip tiny = Frames.udp(1000, PORT, new byte[4]);
        return Stream.of(
                drop("IPv4 version 0", udp().version(0), DROP_IP_BAD_VERSION),
                drop("IPv4 version 6", udp().version(6), DROP_IP_BAD_VERSION),
                drop("IPv4 version 15", udp().version(15), DROP_IP_BAD_VERSION),
                drop("IHL 0", udp().ihl(0), DROP_IP_BAD_HEADER_LENGTH),
                drop("IHL 4", udp().ihl(4), DROP_IP_BAD_HEADER_LENGTH),
                drop("IHL 15 beyond the frame", tiny.ihl(15), DROP_IP_TRUNCATED),
                drop("IHL 15 beyond the total length", udp().ihl(15).totalLength(40).padding(64),
                        DROP_IP_BAD_TOTAL_LENGTH),
                drop("total length 0", udp().totalLength(0), DROP_IP_BAD_TOTAL_LENGTH),
                drop("total length 19, below IHL", udp().totalLength(19), DROP_IP_BAD_TOTAL_LENGTH),
                drop("total length one beyond the frame", udp().totalLength(61), DROP_IP_BAD_TOTAL_LENGTH),
                drop("total length 65535", udp().totalLength(65535), DROP_IP_BAD_TOTAL_LENGTH),
                drop("option of length 0", udp().options(7, 0, 0, 0), DROP_IP_BAD_OPTIONS),
                drop("option of length 1", udp().options(7, 1, 0, 0), DROP_IP_BAD_OPTIONS),
                drop("option overrunning the header", udp().options(7, 8, 4, 0), DROP_IP_BAD_OPTIONS),
                drop("option type without a length byte", udp().options(1, 1, 1, 0x83), DROP_IP_BAD_OPTIONS),
                drop("valid option then an overrunning one", udp().options(1, 7, 7, 4, 0, 0, 0, 0x44, 12, 5),
                        DROP_IP_BAD_OPTIONS),
                drop("bad header checksum", udp().ipChecksum(Sum.WRONG), DROP_IP_BAD_CHECKSUM),
                drop("limited broadcast source", udp().src("255.255.255.255"), DROP_IP_BAD_SOURCE),
                drop("subnet broadcast source", udp().src("10.0.0.255"), DROP_IP_BAD_SOURCE),
                drop("multicast source", udp().src("224.0.0.1"), DROP_IP_BAD_SOURCE),
                drop("another IP address", udp().dst("10.0.0.3"), DROP_IP_NOT_FOR_US),
                drop("multicast destination", udp().dst("224.0.0.251"), DROP_IP_NOT_FOR_US),
                drop("another MAC address", udp().ethDst(OTHER_MAC), DROP_L2_NOT_FOR_US),
                drop("multicast MAC address", udp().ethDst(0x01_00_5e_00_00_01L), DROP_L2_NOT_FOR_US),
                drop("EtherType IPv6", udp().etherType(EthernetHeader.TYPE_IPV6), DROP_L2_UNKNOWN_TYPE),
                drop("EtherType 802.1Q", udp().etherType(0x8100), DROP_L2_UNKNOWN_TYPE),
                drop("EtherType 0", udp().etherType(0), DROP_L2_UNKNOWN_TYPE),
                drop("TCP header with data offset 0", Frames.ipv4(Ipv4Header.PROTO_TCP, new byte[20]),
                        DROP_TCP_TRUNCATED),
                drop("bad UDP checksum", udp().l4Checksum(Sum.WRONG), DROP_UDP_BAD_CHECKSUM),
                drop("UDP length 0", udp().udpLength(0), DROP_UDP_BAD_LENGTH),
                drop("UDP length 7", udp().udpLength(7), DROP_UDP_BAD_LENGTH),
                drop("UDP length beyond the IP payload", udp().udpLength(41), DROP_UDP_BAD_LENGTH),
                drop("UDP length reaching into Ethernet padding", udp().udpLength(41).padding(20),
                        DROP_UDP_BAD_LENGTH),
                drop("IP payload shorter than a UDP header", Frames.ipv4(Ipv4Header.PROTO_UDP, new byte[7]),
                        DROP_UDP_TRUNCATED),
                drop("UDP to an unbound port", Frames.udp(1000, 9, DATA), DROP_UDP_NO_PORT),
                drop("bad ICMP checksum", echo().l4Checksum(Sum.WRONG), DROP_ICMP_BAD_CHECKSUM),
                drop("ICMP of 0 bytes", Frames.ipv4(Ipv4Header.PROTO_ICMP, new byte[0]), DROP_ICMP_TRUNCATED),
                drop("ICMP of 4 bytes", Frames.ipv4(Ipv4Header.PROTO_ICMP, new byte[4]), DROP_ICMP_TRUNCATED),
                drop("ICMP of 7 bytes", Frames.ipv4(Ipv4Header.PROTO_ICMP, new byte[7]), DROP_ICMP_TRUNCATED),
                drop("MF fragment of 7 bytes", Frames.ipv4(Ipv4Header.PROTO_UDP, new byte[7]).fragmentFlags(0, true),
                        DROP_REASM_BAD_FRAGMENT),
                drop("fragment ending beyond 65535", udp().fragmentFlags(65528, false), DROP_REASM_TOO_BIG),
                drop("ARP hardware type 6", Frames.arpRequest(Frames.B_IP).hardwareType(6), DROP_ARP_MALFORMED),
                drop("ARP protocol IPv6", Frames.arpRequest(Frames.B_IP).protocolType(EthernetHeader.TYPE_IPV6),
                        DROP_ARP_MALFORMED),
                drop("ARP hardware length 8", Frames.arpRequest(Frames.B_IP).hardwareLength(8),
                        DROP_ARP_MALFORMED),
                drop("ARP protocol length 16", Frames.arpRequest(Frames.B_IP).protocolLength(16),
                        DROP_ARP_MALFORMED),
                drop("ARP operation 0", Frames.arpRequest(Frames.B_IP).operation(0), DROP_ARP_MALFORMED),
                drop("ARP operation 3 (RARP)", Frames.arpRequest(Frames.B_IP).operation(3), DROP_ARP_MALFORMED),
                drop("ARP request for another address", Frames.arpRequest(0x0a000003), DROP_ARP_NOT_FOR_US),
                drop("ARP to another MAC", Frames.arpRequest(Frames.B_IP).ethDst(OTHER_MAC), DROP_L2_NOT_FOR_US));
    }

    private static Arguments drop(String name, Frames.Frame<?> frame, Counter reason) {
        return Arguments.of(name, frame.build(), reason);
    }

    /** Unusual but valid datagrams for port {@value #PORT}, with the payload they must deliver. */
    static Stream<Arguments> acceptedEdgeCases() {
        return Stream.of(
                Arguments.of("UDP checksum 0: none computed (RFC 768)", udp().l4Checksum(Sum.ZERO), DATA),
                Arguments.of("Ethernet padding after the datagram", udp().padding(30), DATA),
                Arguments.of("NOP and record-route options", udp().options(1, 7, 7, 4, 0, 0, 0, 0), DATA),
                Arguments.of("40 bytes of NOP options (IHL 15)", udp().options(nops(40)), DATA),
                Arguments.of("UDP length shorter than the IP payload", udp().udpLength(8 + 16),
                        Arrays.copyOf(DATA, 16)),
                Arguments.of("empty UDP payload", Frames.udp(1000, PORT, new byte[0]), new byte[0]),
                Arguments.of("limited broadcast", udp().dst("255.255.255.255").ethDst(EthernetHeader.BROADCAST),
                        DATA),
                Arguments.of("subnet broadcast", udp().dst("10.0.0.255").ethDst(EthernetHeader.BROADCAST), DATA),
                Arguments.of("DF set, odd TOS, TTL 1", udp().flagsFragment(Ipv4Header.FLAG_DF).tos(0xff).ttl(1),
                        DATA));
    }

    private static int[] nops(int n) {
        int[] b = new int[n];
        Arrays.fill(b, 1);
        return b;
    }

    // ---- tests ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFrames")
    void shouldDropEveryTruncationOfAValidFrame(String name, byte[] frame) {
        Accounting.Snapshot s = Accounting.snapshot(b.stack.stats());
        Frames.inject(b, frame);
        assertEquals(Map.of(), s.drops(), "the whole frame is valid");
        for (int len = 0; len < frame.length; len++) {
            assertDropped(Frames.truncate(frame, len), truncationReason(frame, len));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldDropMalformedFrameUnderItsReason(String name, byte[] frame, Counter reason) {
        assertDropped(frame, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedEdgeCases")
    void shouldDeliverUnusualButValidDatagrams(String name, Frames.Ip frame, byte[] payload) {
        Accounting.Snapshot s = Accounting.snapshot(b.stack.stats());
        Frames.inject(b, frame.build());
        assertEquals(Map.of(), s.drops());
        assertEquals(1, delivered.size());
        assertArrayEquals(payload, delivered.get(0));
    }

    @Test
    void shouldAnswerUnknownProtocolWithRateLimitedProtocolUnreachable() {
        int burst = b.stack.config().icmpErrorBurst();
        for (int i = 0; i < burst + 5; i++) {
            assertDropped(Frames.ipv4(PROTO_UNKNOWN, DATA).id(i).build(), DROP_IP_UNKNOWN_PROTOCOL);
        }
        Stats stats = b.stack.stats();
        assertEquals(burst, stats.get(ICMP_UNREACHABLE_TX));
        assertEquals(5, stats.get(ICMP_ERRORS_RATE_LIMITED));

        net.pump();
        List<int[]> seen = net.a().events.unreachable;
        assertEquals(burst, seen.size());
        for (int[] u : seen) {
            assertArrayEquals(new int[] {IcmpHeader.CODE_PROTOCOL_UNREACHABLE, Frames.B_IP, PROTO_UNKNOWN},
                    Arrays.copyOf(u, 3));
        }

        net.clock.advance(SECOND / b.stack.config().icmpErrorsPerSecond()); // one token back
        assertDropped(Frames.ipv4(PROTO_UNKNOWN, DATA).build(), DROP_IP_UNKNOWN_PROTOCOL);
        assertEquals(burst + 1, stats.get(ICMP_UNREACHABLE_TX));
    }

    @Test
    void shouldNeverAnswerBroadcastsWithIcmp() {
        assertDropped(Frames.ipv4(PROTO_UNKNOWN, DATA).dst("10.0.0.255").ethDst(EthernetHeader.BROADCAST).build(),
                DROP_IP_UNKNOWN_PROTOCOL);
        assertDropped(Frames.udp(1000, 9, DATA).dst("255.255.255.255").ethDst(EthernetHeader.BROADCAST).build(),
                DROP_UDP_NO_PORT);
        Frames.inject(b, echo().dst("10.0.0.255").ethDst(EthernetHeader.BROADCAST).build());

        Stats stats = b.stack.stats();
        assertEquals(1, stats.get(ICMP_ECHO_REQUESTS_RX));
        assertEquals(0, stats.get(ICMP_ECHO_REPLIES_TX));
        assertEquals(0, stats.get(ICMP_UNREACHABLE_TX));
        assertEquals(0, stats.get(TX_FRAMES));
    }

    @Test
    void shouldAccountForEveryDropReason() {
        assertEquals(Set.of(), Accounting.unaccountedDropReasons());
    }

    @Test
    void shouldSurviveThousandsOfRandomAndMutatedFrames() {
        Random random = new Random(0x5eed_1e55L);
        List<byte[]> seeds = fuzzSeeds();
        int injected = 0;
        for (int round = 0; round < 250; round++) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                batch.add(randomFrame(random, seeds));
            }
            Frames.injectAll(b, batch);
            injected += batch.size();
            net.pump();
        }
        Stats stats = b.stack.stats();
        assertEquals(injected, stats.get(RX_FRAMES));
        // The fuzz reaches every layer, not just the Ethernet check.
        for (Counter c : List.of(ARP_REQUESTS_ANSWERED, DROP_IP_BAD_CHECKSUM, REASM_FRAGMENTS_RX, ICMP_ECHO_REPLIES_TX,
                UDP_DELIVERED, DROP_UDP_BAD_CHECKSUM, DROP_IP_UNKNOWN_PROTOCOL)) {
            assertTrue(stats.get(c) > 0, c + " never reached:\n" + stats);
        }

        net.advance(b.stack.config().reassemblyTimeoutNanos());
        assertEquals(0, b.pool.inUse(), "fragments still held after the reassembly timeout");
        assertEquals(Long.MAX_VALUE, b.nextDeadline);
    }

    // ---- helpers ----

    private void assertDropped(byte[] frame, Counter reason) {
        Accounting.Snapshot s = Accounting.snapshot(b.stack.stats());
        int deliveredBefore = delivered.size();
        Frames.inject(b, frame);
        String what = frame.length + "-byte frame " + HexFormat.of().formatHex(frame);
        assertEquals(1, s.delta(RX_FRAMES), what);
        assertEquals(Map.of(reason, 1L), s.drops(), what);
        assertEquals(deliveredBefore, delivered.size(), what);
    }

    /** Where a valid frame cut to {@code len} bytes must be dropped. */
    private static Counter truncationReason(byte[] frame, int len) {
        if (len < ETH) {
            return DROP_L2_TRUNCATED;
        }
        ByteBuffer buf = ByteBuffer.wrap(frame);
        if (EthernetHeader.etherType(buf, 0) == EthernetHeader.TYPE_ARP) {
            return DROP_ARP_MALFORMED;
        }
        return len - ETH < Ipv4Header.headerLength(buf, ETH) ? DROP_IP_TRUNCATED : DROP_IP_BAD_TOTAL_LENGTH;
    }

    private void assertPingAndUdpWork() {
        TestNet.Node a = net.a();
        int replies = a.events.echoReplies.size();
        assertEquals(Result.OK, a.stack.icmpEchoRequest(Frames.B_IP, Stack.RESOLVE, 0x4321, 9, ByteBuffer.wrap(DATA),
                0, DATA.length));
        net.pump();
        assertEquals(replies + 1, a.events.echoReplies.size(), "no echo reply from B");
        assertArrayEquals(DATA, a.events.echoData.get(replies));

        int datagrams = delivered.size();
        Packet p = a.pool.alloc(DATA.length);
        p.buffer().put(p.offset(), DATA);
        a.pool.length(p, DATA.length);
        assertEquals(Result.OK, a.stack.udpSend(p, 1000, Frames.B_IP, PORT));
        net.pump();
        assertEquals(datagrams + 1, delivered.size(), "UDP datagram from A not delivered");
        assertArrayEquals(DATA, delivered.get(datagrams));
    }

    /** Valid frames of every kind to mutate, including fragments and ICMP errors about B's own datagrams. */
    private static List<byte[]> fuzzSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        validFrames().forEach(a -> seeds.add((byte[]) a.get()[1]));
        seeds.addAll(Frames.udp(1000, PORT, Frames.pattern(1000)).id(5).fragments(256));
        seeds.addAll(Frames.echoRequest(1, 2, Frames.pattern(600)).id(6).fragments(200));
        seeds.add(Frames.arpRequest(Frames.B_IP).operation(2).build());
        seeds.add(Frames.icmp(IcmpHeader.TYPE_ECHO_REPLY, 0, 3, 4, DATA).build());
        seeds.add(Frames.ipv4(PROTO_UNKNOWN, DATA).build());
        seeds.add(Frames.udp(1000, 9, DATA).build());
        byte[] ours = Frames.udp(PORT, 1000, DATA).src(Frames.B_IP).dst(Frames.A_IP).build();
        byte[] quote = Arrays.copyOfRange(ours, ETH, ETH + Ipv4Header.MIN_LENGTH + 8);
        seeds.add(Frames.icmp(IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_PORT_UNREACHABLE, 0, 0, quote).build());
        seeds.add(Frames.icmp(IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 0, 1200, quote)
                .build());
        return seeds;
    }

    /**
     * One fuzz frame: pure garbage; garbage addressed to B with a plausible IPv4 header; or a valid frame with a few
     * bits flipped, then sometimes cut or extended and its IP checksum repaired so the damage reaches deeper layers.
     */
    private static byte[] randomFrame(Random random, List<byte[]> seeds) {
        switch (random.nextInt(4)) {
            case 0:
                return garbage(random, random.nextInt(1601));
            case 1: {
                byte[] f = garbage(random, ETH + random.nextInt(1601 - ETH));
                ByteBuffer buf = ByteBuffer.wrap(f);
                boolean ip = random.nextInt(4) != 0;
                EthernetHeader.write(buf, 0, random.nextBoolean() ? Frames.B_MAC : EthernetHeader.BROADCAST,
                        Frames.A_MAC, ip ? EthernetHeader.TYPE_IPV4 : EthernetHeader.TYPE_ARP);
                if (ip && f.length >= ETH + Ipv4Header.MIN_LENGTH) {
                    f[ETH] = (byte) (0x45 + (random.nextInt(4) == 0 ? random.nextInt(11) : 0));
                    buf.putShort(ETH + Ipv4Header.Offset.TOTAL_LENGTH, (short) (f.length - ETH - random.nextInt(3)));
                    buf.putInt(ETH + Ipv4Header.Offset.DST, Frames.B_IP);
                    Frames.fixIpChecksum(f);
                }
                return f;
            }
            default: {
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                byte[] f = seed.clone();
                for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                    int bit = random.nextInt(f.length * 8);
                    f[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                if (random.nextBoolean()) {
                    return f;
                }
                if (random.nextInt(4) == 0) {
                    f = Arrays.copyOf(f, random.nextInt(f.length + 64));
                }
                return Frames.fixIpChecksum(f);
            }
        }
    }

    private static byte[] garbage(Random random, int length) {
        byte[] f = new byte[length];
        random.nextBytes(f);
        return f;
    }
}
