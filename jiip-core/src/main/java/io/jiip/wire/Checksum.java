package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit words.
 *
 * <p>Sums are carried as a {@code long} accumulator so that callers can chain a pseudo-header, a header and a
 * payload without folding in between; {@link #fold} turns an accumulator into the 16-bit sum and {@link #finish}
 * into the value written on the wire. The bulk loop reads 8 bytes at a time: one's-complement addition is
 * byte-order independent per 16-bit lane, so adding the two 32-bit halves of a big-endian long is the same
 * sum as adding its four 16-bit words.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * Adds {@code len} bytes starting at {@code index} to {@code acc}. A range that starts at an odd position of a
     * checksummed area must not be passed: ranges are summed as if they start on a 16-bit boundary.
     */
    public static long add(long acc, ByteBuffer buf, int index, int len) {
        int i = index;
        int end = index + len;
        // 8 bytes per step; each 32-bit half added separately keeps the accumulator far from overflow
        // (2^32 iterations of 2^33 at most).
        while (end - i >= 8) {
            long v = Bytes.i64(buf, i);
            acc += (v >>> 32) + (v & 0xffffffffL);
            i += 8;
        }
        if (end - i >= 4) {
            acc += Bytes.i32(buf, i) & 0xffffffffL;
            i += 4;
        }
        if (end - i >= 2) {
            acc += Bytes.u16(buf, i);
            i += 2;
        }
        if (i < end) {
            acc += (buf.get(i) & 0xff) << 8; // odd trailing byte, padded with zero (RFC 1071 §1)
        }
        return acc;
    }

    /**
     * Adds a range that sits at an odd byte position of the checksummed area, as the pieces of a scatter-gather
     * chain can: summing bytes shifted by one position swaps the bytes of the sum (RFC 1071 §2(B)).
     */
    public static long add(long acc, ByteBuffer buf, int index, int len, boolean oddPosition) {
        if (!oddPosition) {
            return add(acc, buf, index, len);
        }
        int sum = fold(add(0, buf, index, len));
        return acc + (((sum & 0xff) << 8) | (sum >>> 8));
    }

    /** Adds a 32-bit value (e.g. an IPv4 address) to the accumulator. */
    public static long add32(long acc, int value) {
        return acc + (value >>> 16) + (value & 0xffff);
    }

    /** Folds the accumulator into a 16-bit one's-complement sum (not yet complemented). */
    public static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** Folds and complements: the value to store in a checksum field. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xffff;
    }

    /** Checksum of a byte range, ready to store. */
    public static int compute(ByteBuffer buf, int index, int len) {
        return finish(add(0, buf, index, len));
    }

    /** {@code true} when a range that includes its own checksum field sums to all ones (RFC 1071 verification). */
    public static boolean verify(ByteBuffer buf, int index, int len) {
        return fold(add(0, buf, index, len)) == 0xffff;
    }

    /** The IPv4 pseudo-header (RFC 793 §3.1, RFC 768) as an accumulator: addresses, protocol and L4 length. */
    public static long pseudoHeader(int srcIp, int dstIp, int protocol, int l4Length) {
        return add32(add32(0, srcIp), dstIp) + protocol + l4Length;
    }

    /**
     * Incrementally updates a stored checksum when one 16-bit word changes from {@code oldWord} to
     * {@code newWord} (RFC 1624 eqn. 3).
     */
    public static int adjust(int checksum, int oldWord, int newWord) {
        long acc = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return finish(acc);
    }
}
