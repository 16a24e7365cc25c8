package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.CapturedFrames.LOOPBACK;
import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpHeaderTest {
    /** TCP segments (no Ethernet or IPv4 header) from the captured handshake. */
    private static final byte[] SYN = CapturedFrames.from(CapturedFrames.TCP_SYN, ETH + 20);
    private static final byte[] SYN_ACK = CapturedFrames.from(CapturedFrames.TCP_SYN_ACK, ETH + 20);
    private static final byte[] ACK = CapturedFrames.from(CapturedFrames.TCP_ACK, ETH + 20);

    private static final int[] ALL_FLAGS = {TcpHeader.FLAG_FIN, TcpHeader.FLAG_SYN, TcpHeader.FLAG_RST,
        TcpHeader.FLAG_PSH, TcpHeader.FLAG_ACK, TcpHeader.FLAG_URG, TcpHeader.FLAG_ECE, TcpHeader.FLAG_CWR};

    /** One TCP option as found by the test's own walker: kind and the bytes after the length. */
    private record Option(int kind, byte[] data) {
    }

    /** A minimal RFC 9293 §3.1 option walker, independent of the code under test. */
    private static List<Option> options(ByteBuffer buf, int from, int to) {
        List<Option> found = new ArrayList<>();
        int i = from;
        while (i < to) {
            int kind = buf.get(i) & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                found.add(new Option(1, new byte[0]));
                i++;
                continue;
            }
            int len = buf.get(i + 1) & 0xff;
            found.add(new Option(kind, TestBuffers.copyOut(buf, i + 2, len - 2)));
            i += len;
        }
        return found;
    }

    private static long sumWithPseudoHeader(ByteBuffer buf, int off, int length) {
        return Checksum.add(Checksum.pseudoHeader(LOOPBACK, LOOPBACK, Ipv4Header.PROTO_TCP, length), buf, off, length);
    }

    @Test
    void shouldHaveTheCapturedSizes() {
        assertEquals(40, SYN.length);
        assertEquals(40, SYN_ACK.length);
        assertEquals(32, ACK.length);
        assertEquals(20, TcpHeader.MIN_LENGTH);
        assertEquals(60, TcpHeader.MAX_LENGTH);
    }

    // ---- deconstruct ----

    @Test
    void shouldDeconstructALinuxSyn() {
        forEachVariant(SYN, (buf, off) -> {
            assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, 40));
            assertEquals(46862, TcpHeader.srcPort(buf, off));
            assertEquals(8080, TcpHeader.dstPort(buf, off));
            assertEquals(2975649459L, Integer.toUnsignedLong(TcpHeader.seq(buf, off)));
            assertEquals(0xb15cceb3, TcpHeader.seq(buf, off));
            assertEquals(0, TcpHeader.ack(buf, off));
            assertEquals(40, TcpHeader.headerLength(buf, off));
            assertEquals(TcpHeader.FLAG_SYN, TcpHeader.flags(buf, off));
            for (int flag : ALL_FLAGS) {
                assertEquals(flag == TcpHeader.FLAG_SYN, (TcpHeader.flags(buf, off) & flag) != 0, "flag " + flag);
            }
            assertEquals(65495, TcpHeader.window(buf, off));
            assertEquals(0x5b6a, TcpHeader.checksum(buf, off));
            assertEquals(0, TcpHeader.urgent(buf, off));
            assertEquals(0xffff, Checksum.fold(sumWithPseudoHeader(buf, off, 40)));
        });
    }

    @Test
    void shouldFindTheSynOptionsAtTheOptionsOffset() {
        forEachVariant(SYN, (buf, off) -> {
            List<Option> options = options(buf, off + TcpHeader.MIN_LENGTH, off + TcpHeader.headerLength(buf, off));
            assertEquals(List.of(2, 4, 8, 1, 3), options.stream().map(Option::kind).toList());
            ByteBuffer mss = ByteBuffer.wrap(options.get(0).data());
            assertEquals(65495, mss.getShort(0) & 0xffff);
            assertEquals(0, options.get(1).data().length); // SACK permitted
            ByteBuffer ts = ByteBuffer.wrap(options.get(2).data());
            assertEquals(2936139491L, ts.getInt(0) & 0xffffffffL);
            assertEquals(0, ts.getInt(4));
            assertEquals(10, options.get(4).data()[0]); // window scale
        });
    }

    @Test
    void shouldDeconstructTheSynAck() {
        forEachVariant(SYN_ACK, (buf, off) -> {
            assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, 40));
            assertEquals(8080, TcpHeader.srcPort(buf, off));
            assertEquals(46862, TcpHeader.dstPort(buf, off));
            assertEquals(1596190103L, Integer.toUnsignedLong(TcpHeader.seq(buf, off)));
            assertEquals(0xb15cceb3 + 1, TcpHeader.ack(buf, off)); // acknowledges the SYN
            assertEquals(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, TcpHeader.flags(buf, off));
            assertEquals(65483, TcpHeader.window(buf, off));
            assertEquals(0x7324, TcpHeader.checksum(buf, off));
            assertEquals(0xffff, Checksum.fold(sumWithPseudoHeader(buf, off, 40)));
            ByteBuffer ts = ByteBuffer.wrap(options(buf, off + TcpHeader.MIN_LENGTH, off + 40).get(2).data());
            assertEquals(0x0bab8fda, ts.getInt(0));
            assertEquals(0xaf01eee3, ts.getInt(4)); // echoes the SYN's timestamp
        });
    }

    @Test
    void shouldDeconstructTheFinalAck() {
        forEachVariant(ACK, (buf, off) -> {
            assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, 32));
            assertEquals(32, TcpHeader.headerLength(buf, off));
            assertEquals(TcpHeader.FLAG_ACK, TcpHeader.flags(buf, off));
            assertEquals(0xb15cceb4, TcpHeader.seq(buf, off));
            assertEquals(0x5f23ed98, TcpHeader.ack(buf, off));
            assertEquals(64, TcpHeader.window(buf, off));
            assertEquals(0x9ba3, TcpHeader.checksum(buf, off));
            assertEquals(0xffff, Checksum.fold(sumWithPseudoHeader(buf, off, 32)));
            assertEquals(List.of(1, 1, 8), options(buf, off + TcpHeader.MIN_LENGTH, off + 32).stream()
                    .map(Option::kind).toList());
        });
    }

    // ---- construct ----

    @Test
    void shouldConstructTheHandshake() {
        assertConstructs(SYN, 46862, 8080, 0xb15cceb3, 0, TcpHeader.FLAG_SYN, 65495);
        assertConstructs(SYN_ACK, 8080, 46862, 0x5f23ed97, 0xb15cceb4, TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, 65483);
        assertConstructs(ACK, 46862, 8080, 0xb15cceb4, 0x5f23ed98, TcpHeader.FLAG_ACK, 64);
    }

    private static void assertConstructs(byte[] segment, int src, int dst, int seq, int ack, int flags, int window) {
        int length = segment.length;
        forEachZeroed(length, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            TcpHeader.write(buf, off, src, dst, seq, ack, length, flags, window);
            Bytes.copy(ByteBuffer.wrap(segment), 20, buf, off + TcpHeader.MIN_LENGTH, length - 20);
            TcpHeader.checksum(buf, off, Checksum.finish(sumWithPseudoHeader(buf, off, length)));
            assertBytes(segment, region);
        });
    }

    @Test
    void shouldWriteAWholeHeaderOverStaleBytes() {
        forEachVariant(SYN, (buf, off) -> {
            TcpHeader.write(buf, off, 46862, 8080, 0xb15cceb4, 0x5f23ed98, 32, TcpHeader.FLAG_ACK, 64);
            byte[] expected = ByteBuffer.allocate(20).putShort((short) 46862).putShort((short) 8080)
                    .putInt(0xb15cceb4).putInt(0x5f23ed98).put((byte) 0x80).put((byte) TcpHeader.FLAG_ACK)
                    .putShort((short) 64).putShort((short) 0).putShort((short) 0).array();
            assertEquals(TestBuffers.toHex(expected), TestBuffers.toHex(TestBuffers.copyOut(buf, off, 20)),
                    "every field, the checksum and urgent pointer zero");
            assertEquals(0x02, Bytes.u8(buf, off + 20), "options untouched (the SYN's MSS kind)");
        });
    }

    @Test
    void shouldLayTheFieldsOutAsRfc9293() {
        int[] offsets = {TcpHeader.Offset.SRC_PORT, TcpHeader.Offset.DST_PORT, TcpHeader.Offset.SEQ_NUMBER,
            TcpHeader.Offset.ACK_NUMBER, TcpHeader.Offset.DATA_OFFSET, TcpHeader.Offset.FLAGS, TcpHeader.Offset.WINDOW,
            TcpHeader.Offset.CHECKSUM, TcpHeader.Offset.URGENT, TcpHeader.MIN_LENGTH};
        assertEquals(Arrays.toString(new int[] {0, 2, 4, 8, 12, 13, 14, 16, 18, 20}), Arrays.toString(offsets));
    }

    // ---- check ----

    @Test
    void shouldReportEveryTruncation() {
        for (int n = 0; n < SYN.length; n++) {
            int length = n;
            // below the fixed header: truncated; a fixed header whose data offset (40) exceeds the segment: bad offset
            int expected = n < 20 ? TcpHeader.TRUNCATED : TcpHeader.BAD_DATA_OFFSET;
            // exactly n bytes in the buffer: check must not read past them
            forEachVariant(Arrays.copyOf(SYN, n), (buf, off) -> assertEquals(expected, TcpHeader.check(buf, off,
                    length), "length " + length));
        }
    }

    @Test
    void shouldAcceptASegmentWithPayload() {
        byte[] segment = Arrays.copyOf(ACK, 1400);
        forEachVariant(segment, (buf, off) -> assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, 1400)));
    }

    @Test
    void shouldRejectDataOffsetsBelowFive() {
        for (int dataOffset = 0; dataOffset < 5; dataOffset++) {
            int byte12 = dataOffset << 4;
            forEachVariant(SYN, (buf, off) -> {
                Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET, byte12);
                assertEquals(TcpHeader.BAD_DATA_OFFSET, TcpHeader.check(buf, off, 40), "data offset " + (byte12 >> 4));
            });
        }
    }

    @Test
    void shouldRejectDataOffsetsBeyondTheSegment() {
        forEachVariant(SYN, (buf, off) -> {
            Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET, 0xf0); // 60 bytes claimed, 40 present
            assertEquals(TcpHeader.BAD_DATA_OFFSET, TcpHeader.check(buf, off, 40));
            Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET, 0xb0); // 44 bytes
            assertEquals(TcpHeader.BAD_DATA_OFFSET, TcpHeader.check(buf, off, 40));
        });
    }

    @Test
    void shouldAcceptEveryDataOffsetThatFits() {
        byte[] segment = Arrays.copyOf(SYN, 60);
        for (int dataOffset = 5; dataOffset <= 15; dataOffset++) {
            int byte12 = dataOffset << 4;
            forEachVariant(segment, (buf, off) -> {
                Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET, byte12);
                int hlen = (byte12 >> 4) * 4;
                assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, hlen), "data offset " + (byte12 >> 4));
                assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, 60));
                if (hlen > 20) {
                    assertEquals(TcpHeader.BAD_DATA_OFFSET, TcpHeader.check(buf, off, hlen - 1));
                }
            });
        }
    }

    @Test
    void shouldIgnoreTheReservedBitsWhenReadingTheDataOffset() {
        forEachVariant(SYN, (buf, off) -> {
            Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET, 0xaf);
            assertEquals(40, TcpHeader.headerLength(buf, off));
            assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, 40));
        });
    }

    // ---- fields ----

    @Test
    void shouldSetTheHeaderLengthAsADataOffset() {
        for (int hlen = 20; hlen <= 60; hlen += 4) {
            int h = hlen;
            forEachVariant(SYN, (buf, off) -> {
                Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET, 0x0f); // reserved bits set
                TcpHeader.headerLength(buf, off, h);
                assertEquals(h, TcpHeader.headerLength(buf, off));
                assertEquals((h / 4) << 4, Bytes.u8(buf, off + TcpHeader.Offset.DATA_OFFSET));
                assertEquals(TcpHeader.FLAG_SYN, TcpHeader.flags(buf, off), "flags untouched");
            });
        }
    }

    @Test
    void shouldTellEachFlagApart() {
        int all = 0;
        for (int flag : ALL_FLAGS) {
            assertEquals(1, Integer.bitCount(flag));
            assertEquals(0, all & flag, "flags overlap");
            all |= flag;
        }
        assertEquals(0xff, all);
        for (int flag : ALL_FLAGS) {
            forEachZeroed(20, region -> {
                TcpHeader.flags(region.buf(), region.off(), flag);
                int flags = TcpHeader.flags(region.buf(), region.off());
                for (int other : ALL_FLAGS) {
                    assertEquals(other == flag, (flags & other) != 0);
                }
                assertEquals(flag, Bytes.u8(region.buf(), region.off() + 13));
            });
        }
    }

    @Test
    void shouldCarrySequenceNumbersAsRaw32Bits() {
        for (int value : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0xb15cceb3}) {
            forEachZeroed(20, region -> {
                TcpHeader.seq(region.buf(), region.off(), value);
                TcpHeader.ack(region.buf(), region.off(), ~value);
                assertEquals(value, TcpHeader.seq(region.buf(), region.off()));
                assertEquals(~value, TcpHeader.ack(region.buf(), region.off()));
                assertEquals(value, Bytes.i32(region.buf(), region.off() + TcpHeader.Offset.SEQ_NUMBER));
            });
        }
    }

    // ---- round trips ----

    @Test
    void shouldRoundTripRandomHeaders() {
        Random random = new Random(9293);
        for (int i = 0; i < 100; i++) {
            int src = random.nextInt(65536);
            int dst = random.nextInt(65536);
            int seq = random.nextInt();
            int ack = random.nextInt();
            int hlen = 20 + 4 * random.nextInt(11);
            int flags = random.nextInt(256);
            int window = random.nextInt(65536);
            int checksum = random.nextInt(65536);
            int urgent = random.nextInt(65536);
            forEachZeroed(hlen, region -> {
                ByteBuffer buf = region.buf();
                int off = region.off();
                TcpHeader.srcPort(buf, off, src);
                TcpHeader.dstPort(buf, off, dst);
                TcpHeader.seq(buf, off, seq);
                TcpHeader.ack(buf, off, ack);
                TcpHeader.headerLength(buf, off, hlen);
                TcpHeader.flags(buf, off, flags);
                TcpHeader.window(buf, off, window);
                TcpHeader.checksum(buf, off, checksum);
                TcpHeader.urgent(buf, off, urgent);
                assertEquals(TcpHeader.OK, TcpHeader.check(buf, off, hlen));
                assertEquals(src, TcpHeader.srcPort(buf, off));
                assertEquals(dst, TcpHeader.dstPort(buf, off));
                assertEquals(seq, TcpHeader.seq(buf, off));
                assertEquals(ack, TcpHeader.ack(buf, off));
                assertEquals(hlen, TcpHeader.headerLength(buf, off));
                assertEquals(flags, TcpHeader.flags(buf, off));
                assertEquals(window, TcpHeader.window(buf, off));
                assertEquals(checksum, TcpHeader.checksum(buf, off));
                assertEquals(urgent, TcpHeader.urgent(buf, off));
                byte[] expected = ByteBuffer.allocate(hlen).putShort((short) src).putShort((short) dst).putInt(seq)
                        .putInt(ack).put((byte) ((hlen / 4) << 4)).put((byte) flags).putShort((short) window)
                        .putShort((short) checksum).putShort((short) urgent).array();
                assertBytes(expected, region);
            });
        }
    }
}
