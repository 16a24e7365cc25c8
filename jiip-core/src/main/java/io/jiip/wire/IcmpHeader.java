package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The ICMPv4 header (RFC 792): type, code, checksum and the 4-byte rest-of-header, as static readers and writers at
 * a message's offset, and {@link #write} for a whole header. Field offsets are in {@link Offset}; the values of the
 * type and code fields are {@code TYPE_*} and {@code CODE_*}.
 */
public final class IcmpHeader {
    /** Byte offsets of the fields from the start of the header. */
    public static final class Offset {
        public static final int TYPE = 0;
        public static final int CODE = 1;
        public static final int CHECKSUM = 2;
        /** Echo: identifier; destination unreachable code 4: unused (2 bytes). */
        public static final int IDENTIFIER = 4;
        /** Echo: sequence number; destination unreachable code 4: next-hop MTU (RFC 1191 §4). */
        public static final int SEQUENCE = 6;
        public static final int NEXT_HOP_MTU = 6;

        private Offset() {
        }
    }

    public static final int LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    private IcmpHeader() {
    }

    /**
     * Writes a whole header with the checksum zero (see {@link #fillChecksum}). The rest of the header is two 16-bit
     * words: identifier and sequence number for an echo; unused (0) and the next-hop MTU for a fragmentation needed.
     */
    public static void write(ByteBuffer buf, int off, int type, int code, int identifier, int sequence) {
        type(buf, off, type);
        code(buf, off, code);
        checksum(buf, off, 0);
        identifier(buf, off, identifier);
        sequence(buf, off, sequence);
    }

    public static int type(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.TYPE);
    }

    public static void type(ByteBuffer buf, int off, int value) {
        Bytes.u8(buf, off + Offset.TYPE, value);
    }

    public static int code(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.CODE);
    }

    public static void code(ByteBuffer buf, int off, int value) {
        Bytes.u8(buf, off + Offset.CODE, value);
    }

    public static int checksum(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.CHECKSUM);
    }

    public static void checksum(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.CHECKSUM, value);
    }

    public static int identifier(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.IDENTIFIER);
    }

    public static void identifier(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.IDENTIFIER, value);
    }

    public static int sequence(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.SEQUENCE);
    }

    public static void sequence(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.SEQUENCE, value);
    }

    /** The next-hop MTU of a fragmentation needed (RFC 1191 §4); 0 from a router that predates it. */
    public static int nextHopMtu(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.NEXT_HOP_MTU);
    }

    /** Computes the checksum over the whole ICMP message of {@code length} bytes and stores it. */
    public static void fillChecksum(ByteBuffer buf, int off, int length) {
        checksum(buf, off, 0);
        checksum(buf, off, Checksum.compute(buf, off, length));
    }
}
