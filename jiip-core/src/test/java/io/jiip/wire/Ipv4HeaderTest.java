package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.CapturedFrames.LOOPBACK;
import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static io.jiip.wire.TestBuffers.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {
    /** IPv4 packets (no Ethernet header) from the captured frames. */
    private static final byte[] PING = CapturedFrames.from(CapturedFrames.PING_REQUEST, ETH);
    private static final byte[] PING_REPLY = CapturedFrames.from(CapturedFrames.PING_REPLY, ETH);
    private static final byte[] DNS = CapturedFrames.from(CapturedFrames.DNS_QUERY, ETH);
    private static final byte[] UNREACHABLE = CapturedFrames.from(CapturedFrames.PORT_UNREACHABLE, ETH);
    private static final byte[] SYN = CapturedFrames.from(CapturedFrames.TCP_SYN, ETH);
    private static final byte[] WITH_OPTIONS = CapturedFrames.from(CapturedFrames.UDP_WITH_IP_OPTIONS, ETH);

    private static final int HOST = 0xc0a8010a; // 192.168.1.10
    private static final int ROUTER = 0xc0a80101; // 192.168.1.1

    /**
     * Three fragments of one UDP datagram 192.168.1.10 > 192.168.1.1, id 0xbeef (headers only; checksums computed
     * independently with Python): first (MF, offset 0), middle (MF, offset 1480) and last (offset 2960).
     */
    private static final byte[] FIRST_FRAGMENT = hex("45 00 05dc beef 2000 40 11 12c6 c0a8010a c0a80101");
    private static final byte[] MIDDLE_FRAGMENT = hex("45 00 05dc beef 20b9 40 11 120d c0a8010a c0a80101");
    private static final byte[] LAST_FRAGMENT = hex("45 00 0078 beef 0172 40 11 36b8 c0a8010a c0a80101");

    @Test
    void shouldHaveTheRfc791Layout() {
        assertEquals(84, PING.length);
        assertEquals(57, DNS.length);
        assertEquals(44, WITH_OPTIONS.length);
        assertEquals(20, Ipv4Header.MIN_LENGTH);
        assertEquals(60, Ipv4Header.MAX_LENGTH);
        assertEquals(12, Ipv4Header.Offset.SRC);
        assertEquals(16, Ipv4Header.Offset.DST);
    }

    // ---- deconstruct ----

    @Test
    void shouldDeconstructAPingRequest() {
        forEachVariant(PING, (buf, off) -> {
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, PING.length));
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertEquals(4, Ipv4Header.version(buf, off));
            assertEquals(20, Ipv4Header.headerLength(buf, off));
            assertEquals(0, Ipv4Header.tos(buf, off));
            assertEquals(84, Ipv4Header.totalLength(buf, off));
            assertEquals(0x4cfb, Ipv4Header.identification(buf, off));
            assertTrue(Ipv4Header.dontFragment(buf, off));
            assertFalse(Ipv4Header.moreFragments(buf, off));
            assertEquals(0, Ipv4Header.fragmentOffset(buf, off));
            assertFalse(Ipv4Header.isFragment(buf, off));
            assertEquals(64, Ipv4Header.ttl(buf, off));
            assertEquals(Ipv4Header.PROTO_ICMP, Ipv4Header.protocol(buf, off));
            assertEquals(0xefab, Ipv4Header.checksum(buf, off));
            assertEquals(LOOPBACK, Ipv4Header.src(buf, off));
            assertEquals(LOOPBACK, Ipv4Header.dst(buf, off));

            assertEquals(20, Ipv4Header.headerLength(buf, off));
            assertEquals(84, Ipv4Header.totalLength(buf, off));
            assertEquals(1, Ipv4Header.protocol(buf, off));
            assertEquals(LOOPBACK, Ipv4Header.src(buf, off));
            assertEquals(LOOPBACK, Ipv4Header.dst(buf, off));
        });
    }

    @Test
    void shouldDeconstructAUdpDatagramWithAnOddTotalLength() {
        forEachVariant(DNS, (buf, off) -> {
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, DNS.length));
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertEquals(57, Ipv4Header.totalLength(buf, off));
            assertEquals(0xf6b4, Ipv4Header.identification(buf, off));
            assertFalse(Ipv4Header.dontFragment(buf, off));
            assertFalse(Ipv4Header.isFragment(buf, off));
            assertEquals(Ipv4Header.PROTO_UDP, Ipv4Header.protocol(buf, off));
            assertEquals(0x85fd, Ipv4Header.checksum(buf, off));
        });
    }

    @Test
    void shouldDeconstructAnIcmpErrorWithTos() {
        forEachVariant(UNREACHABLE, (buf, off) -> {
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, UNREACHABLE.length));
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertEquals(0xc0, Ipv4Header.tos(buf, off));
            assertEquals(85, Ipv4Header.totalLength(buf, off));
            assertEquals(0x2ee9, Ipv4Header.checksum(buf, off));
            // the quoted datagram is itself a valid IPv4 header
            int quoted = off + 28;
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, quoted, UNREACHABLE.length - 28));
            assertEquals(Ipv4Header.PROTO_UDP, Ipv4Header.protocol(buf, quoted));
            assertEquals(0xf6b4, Ipv4Header.identification(buf, quoted));
        });
    }

    @Test
    void shouldDeconstructAHeaderWithOptions() {
        forEachVariant(WITH_OPTIONS, (buf, off) -> {
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, WITH_OPTIONS.length));
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertEquals(4, Ipv4Header.version(buf, off));
            assertEquals(32, Ipv4Header.headerLength(buf, off));
            assertEquals(32, Ipv4Header.headerLength(buf, off));
            assertEquals(44, Ipv4Header.totalLength(buf, off));
            assertTrue(Ipv4Header.dontFragment(buf, off));
            assertEquals(Ipv4Header.PROTO_UDP, Ipv4Header.protocol(buf, off));
            assertEquals(0x827a, Ipv4Header.checksum(buf, off));
            assertEquals(LOOPBACK, Ipv4Header.dst(buf, off));
            // the UDP header starts after the options
            assertEquals(40000, Bytes.u16(buf, off + Ipv4Header.headerLength(buf, off)));
        });
    }

    @Test
    void shouldDeconstructFragmentFlagsAndOffsets() {
        forEachVariant(FIRST_FRAGMENT, (buf, off) -> {
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertTrue(Ipv4Header.moreFragments(buf, off));
            assertFalse(Ipv4Header.dontFragment(buf, off));
            assertEquals(0, Ipv4Header.fragmentOffset(buf, off));
            assertTrue(Ipv4Header.isFragment(buf, off));
            assertEquals(0xbeef, Ipv4Header.identification(buf, off));
            assertEquals(HOST, Ipv4Header.src(buf, off));
            assertEquals(ROUTER, Ipv4Header.dst(buf, off));
        });
        forEachVariant(MIDDLE_FRAGMENT, (buf, off) -> {
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertTrue(Ipv4Header.moreFragments(buf, off));
            assertEquals(1480, Ipv4Header.fragmentOffset(buf, off));
            assertTrue(Ipv4Header.isFragment(buf, off));
        });
        forEachVariant(LAST_FRAGMENT, (buf, off) -> {
            assertTrue(Ipv4Header.checksumValid(buf, off));
            assertFalse(Ipv4Header.moreFragments(buf, off));
            assertEquals(2960, Ipv4Header.fragmentOffset(buf, off));
            assertTrue(Ipv4Header.isFragment(buf, off));
        });
    }

    @Test
    void shouldDecodeEveryFlagsFragmentCombination() {
        int[][] cases = {
            // field, DF, MF, offset in bytes, isFragment
            {0x0000, 0, 0, 0, 0}, {0x4000, 1, 0, 0, 0}, {0x2000, 0, 1, 0, 1}, {0x0001, 0, 0, 8, 1},
            {0x1fff, 0, 0, 65528, 1}, {0x3fff, 0, 1, 65528, 1}, {0x6000, 1, 1, 0, 1}, {0x8000, 0, 0, 0, 0},
            {0xffff, 1, 1, 65528, 1}, {0xc000, 1, 0, 0, 0},
        };
        for (int[] c : cases) {
            forEachVariant(PING, (buf, off) -> {
                Bytes.u16(buf, off + Ipv4Header.Offset.FLAGS_FRAGMENT, c[0]);
                String what = Integer.toHexString(c[0]);
                assertEquals(c[1] == 1, Ipv4Header.dontFragment(buf, off), what);
                assertEquals(c[2] == 1, Ipv4Header.moreFragments(buf, off), what);
                assertEquals(c[3], Ipv4Header.fragmentOffset(buf, off), what);
                assertEquals(c[4] == 1, Ipv4Header.isFragment(buf, off), what);
            });
        }
    }

    // ---- construct ----

    @Test
    void shouldConstructTheCapturedHeadersWithWrite() {
        assertWrites(PING, 84, 0x4cfb, Ipv4Header.FLAG_DF, Ipv4Header.PROTO_ICMP, LOOPBACK, LOOPBACK);
        assertWrites(PING_REPLY, 84, 0x4cfc, 0, Ipv4Header.PROTO_ICMP, LOOPBACK, LOOPBACK);
        assertWrites(DNS, 57, 0xf6b4, 0, Ipv4Header.PROTO_UDP, LOOPBACK, LOOPBACK);
        assertWrites(SYN, 60, 0x3da9, Ipv4Header.FLAG_DF, Ipv4Header.PROTO_TCP, LOOPBACK, LOOPBACK);
        assertWrites(FIRST_FRAGMENT, 1500, 0xbeef, Ipv4Header.FLAG_MF, Ipv4Header.PROTO_UDP, HOST, ROUTER);
        assertWrites(MIDDLE_FRAGMENT, 1500, 0xbeef, Ipv4Header.FLAG_MF | 1480 / 8, Ipv4Header.PROTO_UDP, HOST,
                ROUTER);
        assertWrites(LAST_FRAGMENT, 120, 0xbeef, 2960 / 8, Ipv4Header.PROTO_UDP, HOST, ROUTER);
    }

    private static void assertWrites(byte[] packet, int total, int id, int flagsFragment, int protocol, int src,
            int dst) {
        byte[] header = Arrays.copyOf(packet, 20);
        forEachZeroed(20, region -> {
            Ipv4Header.write(region.buf(), region.off(), total, id, flagsFragment, 64, protocol, src, dst, false);
            assertBytes(header, region);
        });
        byte[] offloaded = header.clone();
        offloaded[Ipv4Header.Offset.CHECKSUM] = 0;
        offloaded[Ipv4Header.Offset.CHECKSUM + 1] = 0;
        forEachZeroed(20, region -> {
            Ipv4Header.write(region.buf(), region.off(), total, id, flagsFragment, 64, protocol, src, dst, true);
            assertBytes(offloaded, region);
        });
    }

    @Test
    void shouldOverwriteAStaleHeaderCompletely() {
        // write() must not depend on the buffer being zeroed
        byte[] garbage = new byte[20];
        Arrays.fill(garbage, (byte) 0xff);
        forEachVariant(garbage, (buf, off) -> {
            Ipv4Header.write(buf, off, 84, 0x4cfb, Ipv4Header.FLAG_DF, 64, Ipv4Header.PROTO_ICMP, LOOPBACK,
                    LOOPBACK, false);
            assertEquals(TestBuffers.toHex(Arrays.copyOf(PING, 20)), TestBuffers.toHex(TestBuffers.copyOut(buf, off,
                    20)));
        });
    }

    @Test
    void shouldConstructAHeaderWithOptionsAndFillItsChecksum() {
        byte[] header = Arrays.copyOf(WITH_OPTIONS, 32);
        forEachZeroed(32, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            Ipv4Header.write(buf, off, 44, 0x2c34, Ipv4Header.FLAG_DF, 64, Ipv4Header.PROTO_UDP, LOOPBACK, LOOPBACK,
                    true);
            Ipv4Header.headerLength(buf, off, 32);
            Bytes.copy(ByteBuffer.wrap(header), 20, buf, off + 20, 12);
            Ipv4Header.fillChecksum(buf, off);
            assertEquals(0x827a, Ipv4Header.checksum(buf, off));
            assertBytes(header, region);
        });
    }

    @Test
    void shouldConstructWithSetters() {
        forEachVariant(Arrays.copyOf(PING, 20), (buf, off) -> {
            Ipv4Header.totalLength(buf, off, 57);
            Ipv4Header.src(buf, off, HOST);
            Ipv4Header.dst(buf, off, ROUTER);
            Ipv4Header.checksum(buf, off, 0x1234);
            assertEquals(57, Ipv4Header.totalLength(buf, off));
            assertEquals(HOST, Ipv4Header.src(buf, off));
            assertEquals(ROUTER, Ipv4Header.dst(buf, off));
            assertEquals(0x1234, Ipv4Header.checksum(buf, off));
            assertFalse(Ipv4Header.checksumValid(buf, off));
            Ipv4Header.fillChecksum(buf, off);
            assertTrue(Ipv4Header.checksumValid(buf, off));
            // swapping the addresses back and restoring the length gives the captured header again
            Ipv4Header.totalLength(buf, off, 84);
            Ipv4Header.src(buf, off, LOOPBACK);
            Ipv4Header.dst(buf, off, LOOPBACK);
            Ipv4Header.fillChecksum(buf, off);
            assertEquals(0xefab, Ipv4Header.checksum(buf, off));
        });
    }

    @Test
    void shouldConstructFieldByField() {
        byte[] header = Arrays.copyOf(UNREACHABLE, 20);
        forEachZeroed(20, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            Ipv4Header.headerLength(buf, off, 20);
            Ipv4Header.tos(buf, off, 0xc0);
            Ipv4Header.totalLength(buf, off, 85);
            Ipv4Header.identification(buf, off, Bytes.u16(ByteBuffer.wrap(header), Ipv4Header.Offset.IDENTIFICATION));
            Ipv4Header.flagsFragment(buf, off, Bytes.u16(ByteBuffer.wrap(header), Ipv4Header.Offset.FLAGS_FRAGMENT));
            Ipv4Header.ttl(buf, off, header[Ipv4Header.Offset.TTL] & 0xff);
            Ipv4Header.protocol(buf, off, Ipv4Header.PROTO_ICMP);
            Ipv4Header.src(buf, off, Bytes.i32(ByteBuffer.wrap(header), Ipv4Header.Offset.SRC));
            Ipv4Header.dst(buf, off, Bytes.i32(ByteBuffer.wrap(header), Ipv4Header.Offset.DST));
            Ipv4Header.fillChecksum(buf, off);
            assertEquals(0x2ee9, Ipv4Header.checksum(buf, off));
            assertBytes(header, region);
            assertEquals(Bytes.u16(ByteBuffer.wrap(header), Ipv4Header.Offset.FLAGS_FRAGMENT),
                    Ipv4Header.flagsFragment(buf, off));
        });
    }

    @Test
    void shouldFillTheCapturedChecksums() {
        for (byte[] packet : new byte[][] {PING, PING_REPLY, DNS, UNREACHABLE, SYN, WITH_OPTIONS, FIRST_FRAGMENT,
                MIDDLE_FRAGMENT, LAST_FRAGMENT}) {
            int stored = Bytes.u16(ByteBuffer.wrap(packet), Ipv4Header.Offset.CHECKSUM);
            forEachVariant(packet, (buf, off) -> {
                Ipv4Header.checksum(buf, off, 0xffff ^ stored);
                assertFalse(Ipv4Header.checksumValid(buf, off));
                Ipv4Header.fillChecksum(buf, off);
                assertEquals(stored, Ipv4Header.checksum(buf, off));
            });
        }
    }

    // ---- checksum ----

    @Test
    void shouldDetectEverySingleBitErrorInTheHeader() {
        for (byte[] packet : new byte[][] {PING, WITH_OPTIONS}) {
            int hlen = (packet[0] & 0xf) * 4;
            for (int bit = 8; bit < hlen * 8; bit++) { // byte 0 holds the IHL, which bounds the checksum itself
                int b = bit;
                forEachVariant(packet, (buf, off) -> {
                    int index = off + b / 8;
                    buf.put(index, (byte) (buf.get(index) ^ (0x80 >>> (b % 8))));
                    assertFalse(Ipv4Header.checksumValid(buf, off), "bit " + b);
                });
            }
        }
    }

    // ---- check: truncation and lengths ----

    @Test
    void shouldReportEveryTruncationOfAPacket() {
        for (int n = 0; n < PING.length; n++) {
            int available = n;
            int expected = n < 20 ? Ipv4Header.TRUNCATED : Ipv4Header.BAD_TOTAL_LENGTH;
            // exactly n bytes in the buffer: check must not read past them
            forEachVariant(Arrays.copyOf(PING, n), (buf, off) -> assertEquals(expected,
                    Ipv4Header.check(buf, off, available), "available " + available));
        }
    }

    @Test
    void shouldReportEveryTruncationOfAPacketWithOptions() {
        for (int n = 0; n < WITH_OPTIONS.length; n++) {
            int available = n;
            // the header itself cut short is truncation; a whole header with a short payload is a length mismatch
            int expected = n < 32 ? Ipv4Header.TRUNCATED : Ipv4Header.BAD_TOTAL_LENGTH;
            forEachVariant(Arrays.copyOf(WITH_OPTIONS, n), (buf, off) -> assertEquals(expected,
                    Ipv4Header.check(buf, off, available), "available " + available));
        }
    }

    @Test
    void shouldAcceptLinkLayerPaddingAfterThePacket() {
        byte[] padded = Arrays.copyOf(DNS, 64);
        forEachVariant(padded, (buf, off) -> {
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, 64));
            assertEquals(57, Ipv4Header.totalLength(buf, off));
        });
        // a minimal 20-byte packet in a minimal 46-byte Ethernet payload
        byte[] minimal = Arrays.copyOf(PING, 46);
        Bytes.u16(ByteBuffer.wrap(minimal), Ipv4Header.Offset.TOTAL_LENGTH, 20);
        forEachVariant(minimal, (buf, off) -> assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, 46)));
    }

    @Test
    void shouldRejectBadVersions() {
        for (int version : new int[] {0, 1, 2, 3, 5, 6, 7, 15}) {
            forEachVariant(PING, (buf, off) -> {
                Bytes.u8(buf, off, version << 4 | 5);
                assertEquals(Ipv4Header.BAD_VERSION, Ipv4Header.check(buf, off, PING.length), "version " + version);
                // truncation is reported before the version is even looked at
                assertEquals(Ipv4Header.TRUNCATED, Ipv4Header.check(buf, off, 19));
            });
        }
    }

    @Test
    void shouldRejectHeaderLengthsBelowTwentyBytes() {
        for (int ihl = 0; ihl < 5; ihl++) {
            int vihl = 0x40 | ihl;
            forEachVariant(PING, (buf, off) -> {
                Bytes.u8(buf, off, vihl);
                assertEquals(Ipv4Header.BAD_HEADER_LENGTH, Ipv4Header.check(buf, off, PING.length),
                        "IHL " + (vihl & 0xf));
            });
        }
    }

    @Test
    void shouldReportAHeaderLongerThanTheBytesAvailableAsTruncated() {
        // IHL 15 (60 bytes) in a 40-byte buffer
        byte[] packet = Arrays.copyOf(PING, 40);
        packet[0] = 0x4f;
        Bytes.u16(ByteBuffer.wrap(packet), Ipv4Header.Offset.TOTAL_LENGTH, 40);
        forEachVariant(packet, (buf, off) -> assertEquals(Ipv4Header.TRUNCATED, Ipv4Header.check(buf, off, 40)));
        // IHL 6 with only the fixed header present
        byte[] header = Arrays.copyOf(PING, 20);
        header[0] = 0x46;
        Bytes.u16(ByteBuffer.wrap(header), Ipv4Header.Offset.TOTAL_LENGTH, 20);
        forEachVariant(header, (buf, off) -> assertEquals(Ipv4Header.TRUNCATED, Ipv4Header.check(buf, off, 20)));
    }

    @Test
    void shouldRejectBadTotalLengths() {
        // shorter than the header
        for (int total : new int[] {0, 1, 19}) {
            assertTotalLength(PING, PING.length, total, Ipv4Header.BAD_TOTAL_LENGTH);
        }
        assertTotalLength(WITH_OPTIONS, WITH_OPTIONS.length, 31, Ipv4Header.BAD_TOTAL_LENGTH);
        assertTotalLength(WITH_OPTIONS, WITH_OPTIONS.length, 20, Ipv4Header.BAD_TOTAL_LENGTH);
        // longer than what arrived
        assertTotalLength(PING, PING.length, 85, Ipv4Header.BAD_TOTAL_LENGTH);
        assertTotalLength(PING, PING.length, 0xffff, Ipv4Header.BAD_TOTAL_LENGTH);
        // the boundaries
        assertTotalLength(PING, PING.length, 20, Ipv4Header.OK);
        assertTotalLength(PING, PING.length, 84, Ipv4Header.OK);
        assertTotalLength(WITH_OPTIONS, WITH_OPTIONS.length, 32, Ipv4Header.OK);
    }

    private static void assertTotalLength(byte[] packet, int available, int total, int expected) {
        forEachVariant(packet, (buf, off) -> {
            Bytes.u16(buf, off + Ipv4Header.Offset.TOTAL_LENGTH, total);
            assertEquals(expected, Ipv4Header.check(buf, off, available), "total length " + total);
        });
    }

    @Test
    void shouldAcceptAMaximalPacket() {
        byte[] packet = new byte[65535];
        System.arraycopy(PING, 0, packet, 0, 20);
        Bytes.u16(ByteBuffer.wrap(packet), Ipv4Header.Offset.TOTAL_LENGTH, 65535);
        forEachVariant(packet, (buf, off) -> assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, 65535)));
    }

    // ---- check: options ----

    @Test
    void shouldAcceptWellFormedOptions() {
        assertOptions("01 01 01 01", Ipv4Header.OK); // NOPs only
        assertOptions("00 00 00 00", Ipv4Header.OK); // End of Option List
        assertOptions("00 07 00 ff", Ipv4Header.OK); // nothing after End is parsed
        assertOptions("94 04 0000", Ipv4Header.OK); // Router Alert (RFC 2113), exactly filling the area
        assertOptions("01 01 94 02", Ipv4Header.OK); // a 2-byte option ending exactly at the end
        assertOptions("01 94 03 00", Ipv4Header.OK);
        assertOptions("01 07 0b 04 00000000 00000000", Ipv4Header.OK); // NOP + empty Record Route
        assertOptions("44 0c 05 00 00000000 00000000", Ipv4Header.OK); // Timestamp, one slot
        assertOptions("88 04 1234 94 04 0000 00 000000", Ipv4Header.OK); // Stream ID, Router Alert, End
        // the largest option area (40 bytes) holding one 40-byte option, and a 39-byte one followed by End
        assertOptions("07 28 04" + "00".repeat(37), Ipv4Header.OK);
        assertOptions("07 27 04" + "00".repeat(36) + "00", Ipv4Header.OK);
    }

    @Test
    void shouldRejectOptionLengthsBelowTwo() {
        assertOptions("07 00 0000", Ipv4Header.BAD_OPTIONS);
        assertOptions("07 01 0000", Ipv4Header.BAD_OPTIONS);
        assertOptions("01 01 44 00", Ipv4Header.BAD_OPTIONS);
        assertOptions("01 01 44 01", Ipv4Header.BAD_OPTIONS);
        assertOptions("94 04 0000 07 00 0000", Ipv4Header.BAD_OPTIONS); // after a good option
    }

    @Test
    void shouldRejectOptionsOverrunningTheHeader() {
        assertOptions("94 05 0000", Ipv4Header.BAD_OPTIONS);
        assertOptions("01 94 04 00", Ipv4Header.BAD_OPTIONS);
        assertOptions("01 01 01 94", Ipv4Header.BAD_OPTIONS); // type byte with no room for its length
        assertOptions("94 04 0000 01 01 01 07", Ipv4Header.BAD_OPTIONS);
        assertOptions("07 29 04" + "00".repeat(37), Ipv4Header.BAD_OPTIONS); // 41 bytes in a 40-byte area
        assertOptions("07 ff 04" + "00".repeat(37), Ipv4Header.BAD_OPTIONS);
        // the captured Record Route option with its length grown past the header
        assertOptions("01 07 0c 08 7f000001 00000000", Ipv4Header.BAD_OPTIONS);
    }

    /** Builds a header carrying {@code options} (a multiple of 4 bytes), then checks it in a tight buffer. */
    private static void assertOptions(String options, int expected) {
        byte[] opts = hex(options);
        assertEquals(0, opts.length % 4, options);
        int hlen = 20 + opts.length;
        ByteBuffer packet = ByteBuffer.allocate(hlen);
        Ipv4Header.write(packet, 0, hlen, 1, 0, 64, Ipv4Header.PROTO_UDP, HOST, ROUTER, true);
        Bytes.u8(packet, 0, 0x40 | hlen / 4);
        packet.put(20, opts);
        Ipv4Header.fillChecksum(packet, 0);
        forEachVariant(packet.array(), (buf, off) -> {
            assertEquals(expected, Ipv4Header.check(buf, off, hlen), options);
            assertTrue(Ipv4Header.checksumValid(buf, off));
        });
    }

    // ---- round trips ----

    @Test
    void shouldRoundTripRandomHeaders() {
        Random random = new Random(791);
        for (int i = 0; i < 100; i++) {
            int total = 20 + random.nextInt(100);
            int id = random.nextInt(65536);
            int flagsFragment = random.nextInt(65536) & ~0x8000; // the reserved bit stays clear
            int ttl = random.nextInt(256);
            int protocol = random.nextInt(256);
            int src = random.nextInt();
            int dst = random.nextInt();
            forEachZeroed(total, region -> {
                ByteBuffer buf = region.buf();
                int off = region.off();
                Ipv4Header.write(buf, off, total, id, flagsFragment, ttl, protocol, src, dst, false);
                assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, off, total));
                assertTrue(Ipv4Header.checksumValid(buf, off));
                assertEquals(4, Ipv4Header.version(buf, off));
                assertEquals(20, Ipv4Header.headerLength(buf, off));
                assertEquals(0, Ipv4Header.tos(buf, off));
                assertEquals(total, Ipv4Header.totalLength(buf, off));
                assertEquals(id, Ipv4Header.identification(buf, off));
                assertEquals((flagsFragment & Ipv4Header.FLAG_DF) != 0, Ipv4Header.dontFragment(buf, off));
                assertEquals((flagsFragment & Ipv4Header.FLAG_MF) != 0, Ipv4Header.moreFragments(buf, off));
                assertEquals((flagsFragment & Ipv4Header.FRAGMENT_OFFSET_MASK) * 8,
                        Ipv4Header.fragmentOffset(buf, off));
                assertEquals(ttl, Ipv4Header.ttl(buf, off));
                assertEquals(protocol, Ipv4Header.protocol(buf, off));
                assertEquals(src, Ipv4Header.src(buf, off));
                assertEquals(dst, Ipv4Header.dst(buf, off));
            });
        }
    }
}
