package io.jiip.wire;

import java.nio.ByteBuffer;

/** Flyweight view of a UDP header (RFC 768). Field offsets are in {@link Offset}. */
public final class UdpHeader {
    /** Byte offsets of the fields from the start of the header. */
    public static final class Offset {
        public static final int SRC_PORT = 0;
        public static final int DST_PORT = 2;
        /** The length field: header plus payload (not the header's own {@link UdpHeader#LENGTH}). */
        public static final int LENGTH = 4;
        public static final int CHECKSUM = 6;

        private Offset() {
        }
    }

    /** Header length in bytes. */
    public static final int LENGTH = 8;

    private ByteBuffer buf;
    private int off;

    /** An unbound view; {@link #wrap} points it at bytes. */
    public UdpHeader() {
    }

    public UdpHeader wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        return this;
    }

    public int srcPort() {
        return Bytes.u16(buf, off + Offset.SRC_PORT);
    }

    public UdpHeader srcPort(int port) {
        Bytes.u16(buf, off + Offset.SRC_PORT, port);
        return this;
    }

    public int dstPort() {
        return Bytes.u16(buf, off + Offset.DST_PORT);
    }

    public UdpHeader dstPort(int port) {
        Bytes.u16(buf, off + Offset.DST_PORT, port);
        return this;
    }

    /** The UDP length field: header plus payload. */
    public int length() {
        return Bytes.u16(buf, off + Offset.LENGTH);
    }

    public UdpHeader length(int value) {
        Bytes.u16(buf, off + Offset.LENGTH, value);
        return this;
    }

    public int checksum() {
        return Bytes.u16(buf, off + Offset.CHECKSUM);
    }

    public UdpHeader checksum(int value) {
        Bytes.u16(buf, off + Offset.CHECKSUM, value);
        return this;
    }

    /** Writes all four fields; the checksum is left zero (see {@link #checksumOf}). */
    public static void write(ByteBuffer buf, int off, int srcPort, int dstPort, int length) {
        Bytes.u16(buf, off + Offset.SRC_PORT, srcPort);
        Bytes.u16(buf, off + Offset.DST_PORT, dstPort);
        Bytes.u16(buf, off + Offset.LENGTH, length);
        Bytes.u16(buf, off + Offset.CHECKSUM, 0);
    }

    /**
     * The value to store in the checksum field of a datagram of {@code length} bytes whose checksum field is
     * zero: a computed zero is sent as all ones (RFC 768), since zero means "no checksum".
     */
    public static int checksumOf(ByteBuffer buf, int off, int length, int srcIp, int dstIp) {
        int sum = Checksum.finish(Checksum.add(Checksum.pseudoHeader(srcIp, dstIp, Ipv4Header.PROTO_UDP, length),
                buf, off, length));
        return sum == 0 ? 0xffff : sum;
    }
}
