package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.CapturedFrames.LOOPBACK;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    private static final int RANDOM_RUNS = 600;

    // ---- the reference: deliberately naive RFC 1071, one byte pair at a time ----

    /** One's-complement sum of {@code data[from..from+len)}, pairs taken big-endian, odd byte padded with zero. */
    private static int naiveSum(byte[] data, int from, int len) {
        int sum = 0;
        int i = from;
        int count = len;
        while (count > 1) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
            i += 2;
            count -= 2;
        }
        if (count > 0) {
            sum += (data[i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    private static int naiveChecksum(byte[] data, int from, int len) {
        return ~naiveSum(data, from, len) & 0xffff;
    }

    /** The IPv4 pseudo-header laid out as bytes (RFC 768 / RFC 793) and summed naively. */
    private static int naivePseudoSum(int src, int dst, int protocol, int length) {
        byte[] p = new byte[12];
        ByteBuffer.wrap(p).putInt(src).putInt(dst).put((byte) 0).put((byte) protocol).putShort((short) length);
        return naiveSum(p, 0, 12);
    }

    private static byte[] randomBytes(Random random, int len) {
        byte[] data = new byte[len];
        random.nextBytes(data);
        // runs of 0xff and 0x00 exercise end-around carries and the zero cases harder than uniform noise
        if (len > 0 && random.nextInt(4) == 0) {
            int from = random.nextInt(len);
            int to = from + random.nextInt(len - from + 1);
            byte fill = random.nextBoolean() ? (byte) 0xff : 0;
            for (int i = from; i < to; i++) {
                data[i] = fill;
            }
        }
        return data;
    }

    private static ByteBuffer randomPlacement(Random random, byte[] data, int offset) {
        ByteBuffer buf = TestBuffers.place(TestBuffers.Variant.values()[random.nextInt(TestBuffers.Variant.values()
                .length)], new byte[offset + data.length + 3]).buf();
        // place() may put the region at a non-zero offset; here we want our own offset, so use absolute writes
        for (int i = 0; i < data.length; i++) {
            buf.put(offset + i, data[i]);
        }
        return buf;
    }

    // ---- the reference against itself: RFC 1071 §3 numerical example ----

    @Test
    void shouldMatchTheRfc1071NumericalExample() {
        // 0001 + f203 + f4f5 + f6f7 = 2ddf0; folding the carries gives ddf2; the checksum is its complement
        byte[] data = hex("00 01 f2 03 f4 f5 f6 f7");
        assertEquals(0xddf2, naiveSum(data, 0, 8));
        forEachVariant(data, (buf, off) -> {
            assertEquals(0xddf2, Checksum.fold(Checksum.add(0, buf, off, 8)));
            assertEquals(0x220d, Checksum.finish(Checksum.add(0, buf, off, 8)));
            assertEquals(0x220d, Checksum.compute(buf, off, 8));
        });
    }

    @Test
    void shouldComputeTheCapturedIpv4HeaderChecksums() {
        for (byte[] frame : new byte[][] {CapturedFrames.PING_REQUEST, CapturedFrames.DNS_QUERY, CapturedFrames.TCP_SYN,
                CapturedFrames.PORT_UNREACHABLE, CapturedFrames.UDP_WITH_IP_OPTIONS}) {
            int hlen = (frame[ETH] & 0xf) * 4;
            int stored = Bytes.u16(ByteBuffer.wrap(frame), ETH + Ipv4Header.Offset.CHECKSUM);
            byte[] header = CapturedFrames.range(frame, ETH, hlen);
            forEachVariant(header, (buf, off) -> {
                assertTrue(Checksum.verify(buf, off, hlen));
                assertEquals(0xffff, Checksum.fold(Checksum.add(0, buf, off, hlen)));
                Bytes.u16(buf, off + Ipv4Header.Offset.CHECKSUM, 0);
                assertEquals(stored, Checksum.compute(buf, off, hlen));
                assertFalse(Checksum.verify(buf, off, hlen));
            });
        }
    }

    // ---- random buffers against the reference ----

    @Test
    void shouldMatchTheNaiveSumOnRandomBuffers() {
        Random random = new Random(0x6a696970L);
        for (int run = 0; run < RANDOM_RUNS; run++) {
            int len = run < 64 ? run : random.nextInt(2001);
            int offset = random.nextInt(9); // odd and even positions in the buffer
            byte[] data = randomBytes(random, len);
            ByteBuffer buf = randomPlacement(random, data, offset);
            String what = "run " + run + " len " + len + " offset " + offset;

            long acc = Checksum.add(0, buf, offset, len);
            assertTrue(acc >= 0, what);
            assertEquals(naiveSum(data, 0, len), Checksum.fold(acc), what);
            assertEquals(naiveChecksum(data, 0, len), Checksum.finish(acc), what);
            assertEquals(naiveChecksum(data, 0, len), Checksum.compute(buf, offset, len), what);
        }
    }

    @Test
    void shouldChainPartialSumsSplitAtEvenBoundaries() {
        Random random = new Random(1071);
        for (int run = 0; run < RANDOM_RUNS; run++) {
            int len = random.nextInt(2001);
            int offset = random.nextInt(9);
            byte[] data = randomBytes(random, len);
            ByteBuffer buf = randomPlacement(random, data, offset);
            long start = random.nextBoolean() ? 0 : random.nextInt() & 0xffffffffL; // e.g. a pseudo-header
            int pieces = 1 + random.nextInt(6);

            long acc = start;
            int at = 0;
            for (int p = 0; p < pieces && at < len; p++) {
                int remaining = len - at;
                int n = p == pieces - 1 ? remaining : Math.min(remaining, 2 * random.nextInt(remaining / 2 + 1));
                acc = Checksum.add(acc, buf, offset + at, n);
                at += n;
            }
            acc = Checksum.add(acc, buf, offset + at, len - at);

            int expected = Checksum.fold(start + naiveSum(data, 0, len));
            assertEquals(expected, Checksum.fold(acc), "run " + run);
            assertEquals(Checksum.fold(Checksum.add(start, buf, offset, len)), Checksum.fold(acc), "run " + run);
        }
    }

    @Test
    void shouldVerifyAnyBufferWithItsChecksumStoredAtAnEvenPosition() {
        Random random = new Random(791);
        for (int run = 0; run < RANDOM_RUNS; run++) {
            int len = 2 + random.nextInt(1999);
            int field = 2 * random.nextInt(len / 2);
            int offset = random.nextInt(9);
            byte[] data = randomBytes(random, len);
            data[field] = 0;
            data[field + 1] = 0;
            int checksum = naiveChecksum(data, 0, len);
            ByteBuffer buf = randomPlacement(random, data, offset);

            assertEquals(checksum, Checksum.compute(buf, offset, len), "run " + run);
            Bytes.u16(buf, offset + field, checksum);
            assertTrue(Checksum.verify(buf, offset, len), "run " + run);

            // any single-bit error is detected
            int bit = random.nextInt(len * 8);
            int index = offset + bit / 8;
            buf.put(index, (byte) (buf.get(index) ^ (1 << (bit % 8))));
            assertFalse(Checksum.verify(buf, offset, len), "run " + run + " bit " + bit);
        }
    }

    @Test
    void shouldSumLongRunsOfOnesWithoutOverflow() {
        byte[] ones = new byte[65535];
        Arrays.fill(ones, (byte) 0xff);
        forEachVariant(ones, (buf, off) -> {
            // 32767 words of 0xffff (each worth nothing modulo 0xffff) and a trailing 0xff00
            long acc = Checksum.add(0, buf, off, ones.length);
            assertEquals(0xff00, naiveSum(ones, 0, ones.length));
            assertEquals(0xff00, Checksum.fold(acc));
            for (int i = 0; i < 100; i++) {
                acc = Checksum.add(acc, buf, off, 65534);
            }
            assertEquals(0xff00, Checksum.fold(acc));
        });
    }

    @Test
    void shouldSumTheOddTrailingByteAsTheHighHalfOfAWord() {
        forEachVariant(hex("12 34 56"), (buf, off) -> {
            assertEquals(0x1234 + 0x5600, Checksum.add(0, buf, off, 3));
            assertEquals(0x1200, Checksum.add(0, buf, off, 1));
            assertEquals(0, Checksum.add(0, buf, off, 0));
            assertEquals(0xffff, Checksum.compute(buf, off, 0));
        });
    }

    // ---- fold / finish ----

    @Test
    void shouldFoldLikeArithmeticModulo65535() {
        Random random = new Random(65535);
        long[] fixed = {0, 1, 0xffff, 0x10000, 0x1fffe, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE, -1L,
                Long.MIN_VALUE};
        for (int i = 0; i < fixed.length + 2000; i++) {
            long acc = i < fixed.length ? fixed[i] : random.nextLong() >>> random.nextInt(64);
            // one's-complement: 0 stays 0, otherwise the representative in 1..0xffff of acc mod 0xffff
            long expected = acc == 0 ? 0 : Long.remainderUnsigned(acc - 1, 0xffff) + 1;
            int folded = Checksum.fold(acc);
            assertEquals(expected, folded, Long.toHexString(acc));
            assertEquals(~folded & 0xffff, Checksum.finish(acc), Long.toHexString(acc));
        }
    }

    @Test
    void shouldFinishZeroAsAllOnesAndAllOnesAsZero() {
        assertEquals(0xffff, Checksum.finish(0));
        assertEquals(0, Checksum.finish(0xffff));
        assertEquals(0, Checksum.finish(0x1fffe));
        assertEquals(0xfffe, Checksum.finish(1));
    }

    // ---- add32 / pseudoHeader ----

    @Test
    void shouldAdd32BitValuesAsTwoWords() {
        assertEquals(0x7f00 + 0x0001, Checksum.add32(0, LOOPBACK));
        assertEquals(0xffff + 0xffff, Checksum.add32(0, 0xffffffff)); // no sign extension
        assertEquals(5 + 0xc0a8 + 0x01fe, Checksum.add32(5, 0xc0a801fe));
        Random random = new Random(32);
        for (int i = 0; i < 1000; i++) {
            int value = random.nextInt();
            long acc = random.nextInt() & 0xffffffffL;
            byte[] bytes = ByteBuffer.allocate(4).putInt(value).array();
            assertEquals(acc + naiveSum(bytes, 0, 2) + naiveSum(bytes, 2, 2), Checksum.add32(acc, value));
            // add() may carry a differently split (unfolded) accumulator; only the folded sums must agree
            assertEquals(Checksum.fold(Checksum.add(acc, ByteBuffer.wrap(bytes), 0, 4)),
                    Checksum.fold(Checksum.add32(acc, value)));
        }
    }

    @Test
    void shouldSumThePseudoHeaderLikeItsByteLayout() {
        Random random = new Random(768);
        for (int i = 0; i < 2000; i++) {
            int src = random.nextInt();
            int dst = random.nextInt();
            int protocol = random.nextInt(256);
            int length = random.nextInt(65536);
            assertEquals(naivePseudoSum(src, dst, protocol, length),
                    Checksum.fold(Checksum.pseudoHeader(src, dst, protocol, length)));
        }
        assertEquals(naivePseudoSum(-1, -1, 255, 0xffff), Checksum.fold(Checksum.pseudoHeader(-1, -1, 255, 0xffff)));
    }

    @Test
    void shouldMatchThePseudoHeaderSumLinuxLeavesInLoopbackSegments() {
        // With checksum offload pending, Linux stores the folded pseudo-header sum in the field.
        assertEquals(CapturedFrames.DNS_QUERY_PARTIAL_CHECKSUM,
                Checksum.fold(Checksum.pseudoHeader(LOOPBACK, LOOPBACK, Ipv4Header.PROTO_UDP, 37)));
        assertEquals(CapturedFrames.SYN_PARTIAL_CHECKSUM,
                Checksum.fold(Checksum.pseudoHeader(LOOPBACK, LOOPBACK, Ipv4Header.PROTO_TCP, 40)));
    }

    // ---- adjust (RFC 1624) ----

    @Test
    void shouldAdjustLikeTheRfc1624Example() {
        // RFC 1624 §4: m = 0x5555 -> m' = 0x3285, sum of the rest 0xcd7a: HC 0xdd2f -> 0x0000 (eqn. 3, not 0xffff)
        assertEquals(0x122cf, 0xcd7a + 0x5555); // folds to 0x22d0, whose complement is HC
        assertEquals(0xdd2f, ~0x22d0 & 0xffff);
        assertEquals(0xdd2f, Checksum.finish(0xcd7a + 0x5555));
        assertEquals(0x0000, Checksum.adjust(0xdd2f, 0x5555, 0x3285));
    }

    @Test
    void shouldAdjustTheIpv4ChecksumWhenTheTtlIsDecremented() {
        byte[] header = CapturedFrames.range(CapturedFrames.PING_REQUEST, ETH, 20);
        forEachVariant(header, (buf, off) -> {
            int oldWord = Bytes.u16(buf, off + Ipv4Header.Offset.TTL);
            int newWord = oldWord - 0x100;
            Bytes.u8(buf, off + Ipv4Header.Offset.TTL, 63);
            int adjusted = Checksum.adjust(Bytes.u16(buf, off + Ipv4Header.Offset.CHECKSUM), oldWord, newWord);
            Bytes.u16(buf, off + Ipv4Header.Offset.CHECKSUM, adjusted);
            assertTrue(Checksum.verify(buf, off, 20));
            Bytes.u16(buf, off + Ipv4Header.Offset.CHECKSUM, 0);
            assertEquals(Checksum.compute(buf, off, 20), adjusted);
            assertEquals(0xf0ab, adjusted);
        });
    }

    @Test
    void shouldAdjustLikeAFullRecomputationForRandomWordChanges() {
        Random random = new Random(1624);
        for (int run = 0; run < 5000; run++) {
            int words = 2 + random.nextInt(40);
            byte[] data = randomBytes(random, words * 2);
            // a fixed non-zero word, as every real header has (IPv4 version, UDP/TCP pseudo-header): only an
            // all-zero range has both +0 and -0 as valid checksums
            data[0] = 0x45;
            int field = 1 + random.nextInt(words - 1);
            data[2 * field] = 0;
            data[2 * field + 1] = 0;
            ByteBuffer buf = ByteBuffer.wrap(data);
            int checksum = Checksum.compute(buf, 0, data.length);
            Bytes.u16(buf, 2 * field, checksum);

            for (int change = 0; change < 3; change++) {
                int word = 1 + random.nextInt(words - 1);
                if (word == field) {
                    continue;
                }
                int oldWord = Bytes.u16(buf, 2 * word);
                int newWord = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> 0xffff;
                    default -> random.nextInt(65536);
                };
                Bytes.u16(buf, 2 * word, newWord);
                checksum = Checksum.adjust(checksum, oldWord, newWord);
                Bytes.u16(buf, 2 * field, checksum);

                Bytes.u16(buf, 2 * field, 0);
                assertEquals(Checksum.compute(buf, 0, data.length), checksum, "run " + run + " change " + change);
                Bytes.u16(buf, 2 * field, checksum);
                assertTrue(Checksum.verify(buf, 0, data.length), "run " + run);
            }
        }
    }
}
