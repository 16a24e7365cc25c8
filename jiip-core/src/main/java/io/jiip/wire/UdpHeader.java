package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The UDP header (RFC 768): static readers and writers of each field at a datagram's offset, and {@link #write} for a
 * whole header. Field offsets are in {@link Offset}.
 */
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

    private UdpHeader() {
    }

    /** Writes all four fields; the checksum is left zero (see {@link #checksumOf}). */
    public static void write(ByteBuffer buf, int off, int srcPort, int dstPort, int length) {
        srcPort(buf, off, srcPort);
        dstPort(buf, off, dstPort);
        length(buf, off, length);
        checksum(buf, off, 0);
    }

    public static int srcPort(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.SRC_PORT);
    }

    public static void srcPort(ByteBuffer buf, int off, int port) {
        Bytes.u16(buf, off + Offset.SRC_PORT, port);
    }

    public static int dstPort(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.DST_PORT);
    }

    public static void dstPort(ByteBuffer buf, int off, int port) {
        Bytes.u16(buf, off + Offset.DST_PORT, port);
    }

    /** The UDP length field: header plus payload. */
    public static int length(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.LENGTH);
    }

    public static void length(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.LENGTH, value);
    }

    public static int checksum(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.CHECKSUM);
    }

    public static void checksum(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.CHECKSUM, value);
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
