package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The TCP header (RFC 9293 §3.1): static readers and writers of each field at a segment's offset, and
 * {@link #write} for a whole header. Options follow at {@code off + MIN_LENGTH}. Field offsets are in {@link Offset}
 * and the flag bits are {@code FLAG_*}, so that the one cannot be taken for the other.
 */
public final class TcpHeader {
    /** Byte offsets of the fields from the start of the header. */
    public static final class Offset {
        public static final int SRC_PORT = 0;
        public static final int DST_PORT = 2;
        public static final int SEQ_NUMBER = 4;
        public static final int ACK_NUMBER = 8;
        /** The data offset (header length in 32-bit words) in the high four bits. */
        public static final int DATA_OFFSET = 12;
        public static final int FLAGS = 13;
        public static final int WINDOW = 14;
        public static final int CHECKSUM = 16;
        public static final int URGENT = 18;

        private Offset() {
        }
    }

    public static final int MIN_LENGTH = 20;
    public static final int MAX_LENGTH = 60;

    /** Bits of the flags byte ({@link #flags}). */
    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;
    public static final int FLAG_URG = 0x20;
    public static final int FLAG_ECE = 0x40;
    public static final int FLAG_CWR = 0x80;

    /** {@link #check} results. */
    public static final int OK = 0;
    public static final int TRUNCATED = 1;
    public static final int BAD_DATA_OFFSET = 2;

    private TcpHeader() {
    }

    /** Validates that a segment of {@code length} bytes holds its header including options. */
    public static int check(ByteBuffer buf, int off, int length) {
        if (length < MIN_LENGTH) {
            return TRUNCATED;
        }
        int hlen = headerLength(buf, off);
        if (hlen < MIN_LENGTH || hlen > length) {
            return BAD_DATA_OFFSET;
        }
        return OK;
    }

    /**
     * Writes a whole header: {@code headerLength} bytes (a multiple of 4) including the options the caller writes
     * after it, with the checksum and urgent pointer zero.
     */
    public static void write(ByteBuffer buf, int off, int srcPort, int dstPort, int seq, int ack, int headerLength,
            int flags, int window) {
        srcPort(buf, off, srcPort);
        dstPort(buf, off, dstPort);
        seq(buf, off, seq);
        ack(buf, off, ack);
        headerLength(buf, off, headerLength);
        flags(buf, off, flags);
        window(buf, off, window);
        checksum(buf, off, 0);
        urgent(buf, off, 0);
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

    /** Sequence number as raw 32 bits; compare only with {@code Seq}. */
    public static int seq(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + Offset.SEQ_NUMBER);
    }

    public static void seq(ByteBuffer buf, int off, int value) {
        Bytes.i32(buf, off + Offset.SEQ_NUMBER, value);
    }

    /** Acknowledgment number as raw 32 bits. */
    public static int ack(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + Offset.ACK_NUMBER);
    }

    public static void ack(ByteBuffer buf, int off, int value) {
        Bytes.i32(buf, off + Offset.ACK_NUMBER, value);
    }

    /** Header length in bytes, from the data offset (the reserved bits are ignored). */
    public static int headerLength(ByteBuffer buf, int off) {
        return (Bytes.u8(buf, off + Offset.DATA_OFFSET) >>> 4) * 4;
    }

    /** Sets the data offset from a header length in bytes (a multiple of 4); the reserved bits become zero. */
    public static void headerLength(ByteBuffer buf, int off, int bytes) {
        Bytes.u8(buf, off + Offset.DATA_OFFSET, (bytes / 4) << 4);
    }

    /** The flags byte: {@code FLAG_*} bits. */
    public static int flags(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.FLAGS);
    }

    public static void flags(ByteBuffer buf, int off, int flags) {
        Bytes.u8(buf, off + Offset.FLAGS, flags);
    }

    public static int window(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.WINDOW);
    }

    public static void window(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.WINDOW, value);
    }

    public static int checksum(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.CHECKSUM);
    }

    public static void checksum(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.CHECKSUM, value);
    }

    public static int urgent(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.URGENT);
    }

    public static void urgent(ByteBuffer buf, int off, int value) {
        Bytes.u16(buf, off + Offset.URGENT, value);
    }
}
