package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The IPv4 header (RFC 791): static readers and writers of each field at a packet's offset, and {@link #write} for a
 * whole header without options. Validate once with {@link #check}; readers do not check. Field offsets are in
 * {@link Offset}.
 */
public final class Ipv4Header {
    /** Byte offsets of the fields from the start of the header. */
    public static final class Offset {
        /** The version in the high four bits, the IHL (header length in 32-bit words) in the low four. */
        public static final int VERSION_IHL = 0;
        public static final int TOS = 1;
        public static final int TOTAL_LENGTH = 2;
        public static final int IDENTIFICATION = 4;
        /** The flags ({@code FLAG_*}) and the fragment offset in 8-byte units ({@code FRAGMENT_OFFSET_MASK}). */
        public static final int FLAGS_FRAGMENT = 6;
        public static final int TTL = 8;
        public static final int PROTOCOL = 9;
        public static final int CHECKSUM = 10;
        public static final int SRC = 12;
        public static final int DST = 16;

        private Offset() {
        }
    }

    public static final int MIN_LENGTH = 20;
    public static final int MAX_LENGTH = 60;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    /** {@link #check} results. */
    public static final int OK = 0;
    public static final int TRUNCATED = 1;
    public static final int BAD_VERSION = 2;
    public static final int BAD_HEADER_LENGTH = 3;
    public static final int BAD_TOTAL_LENGTH = 4;
    public static final int BAD_OPTIONS = 5;

    private static final int OPT_END = 0;
    private static final int OPT_NOP = 1;

    private Ipv4Header() {
    }

    /**
     * Validates version, IHL, total length against the {@code available} bytes, and the options' TLV structure
     * (RFC 791 §3.1: options are skipped, but a malformed one makes the datagram invalid). The checksum is
     * checked separately ({@link #checksumValid}) because a NIC may already have verified it.
     */
    public static int check(ByteBuffer buf, int off, int available) {
        if (available < MIN_LENGTH) {
            return TRUNCATED;
        }
        int vihl = Bytes.u8(buf, off + Offset.VERSION_IHL);
        if ((vihl >>> 4) != 4) {
            return BAD_VERSION;
        }
        int hlen = (vihl & 0xf) * 4;
        if (hlen < MIN_LENGTH) {
            return BAD_HEADER_LENGTH;
        }
        if (hlen > available) {
            return TRUNCATED;
        }
        int total = totalLength(buf, off);
        if (total < hlen || total > available) {
            return BAD_TOTAL_LENGTH;
        }
        return optionsValid(buf, off + MIN_LENGTH, hlen - MIN_LENGTH) ? OK : BAD_OPTIONS;
    }

    private static boolean optionsValid(ByteBuffer buf, int index, int len) {
        int i = 0;
        while (i < len) {
            int type = Bytes.u8(buf, index + i);
            if (type == OPT_END) {
                return true;
            }
            if (type == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= len) {
                return false;
            }
            int optLen = Bytes.u8(buf, index + i + 1);
            if (optLen < 2 || i + optLen > len) {
                return false;
            }
            i += optLen;
        }
        return true;
    }

    /** {@code true} when the header checksum verifies. */
    public static boolean checksumValid(ByteBuffer buf, int off) {
        return Checksum.verify(buf, off, headerLength(buf, off));
    }

    /**
     * Writes a 20-byte header without options and its checksum (unless {@code checksumOffloaded}, in which case the
     * field is zero for the NIC to fill).
     */
    public static void write(ByteBuffer buf, int off, int totalLength, int id, int flagsFragment, int ttl,
            int protocol, int src, int dst, boolean checksumOffloaded) {
        headerLength(buf, off, MIN_LENGTH);
        tos(buf, off, 0);
        totalLength(buf, off, totalLength);
        identification(buf, off, id);
        flagsFragment(buf, off, flagsFragment);
        ttl(buf, off, ttl);
        protocol(buf, off, protocol);
        checksum(buf, off, 0);
        src(buf, off, src);
        dst(buf, off, dst);
        if (!checksumOffloaded) {
            checksum(buf, off, Checksum.compute(buf, off, MIN_LENGTH));
        }
    }

    /** Recomputes the header checksum in place, over the options too. */
    public static void fillChecksum(ByteBuffer buf, int off) {
        checksum(buf, off, 0);
        checksum(buf, off, Checksum.compute(buf, off, headerLength(buf, off)));
    }

    public static int version(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.VERSION_IHL) >>> 4;
    }

    /** Header length in bytes, from the IHL. */
    public static int headerLength(ByteBuffer buf, int off) {
        return (Bytes.u8(buf, off + Offset.VERSION_IHL) & 0xf) * 4;
    }

    /** Sets version 4 and the IHL from a header length in bytes (a multiple of 4). */
    public static void headerLength(ByteBuffer buf, int off, int bytes) {
        Bytes.u8(buf, off + Offset.VERSION_IHL, 0x40 | bytes / 4);
    }

    public static int tos(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.TOS);
    }

    public static void tos(ByteBuffer buf, int off, int value) {
        Bytes.u8(buf, off + Offset.TOS, value);
    }

    public static int totalLength(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.TOTAL_LENGTH);
    }

    public static void totalLength(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.TOTAL_LENGTH, value);
    }

    public static int identification(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.IDENTIFICATION);
    }

    public static void identification(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.IDENTIFICATION, value);
    }

    /** The raw flags and fragment offset field; see {@link #dontFragment} and the other readers of its parts. */
    public static int flagsFragment(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.FLAGS_FRAGMENT);
    }

    public static void flagsFragment(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.FLAGS_FRAGMENT, value);
    }

    public static boolean dontFragment(ByteBuffer buf, int off) {
        return (flagsFragment(buf, off) & FLAG_DF) != 0;
    }

    public static boolean moreFragments(ByteBuffer buf, int off) {
        return (flagsFragment(buf, off) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-byte units). */
    public static int fragmentOffset(ByteBuffer buf, int off) {
        return (flagsFragment(buf, off) & FRAGMENT_OFFSET_MASK) * 8;
    }

    /** {@code true} for any fragment: MF set or a non-zero offset. */
    public static boolean isFragment(ByteBuffer buf, int off) {
        return (flagsFragment(buf, off) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public static int ttl(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.TTL);
    }

    public static void ttl(ByteBuffer buf, int off, int value) {
        Bytes.u8(buf, off + Offset.TTL, value);
    }

    /** The protocol of the payload: {@code PROTO_*}. */
    public static int protocol(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.PROTOCOL);
    }

    public static void protocol(ByteBuffer buf, int off, int value) {
        Bytes.u8(buf, off + Offset.PROTOCOL, value);
    }

    public static int checksum(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.CHECKSUM);
    }

    public static void checksum(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.CHECKSUM, value);
    }

    public static int src(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + Offset.SRC);
    }

    public static void src(ByteBuffer buf, int off, int addr) {
        Bytes.i32(buf, off + Offset.SRC, addr);
    }

    public static int dst(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + Offset.DST);
    }

    public static void dst(ByteBuffer buf, int off, int addr) {
        Bytes.i32(buf, off + Offset.DST, addr);
    }
}
