package io.jiip.wire;

import java.nio.ByteBuffer;

/** Flyweight view of an ICMPv4 header (RFC 792): type, code, checksum and the 4-byte rest-of-header. */
public final class IcmpHeader {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    /** Echo: identifier; destination unreachable code 4: unused (2 bytes). */
    public static final int IDENTIFIER = 4;
    /** Echo: sequence number; destination unreachable code 4: next-hop MTU (RFC 1191 §4). */
    public static final int SEQUENCE = 6;
    public static final int NEXT_HOP_MTU = 6;
    public static final int LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    private ByteBuffer buf;
    private int off;

    /** An unbound view; {@link #wrap} points it at bytes. */
    public IcmpHeader() {
    }

    public IcmpHeader wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        return this;
    }

    public int type() {
        return Bytes.u8(buf, off + TYPE);
    }

    public IcmpHeader type(int value) {
        Bytes.u8(buf, off + TYPE, value);
        return this;
    }

    public int code() {
        return Bytes.u8(buf, off + CODE);
    }

    public IcmpHeader code(int value) {
        Bytes.u8(buf, off + CODE, value);
        return this;
    }

    public int checksum() {
        return Bytes.u16(buf, off + CHECKSUM);
    }

    public IcmpHeader checksum(int value) {
        Bytes.u16(buf, off + CHECKSUM, value);
        return this;
    }

    public int identifier() {
        return Bytes.u16(buf, off + IDENTIFIER);
    }

    public IcmpHeader identifier(int value) {
        Bytes.u16(buf, off + IDENTIFIER, value);
        return this;
    }

    public int sequence() {
        return Bytes.u16(buf, off + SEQUENCE);
    }

    public IcmpHeader sequence(int value) {
        Bytes.u16(buf, off + SEQUENCE, value);
        return this;
    }

    public int nextHopMtu() {
        return Bytes.u16(buf, off + NEXT_HOP_MTU);
    }

    /** Computes the checksum over the whole ICMP message of {@code length} bytes and stores it. */
    public IcmpHeader fillChecksum(int length) {
        Bytes.u16(buf, off + CHECKSUM, 0);
        Bytes.u16(buf, off + CHECKSUM, Checksum.compute(buf, off, length));
        return this;
    }
}
