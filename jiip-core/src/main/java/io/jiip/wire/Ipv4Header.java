package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * Flyweight view of an IPv4 header (RFC 791). Validate once with {@link #check}; accessors do not check.
 */
public final class Ipv4Header {
    public static final int VERSION_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int IDENTIFICATION = 4;
    public static final int FLAGS_FRAGMENT = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SRC = 12;
    public static final int DST = 16;
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

    private ByteBuffer buf;
    private int off;

    /** An unbound view; {@link #wrap} points it at bytes. */
    public Ipv4Header() {
    }

    public Ipv4Header wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        return this;
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
        int vihl = Bytes.u8(buf, off + VERSION_IHL);
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
        int total = Bytes.u16(buf, off + TOTAL_LENGTH);
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

    public static int headerLength(ByteBuffer buf, int off) {
        return (Bytes.u8(buf, off + VERSION_IHL) & 0xf) * 4;
    }

    public static int totalLength(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + TOTAL_LENGTH);
    }

    public static int protocol(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + PROTOCOL);
    }

    public static int src(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + SRC);
    }

    public static int dst(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + DST);
    }

    /**
     * Writes a 20-byte header without options and its checksum (unless {@code checksumOffloaded}, in which case the
     * field is zero for the NIC to fill).
     */
    public static void write(ByteBuffer buf, int off, int totalLength, int id, int flagsFragment, int ttl,
            int protocol, int src, int dst, boolean checksumOffloaded) {
        Bytes.u8(buf, off + VERSION_IHL, 0x45);
        Bytes.u8(buf, off + TOS, 0);
        Bytes.u16(buf, off + TOTAL_LENGTH, totalLength);
        Bytes.u16(buf, off + IDENTIFICATION, id);
        Bytes.u16(buf, off + FLAGS_FRAGMENT, flagsFragment);
        Bytes.u8(buf, off + TTL, ttl);
        Bytes.u8(buf, off + PROTOCOL, protocol);
        Bytes.u16(buf, off + CHECKSUM, 0);
        Bytes.i32(buf, off + SRC, src);
        Bytes.i32(buf, off + DST, dst);
        if (!checksumOffloaded) {
            Bytes.u16(buf, off + CHECKSUM, Checksum.compute(buf, off, MIN_LENGTH));
        }
    }

    public int version() {
        return Bytes.u8(buf, off + VERSION_IHL) >>> 4;
    }

    public int headerLength() {
        return headerLength(buf, off);
    }

    public int tos() {
        return Bytes.u8(buf, off + TOS);
    }

    public int totalLength() {
        return Bytes.u16(buf, off + TOTAL_LENGTH);
    }

    public Ipv4Header totalLength(int value) {
        Bytes.u16(buf, off + TOTAL_LENGTH, value);
        return this;
    }

    public int identification() {
        return Bytes.u16(buf, off + IDENTIFICATION);
    }

    public boolean dontFragment() {
        return (Bytes.u16(buf, off + FLAGS_FRAGMENT) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (Bytes.u16(buf, off + FLAGS_FRAGMENT) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-byte units). */
    public int fragmentOffset() {
        return (Bytes.u16(buf, off + FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK) * 8;
    }

    /** {@code true} for any fragment: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (Bytes.u16(buf, off + FLAGS_FRAGMENT) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return Bytes.u8(buf, off + TTL);
    }

    public int protocol() {
        return Bytes.u8(buf, off + PROTOCOL);
    }

    public int checksum() {
        return Bytes.u16(buf, off + CHECKSUM);
    }

    public Ipv4Header checksum(int value) {
        Bytes.u16(buf, off + CHECKSUM, value);
        return this;
    }

    public int src() {
        return Bytes.i32(buf, off + SRC);
    }

    public Ipv4Header src(int addr) {
        Bytes.i32(buf, off + SRC, addr);
        return this;
    }

    public int dst() {
        return Bytes.i32(buf, off + DST);
    }

    public Ipv4Header dst(int addr) {
        Bytes.i32(buf, off + DST, addr);
        return this;
    }

    /** Recomputes the header checksum in place. */
    public Ipv4Header fillChecksum() {
        Bytes.u16(buf, off + CHECKSUM, 0);
        Bytes.u16(buf, off + CHECKSUM, Checksum.compute(buf, off, headerLength()));
        return this;
    }
}
