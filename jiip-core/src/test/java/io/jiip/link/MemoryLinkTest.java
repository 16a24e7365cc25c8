package io.jiip.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.LinkType;
import io.jiip.api.NicFeatures;
import io.jiip.api.Offload;
import io.jiip.api.RxChecksum;
import io.jiip.testkit.Pcap;
import io.jiip.testkit.WireCheck;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryLinkTest {
    private static final int SRC_IP = Ipv4Address.parse("10.0.0.1");
    private static final int DST_IP = Ipv4Address.parse("10.0.0.2");
    private static final long SRC_MAC = 0x020000000001L;
    private static final long DST_MAC = 0x020000000002L;
    private static final int RX_CSUM = NicFeatures.IPV4_RX_CSUM | NicFeatures.UDP_RX_CSUM;
    private static final int L3 = EthernetHeader.LENGTH;
    private static final int L4 = L3 + Ipv4Header.MIN_LENGTH;

    private final ManualClock clock = new ManualClock(5_000_000_000L);

    // ---- helpers ----

    private static Packet bytes(PacketPool pool, byte[] data) {
        Packet p = pool.alloc(data.length);
        p.buffer().put(p.offset(), data);
        pool.length(p, data.length);
        return p;
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + 1);
        }
        return b;
    }

    private static byte[] content(Packet p) {
        byte[] b = new byte[p.length()];
        p.buffer().get(p.offset(), b);
        return b;
    }

    private static Packet poll1(MemoryLink.Port port) {
        Packet[] out = new Packet[1];
        return port.poll(out, 1) == 1 ? out[0] : null;
    }

    private static List<Packet> pollAll(MemoryLink.Port port) {
        Packet[] out = new Packet[64];
        List<Packet> list = new ArrayList<>();
        int n;
        while ((n = port.poll(out, out.length)) > 0) {
            for (int i = 0; i < n; i++) {
                list.add(out[i]);
            }
        }
        return list;
    }

    /**
     * An Ethernet/IPv4/UDP frame with complete checksums, or with the checksums left as the stack leaves them for
     * offload (IPv4 zero, UDP holding the folded pseudo-header sum) and marked for the NIC.
     */
    private static Packet udpFrame(PacketPool pool, byte[] payload, boolean offload) {
        int udpLen = UdpHeader.LENGTH + payload.length;
        int total = L4 + udpLen;
        Packet p = pool.alloc(total);
        pool.length(p, total);
        ByteBuffer b = p.buffer();
        int o = p.offset();
        EthernetHeader.write(b, o, DST_MAC, SRC_MAC, EthernetHeader.TYPE_IPV4);
        Ipv4Header.write(b, o + L3, Ipv4Header.MIN_LENGTH + udpLen, 77, Ipv4Header.FLAG_DF, 64,
                Ipv4Header.PROTO_UDP, SRC_IP, DST_IP, offload);
        UdpHeader.write(b, o + L4, 1234, 5678, udpLen);
        b.put(o + L4 + UdpHeader.LENGTH, payload);
        long pseudo = Checksum.pseudoHeader(SRC_IP, DST_IP, Ipv4Header.PROTO_UDP, udpLen);
        if (offload) {
            Bytes.u16(b, o + L4 + UdpHeader.Offset.CHECKSUM, Checksum.fold(pseudo));
            p.txOffload(Offload.IPV4_CSUM | Offload.UDP_CSUM, L3, L4, 0);
        } else {
            Bytes.u16(b, o + L4 + UdpHeader.Offset.CHECKSUM, UdpHeader.checksumOf(b, o + L4, udpLen, SRC_IP, DST_IP));
        }
        return p;
    }

    /** Verifies the IPv4 and UDP checksums of a received frame with {@link Checksum}. */
    private static void assertChecksumsCorrect(Packet p) {
        ByteBuffer b = p.buffer();
        int ip = p.offset() + L3;
        assertTrue(Checksum.verify(b, ip, Ipv4Header.MIN_LENGTH), "IPv4 header checksum");
        int udp = ip + Ipv4Header.MIN_LENGTH;
        int udpLen = Bytes.u16(b, udp + UdpHeader.Offset.LENGTH);
        assertNotEquals(0, Bytes.u16(b, udp + UdpHeader.Offset.CHECKSUM), "a computed UDP checksum is never sent as 0");
        long acc = Checksum.pseudoHeader(Ipv4Header.src(b, ip), Ipv4Header.dst(b, ip), Ipv4Header.PROTO_UDP, udpLen);
        assertEquals(0xffff, Checksum.fold(Checksum.add(acc, b, udp, udpLen)), "UDP checksum");
        // and independently of io.jiip.wire
        assertEquals(List.of(), WireCheck.checksumErrors(content(p), L3));
    }

    private static void flipBit(Packet p, int byteIndex, int bit) {
        int i = p.offset() + byteIndex;
        p.buffer().put(i, (byte) (p.buffer().get(i) ^ (1 << bit)));
    }

    private static void assertBalanced(PacketPool... pools) {
        for (PacketPool pool : pools) {
            assertEquals(0, pool.inUse(), "descriptors in use");
            assertEquals(0, pool.buffersInUse(), "buffers in use");
        }
    }

    // ---- delivery ----

    @Test
    void shouldCopyIntoReceiverPoolAndFreeSendersFrame() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        byte[] data = pattern(100, 1);
        Packet sent = bytes(pa, data);
        a.push(sent);
        assertEquals(0, pa.inUse(), "sender's frame freed by the link");
        assertEquals(0, a.pending(), "no loopback to the sender");
        assertEquals(1, b.pending());
        Packet got = poll1(b);
        assertNotSame(sent, got);
        assertSame(pb, got.pool, "a buffer of the receiver's pool");
        assertSame(pb, b.pool());
        assertArrayEquals(data, content(got));
        assertEquals(RxChecksum.NONE, b.rxChecksum(got));
        assertEquals(1, link.frames());
        assertEquals(1, pb.inUse());
        pb.free(got);
        a.flush();
        assertEquals(1, a.flushes());
        assertNull(poll1(b));
        assertBalanced(pa, pb);
    }

    @Test
    void shouldFlattenAChainIntoOneFrame() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        byte[] p1 = pattern(3, 1);
        byte[] p2 = pattern(0, 2);
        byte[] p3 = pattern(1001, 3);
        byte[] p4 = pattern(1, 4);
        Packet head = bytes(pa, p1);
        pa.chainAppend(head, bytes(pa, p2));
        pa.chainAppend(head, bytes(pa, p3));
        pa.chainAppend(head, bytes(pa, p4));
        a.push(head);
        assertBalanced(pa);
        Packet got = poll1(b);
        assertNull(got.next(), "delivered as one packet");
        byte[] expected = new byte[3 + 1001 + 1];
        System.arraycopy(p1, 0, expected, 0, 3);
        System.arraycopy(p3, 0, expected, 3, 1001);
        expected[1004] = p4[0];
        assertArrayEquals(expected, content(got));
        pb.free(got);
        assertBalanced(pb);
    }

    @Test
    void shouldHandOverTheSamePacketWithZeroCopyAndASharedPool() {
        MemoryLink link = new MemoryLink(clock).delivery(MemoryLink.Delivery.ZERO_COPY);
        PacketPool shared = PacketPool.standard();
        MemoryLink.Port a = link.attach(shared);
        MemoryLink.Port b = link.attach(shared, RX_CSUM, 16);
        Packet sent = udpFrame(shared, pattern(33, 5), true);
        a.push(sent);
        Packet got = poll1(b);
        assertSame(sent, got, "no copy at all");
        assertEquals(1, shared.inUse());
        assertEquals(0, got.txOffloads(), "offload marks are consumed by the NIC");
        assertChecksumsCorrect(got);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, b.rxChecksum(got));
        // The other direction too.
        Packet back = bytes(shared, pattern(10, 6));
        b.push(back);
        assertSame(back, poll1(a));
        shared.free(got);
        shared.free(back);

        // A chain is still flattened (copied).
        Packet head = bytes(shared, pattern(5, 1));
        shared.chainAppend(head, bytes(shared, pattern(6, 2)));
        a.push(head);
        Packet flat = poll1(b);
        assertNotSame(head, flat);
        assertEquals(11, flat.length());
        assertNull(flat.next());
        shared.free(flat);
        assertBalanced(shared);
    }

    @Test
    void shouldCopyWithZeroCopyWhenPoolsDiffer() {
        MemoryLink link = new MemoryLink(clock).delivery(MemoryLink.Delivery.ZERO_COPY);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        Packet sent = bytes(pa, pattern(20, 1));
        a.push(sent);
        Packet got = poll1(b);
        assertNotSame(sent, got);
        assertSame(pb, got.pool);
        pb.free(got);
        assertBalanced(pa, pb);
    }

    @Test
    void shouldDeliverToEveryOtherPortOfAHub() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool[] pools = new PacketPool[4];
        MemoryLink.Port[] ports = new MemoryLink.Port[4];
        for (int i = 0; i < 4; i++) {
            pools[i] = PacketPool.standard();
            ports[i] = link.attach(pools[i]);
        }
        byte[] data = pattern(64, 9);
        ports[0].push(bytes(pools[0], data));
        assertEquals(1, link.frames());
        assertEquals(0, ports[0].pending());
        for (int i = 1; i < 4; i++) {
            assertEquals(1, ports[i].pending());
            Packet got = poll1(ports[i]);
            assertSame(pools[i], got.pool);
            assertArrayEquals(data, content(got));
            pools[i].free(got);
        }
        ports[2].push(bytes(pools[2], data));
        assertEquals(1, ports[0].pending());
        assertEquals(1, ports[1].pending());
        assertEquals(0, ports[2].pending());
        assertEquals(1, ports[3].pending());
        for (int i = 0; i < 4; i++) {
            ports[i].clear();
        }
        assertBalanced(pools);
    }

    @Test
    void shouldRefuseMoreThanSixteenPorts() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pool = PacketPool.builder().packets(4).small(1, 128).large(0, 128).build();
        for (int i = 0; i < 16; i++) {
            link.attach(pool);
        }
        assertThrows(IllegalStateException.class, () -> link.attach(pool));
    }

    @Test
    void shouldCountRxQueueOverflowAndFreeTheDroppedFrame() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb, 0, 2);
        for (int i = 0; i < 5; i++) {
            a.push(bytes(pa, pattern(10, i)));
        }
        assertEquals(2, b.pending());
        assertEquals(3, b.rxOverflow());
        assertEquals(2, pb.inUse(), "overflowed copies went back to the pool");
        List<Packet> got = pollAll(b);
        assertEquals(2, got.size());
        assertArrayEquals(pattern(10, 0), content(got.get(0)), "the first frames are kept, in order");
        assertArrayEquals(pattern(10, 1), content(got.get(1)));
        got.forEach(pb::free);
        // The ring wraps around correctly after being drained.
        for (int round = 0; round < 5; round++) {
            a.push(bytes(pa, pattern(4, round)));
            a.push(bytes(pa, pattern(4, round + 100)));
            List<Packet> two = pollAll(b);
            assertEquals(2, two.size());
            assertArrayEquals(pattern(4, round), content(two.get(0)));
            assertArrayEquals(pattern(4, round + 100), content(two.get(1)));
            two.forEach(pb::free);
        }
        assertEquals(3, b.rxOverflow());
        assertBalanced(pa, pb);
    }

    @Test
    void shouldCountFramesLostToAnExhaustedReceiverPool() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.builder().packets(8).small(2, 2048).large(0, 2048).build();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        for (int i = 0; i < 4; i++) {
            a.push(bytes(pa, pattern(100, i)));
        }
        assertEquals(2, b.pending());
        assertEquals(2, b.rxNoBuffer());
        assertEquals(0, b.rxOverflow());
        assertEquals(0, pa.inUse(), "the sender's frames are freed even when nobody could take them");
        b.clear();
        assertEquals(0, b.pending());
        assertBalanced(pa, pb);
    }

    // ---- hooks ----

    @Test
    void shouldDropFramesTheHookDrops() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        List<Integer> seen = new ArrayList<>();
        link.hook((from, buf, off, len) -> {
            seen.add(from);
            seen.add(len);
            return FrameHook.DROP;
        });
        a.push(bytes(pa, pattern(42, 1)));
        b.push(bytes(pb, pattern(43, 1)));
        assertEquals(List.of(0, 42, 1, 43), seen, "the hook sees the sender's port and the frame");
        assertEquals(2, link.frames());
        assertEquals(2, link.hookDrops());
        assertEquals(0, a.pending());
        assertEquals(0, b.pending());
        assertBalanced(pa, pb);
    }

    @Test
    void shouldDuplicateFramesTheHookDuplicates() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        link.hook((from, buf, off, len) -> FrameHook.DUPLICATE);
        a.push(bytes(pa, pattern(50, 1)));
        List<Packet> got = pollAll(b);
        assertEquals(2, got.size());
        assertNotSame(got.get(0), got.get(1));
        assertNotEquals(got.get(0).offset(), got.get(1).offset(), "two independent copies");
        assertArrayEquals(pattern(50, 1), content(got.get(0)));
        assertArrayEquals(pattern(50, 1), content(got.get(1)));
        got.forEach(pb::free);
        assertBalanced(pa, pb);
    }

    @Test
    void shouldDeliverAReorderedFrameAheadOfThePreviousOne() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        int[] actions = {FrameHook.PASS, FrameHook.PASS, FrameHook.REORDER, FrameHook.PASS};
        int[] next = {0};
        link.hook((from, buf, off, len) -> actions[next[0]++]);
        for (int i = 0; i < 4; i++) {
            a.push(bytes(pa, new byte[] {(byte) i}));
        }
        List<Packet> got = pollAll(b);
        List<Integer> order = new ArrayList<>();
        for (Packet p : got) {
            order.add((int) p.buffer().get(p.offset()));
        }
        assertEquals(List.of(0, 2, 1, 3), order);
        got.forEach(pb::free);

        // Reordering the first frame of an empty queue just delivers it.
        next[0] = 2;
        a.push(bytes(pa, new byte[] {9}));
        Packet only = poll1(b);
        assertEquals(9, only.buffer().get(only.offset()));
        pb.free(only);
        assertBalanced(pa, pb);
    }

    @Test
    void shouldFlipTheBitTheHookChoosesInTheDeliveredCopyOnly() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        int[] asked = {-1};
        link.hook(new FrameHook() {
            @Override
            public int onFrame(int from, ByteBuffer buf, int off, int len) {
                return FrameHook.CORRUPT;
            }

            @Override
            public int corruptBit(int len) {
                asked[0] = len;
                return 8 * 5 + 3;
            }
        });
        byte[] data = pattern(20, 3);
        a.push(bytes(pa, data));
        assertEquals(20, asked[0]);
        Packet got = poll1(b);
        byte[] expected = data.clone();
        expected[5] ^= 1 << 3;
        assertArrayEquals(expected, content(got));
        pb.free(got);
        assertBalanced(pa, pb);
    }

    @Test
    void shouldReportCorruptionAsBadChecksumToAnOffloadingReceiver() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb, RX_CSUM, 16);
        int[] bit = {0};
        link.hook(new FrameHook() {
            @Override
            public int onFrame(int from, ByteBuffer buf, int off, int len) {
                return FrameHook.CORRUPT;
            }

            @Override
            public int corruptBit(int len) {
                return bit[0];
            }
        });
        bit[0] = (L4 + UdpHeader.LENGTH + 2) * 8; // payload byte
        a.push(udpFrame(pa, pattern(30, 1), true));
        Packet got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_BAD, got.rxChecksum(),
                "corruption happens after the NIC completed the checksum");
        pb.free(got);

        bit[0] = (L3 + Ipv4Header.Offset.TTL) * 8 + 1; // IPv4 header byte
        a.push(udpFrame(pa, pattern(30, 1), false));
        got = poll1(b);
        assertTrue((got.rxChecksum() & RxChecksum.IPV4_BAD) != 0);
        pb.free(got);
        assertBalanced(pa, pb);
    }

    // ---- fault injector ----

    @Test
    void shouldMakeTheSameDecisionsForTheSameSeed() {
        ByteBuffer frame = ByteBuffer.allocate(100);
        FaultInjector one = new FaultInjector(42).drop(0.1).duplicate(0.1).reorder(0.1).corrupt(0.1);
        FaultInjector two = new FaultInjector(42).drop(0.1).duplicate(0.1).reorder(0.1).corrupt(0.1);
        FaultInjector other = new FaultInjector(43).drop(0.1).duplicate(0.1).reorder(0.1).corrupt(0.1);
        boolean differs = false;
        for (int i = 0; i < 10_000; i++) {
            int x = one.onFrame(0, frame, 0, 100);
            int y = two.onFrame(1, frame, 0, 100);
            assertEquals(x, y, "decision " + i);
            int z = other.onFrame(0, frame, 0, 100);
            differs |= z != x;
            if (x == FrameHook.CORRUPT) {
                int bit = one.corruptBit(100);
                assertEquals(bit, two.corruptBit(100));
                assertTrue(bit >= 0 && bit < 800);
            }
            if (z == FrameHook.CORRUPT) {
                other.corruptBit(100);
            }
        }
        assertTrue(differs, "another seed gives other decisions");
        assertEquals(one.dropped(), two.dropped());
        assertEquals(one.duplicated(), two.duplicated());
        assertEquals(one.reordered(), two.reordered());
        assertEquals(one.corrupted(), two.corrupted());
    }

    @Test
    void shouldReplayTheSameRunOnALinkForTheSameSeed() {
        assertEquals(runWithFaults(7), runWithFaults(7));
        assertNotEquals(runWithFaults(7), runWithFaults(8));
    }

    private List<String> runWithFaults(long seed) {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        link.hook(new FaultInjector(seed).drop(0.2).duplicate(0.2).reorder(0.2).corrupt(0.2));
        List<String> log = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            a.push(bytes(pa, pattern(16, i)));
        }
        for (Packet p : pollAll(b)) {
            log.add(Arrays.toString(content(p)));
            pb.free(p);
        }
        assertBalanced(pa, pb);
        return log;
    }

    @Test
    void shouldApproximateTheConfiguredRates() {
        int n = 100_000;
        FaultInjector f = new FaultInjector(2024).drop(0.10).duplicate(0.05).reorder(0.02).corrupt(0.01);
        ByteBuffer frame = ByteBuffer.allocate(60);
        int[] counts = new int[5];
        for (int i = 0; i < n; i++) {
            int action = f.onFrame(0, frame, 0, 60);
            counts[action]++;
            if (action == FrameHook.CORRUPT) {
                int bit = f.corruptBit(60);
                assertTrue(bit >= 0 && bit < 480);
            }
        }
        assertEquals(counts[FrameHook.DROP], f.dropped());
        assertEquals(counts[FrameHook.DUPLICATE], f.duplicated());
        assertEquals(counts[FrameHook.REORDER], f.reordered());
        assertEquals(counts[FrameHook.CORRUPT], f.corrupted());
        assertRate(0.10, counts[FrameHook.DROP], n);
        assertRate(0.05, counts[FrameHook.DUPLICATE], n);
        assertRate(0.02, counts[FrameHook.REORDER], n);
        assertRate(0.01, counts[FrameHook.CORRUPT], n);
        assertRate(0.82, counts[FrameHook.PASS], n);

        FaultInjector none = new FaultInjector(1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(FrameHook.PASS, none.onFrame(0, frame, 0, 60));
        }
        FaultInjector all = new FaultInjector(1).drop(1.0);
        for (int i = 0; i < 1000; i++) {
            assertEquals(FrameHook.DROP, all.onFrame(0, frame, 0, 60));
        }
    }

    private static void assertRate(double p, int count, int n) {
        double sigma = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(count - n * p) < 6 * sigma, "expected about " + n * p + ", got " + count);
    }

    // ---- NIC emulation ----

    @Test
    void shouldCompleteOffloadedChecksumsOnTheWire(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("offload.pcap");
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        MemoryLink link = new MemoryLink(clock).capture(writer);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa, NicFeatures.IPV4_TX_CSUM | NicFeatures.UDP_TX_CSUM, 64);
        MemoryLink.Port b = link.attach(pb);
        int[] sizes = {0, 1, 2, 3, 17, 100, 1471, 1472};
        for (int size : sizes) {
            Packet f = udpFrame(pa, pattern(size, size), false);
            a.txOffload(f, Offload.IPV4_CSUM | Offload.UDP_CSUM, L3, L4, 0);
            // Leave the fields as a stack offloading them would.
            Bytes.u16(f.buffer(), f.offset() + L3 + Ipv4Header.Offset.CHECKSUM, 0);
            Bytes.u16(f.buffer(), f.offset() + L4 + UdpHeader.Offset.CHECKSUM, Checksum.fold(
                    Checksum.pseudoHeader(SRC_IP, DST_IP, Ipv4Header.PROTO_UDP, UdpHeader.LENGTH + size)));
            assertEquals(Offload.IPV4_CSUM | Offload.UDP_CSUM, f.txOffloads());
            a.push(f);
            Packet got = poll1(b);
            assertChecksumsCorrect(got);
            assertEquals(0, got.txOffloads());
            byte[] payload = new byte[size];
            got.buffer().get(got.offset() + L4 + UdpHeader.LENGTH, payload);
            assertArrayEquals(pattern(size, size), payload);
            pb.free(got);
        }
        // Headers in one packet and the payload in odd-length pieces: checksums are completed over the whole frame.
        byte[] whole = pattern(301, 1);
        Packet head = udpFrame(pa, new byte[0], true);
        Bytes.u16(head.buffer(), head.offset() + L3 + Ipv4Header.Offset.TOTAL_LENGTH, Ipv4Header.MIN_LENGTH + 8 + 301);
        Bytes.u16(head.buffer(), head.offset() + L4 + UdpHeader.Offset.LENGTH, 8 + 301);
        Bytes.u16(head.buffer(), head.offset() + L4 + UdpHeader.Offset.CHECKSUM, Checksum.fold(
                Checksum.pseudoHeader(SRC_IP, DST_IP, Ipv4Header.PROTO_UDP, UdpHeader.LENGTH + 301)));
        int at = 0;
        for (int piece : new int[] {1, 7, 0, 100, 193}) {
            byte[] part = new byte[piece];
            System.arraycopy(whole, at, part, 0, piece);
            pa.chainAppend(head, bytes(pa, part));
            at += piece;
        }
        a.push(head);
        Packet got = poll1(b);
        assertChecksumsCorrect(got);
        pb.free(got);
        writer.close();
        assertBalanced(pa, pb);

        Pcap pcap = Pcap.read(file);
        assertEquals(sizes.length + 1, pcap.records.size());
        for (Pcap.Record r : pcap.records) {
            assertEquals(List.of(), WireCheck.checksumErrors(r.data, L3), "the capture shows completed checksums");
        }
    }

    @Test
    void shouldSendAZeroComputedUdpChecksumAsAllOnes() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb, RX_CSUM, 16);
        // Find a 2-byte payload whose UDP checksum comes out as 0x0000 (i.e. sums to 0xffff before complement).
        Packet f = udpFrame(pa, new byte[2], true);
        ByteBuffer buf = f.buffer();
        int pl = f.offset() + L4 + UdpHeader.LENGTH;
        int partial = Checksum.fold(Checksum.add(0, buf, f.offset() + L4, UdpHeader.LENGTH));
        Bytes.u16(buf, pl, ~partial & 0xffff);
        assertEquals(0xffff, Checksum.fold(Checksum.add(0, buf, f.offset() + L4, UdpHeader.LENGTH + 2)));
        a.push(f);
        Packet got = poll1(b);
        assertEquals(0xffff, Bytes.u16(got.buffer(), got.offset() + L4 + UdpHeader.Offset.CHECKSUM));
        assertChecksumsCorrect(got);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, got.rxChecksum());
        pb.free(got);
        assertBalanced(pa, pb);
    }

    @Test
    void shouldReportRxVerdictsToPortsClaimingRxChecksumFeatures() {
        MemoryLink link = new MemoryLink(clock);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        PacketPool pc = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb, RX_CSUM, 16);
        MemoryLink.Port c = link.attach(pc, 0, 16);

        a.push(udpFrame(pa, pattern(99, 1), false));
        Packet good = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, b.rxChecksum(good));
        Packet unverified = poll1(c);
        assertEquals(RxChecksum.NONE, c.rxChecksum(unverified), "a port without RX features reports nothing");
        pb.free(good);
        pc.free(unverified);

        Packet badIp = udpFrame(pa, pattern(99, 1), false);
        flipBit(badIp, L3 + Ipv4Header.Offset.CHECKSUM, 0);
        a.push(badIp);
        Packet got = poll1(b);
        assertEquals(RxChecksum.IPV4_BAD | RxChecksum.L4_GOOD, got.rxChecksum());
        pb.free(got);

        Packet badUdp = udpFrame(pa, pattern(99, 1), false);
        flipBit(badUdp, L4 + UdpHeader.LENGTH + 98, 7);
        a.push(badUdp);
        got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_BAD, got.rxChecksum());
        pb.free(got);

        Packet noUdpSum = udpFrame(pa, pattern(99, 1), false);
        Bytes.u16(noUdpSum.buffer(), noUdpSum.offset() + L4 + UdpHeader.Offset.CHECKSUM, 0);
        a.push(noUdpSum);
        got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD, got.rxChecksum(), "no UDP checksum sent: nothing to verify");
        pb.free(got);

        Packet fragment = udpFrame(pa, pattern(99, 1), false);
        ByteBuffer fb = fragment.buffer();
        int ip = fragment.offset() + L3;
        Bytes.u16(fb, ip + Ipv4Header.Offset.FLAGS_FRAGMENT, Ipv4Header.FLAG_MF);
        Bytes.u16(fb, ip + Ipv4Header.Offset.CHECKSUM, 0);
        Bytes.u16(fb, ip + Ipv4Header.Offset.CHECKSUM, Checksum.compute(fb, ip, Ipv4Header.MIN_LENGTH));
        a.push(fragment);
        got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD, got.rxChecksum(), "fragments get no L4 verdict");
        pb.free(got);

        a.push(bytes(pa, pattern(60, 0))); // not IPv4 (EtherType of a pattern)
        got = poll1(b);
        assertEquals(RxChecksum.NONE, got.rxChecksum());
        pb.free(got);

        // Features can change at run time.
        b.features(0);
        a.push(udpFrame(pa, pattern(10, 1), false));
        got = poll1(b);
        assertEquals(RxChecksum.NONE, got.rxChecksum());
        assertEquals(0, b.features());
        pb.free(got);
        b.features(NicFeatures.UDP_RX_CSUM);
        a.push(udpFrame(pa, pattern(10, 1), false));
        got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, got.rxChecksum());
        pb.free(got);
        for (MemoryLink.Port p : new MemoryLink.Port[] {a, b, c}) {
            p.clear();
        }
        assertBalanced(pa, pb, pc);
    }

    @Test
    void shouldVerifyRawIpFramesOnAnIpLink() {
        MemoryLink link = new MemoryLink(clock, LinkType.IP);
        assertEquals(LinkType.IP, link.linkType());
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb, RX_CSUM, 16);
        Packet f = udpFrame(pa, pattern(21, 2), true);
        pa.trimHead(f, L3);
        a.txOffload(f, Offload.IPV4_CSUM | Offload.UDP_CSUM, 0, Ipv4Header.MIN_LENGTH, 0);
        a.push(f);
        Packet got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, got.rxChecksum());
        assertEquals(List.of(), WireCheck.checksumErrors(content(got), 0));
        pb.free(got);
        assertBalanced(pa, pb);
    }

    @Test
    void shouldTrustChecksumsWithoutComputingThem() {
        MemoryLink link = new MemoryLink(clock).trustChecksums(true);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        PacketPool pc = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa, NicFeatures.ALL_CSUM, 16);
        MemoryLink.Port b = link.attach(pb, RX_CSUM, 16);
        MemoryLink.Port c = link.attach(pc, 0, 16);
        Packet f = udpFrame(pa, pattern(40, 1), true);
        byte[] partial = content(f);
        a.push(f);
        Packet got = poll1(b);
        assertArrayEquals(partial, content(got), "checksums left partial, as the stack wrote them");
        assertEquals(0, Bytes.u16(got.buffer(), got.offset() + L3 + Ipv4Header.Offset.CHECKSUM));
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, got.rxChecksum(), "every frame reported valid");
        Packet atC = poll1(c);
        assertEquals(RxChecksum.NONE, atC.rxChecksum(), "only for ports claiming RX offload");
        pc.free(atC);
        pb.free(got);

        Packet bad = udpFrame(pa, pattern(40, 1), false);
        flipBit(bad, L4 + 9, 0);
        a.push(bad);
        got = poll1(b);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, got.rxChecksum());
        pb.free(got);
        c.clear();
        assertBalanced(pa, pb, pc);
    }

    @Test
    void shouldCaptureFramesWithTheClockTime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.pcap");
        PcapWriter writer = PcapWriter.create(file, LinkType.ETHERNET);
        MemoryLink link = new MemoryLink(clock).capture(writer);
        PacketPool pa = PacketPool.standard();
        PacketPool pb = PacketPool.standard();
        MemoryLink.Port a = link.attach(pa);
        MemoryLink.Port b = link.attach(pb);
        clock.advance(123_456_789L);
        a.push(bytes(pa, pattern(70, 1)));
        link.hook((from, buf, off, len) -> FrameHook.DUPLICATE);
        clock.advance(1);
        a.push(bytes(pa, pattern(71, 1)));
        writer.close();
        assertEquals(2, writer.frames(), "a duplicated frame is captured once");
        Pcap pcap = Pcap.read(file);
        assertTrue(pcap.nanos);
        assertEquals(1, pcap.linkType);
        assertEquals(2, pcap.records.size());
        assertEquals(5, pcap.records.get(0).seconds);
        assertEquals(123_456_789L, pcap.records.get(0).fraction);
        assertEquals(123_456_790L, pcap.records.get(1).fraction);
        assertArrayEquals(pattern(70, 1), pcap.records.get(0).data);
        assertArrayEquals(pattern(71, 1), pcap.records.get(1).data);
        b.clear();
        assertBalanced(pa, pb);
    }
}
