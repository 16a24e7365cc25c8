package io.jiip.wire;

import java.nio.ByteBuffer;

/** Flyweight view of a TCP header (RFC 9293 §3.1). Options follow at {@link #optionsOffset()}. */
public final class TcpHeader {
    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    /** Offsets of the sequence and acknowledgment numbers (named apart from the {@link #ACK_FLAG} bit). */
    public static final int SEQ_NUMBER = 4;
    public static final int ACK_NUMBER = 8;
    public static final int DATA_OFFSET = 12;
    public static final int FLAGS = 13;
    public static final int WINDOW = 14;
    public static final int CHECKSUM = 16;
    public static final int URGENT = 18;
    public static final int MIN_LENGTH = 20;
    public static final int MAX_LENGTH = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK_FLAG = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** {@link #check} results. */
    public static final int OK = 0;
    public static final int TRUNCATED = 1;
    public static final int BAD_DATA_OFFSET = 2;

    private ByteBuffer buf;
    private int off;

    /** An unbound view; {@link #wrap} points it at bytes. */
    public TcpHeader() {
    }

    public TcpHeader wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        return this;
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

    public static int headerLength(ByteBuffer buf, int off) {
        return (Bytes.u8(buf, off + DATA_OFFSET) >>> 4) * 4;
    }

    public int srcPort() {
        return Bytes.u16(buf, off + SRC_PORT);
    }

    public TcpHeader srcPort(int port) {
        Bytes.u16(buf, off + SRC_PORT, port);
        return this;
    }

    public int dstPort() {
        return Bytes.u16(buf, off + DST_PORT);
    }

    public TcpHeader dstPort(int port) {
        Bytes.u16(buf, off + DST_PORT, port);
        return this;
    }

    /** Sequence number as raw 32 bits; compare only with {@code Seq}. */
    public int seq() {
        return Bytes.i32(buf, off + SEQ_NUMBER);
    }

    public TcpHeader seq(int value) {
        Bytes.i32(buf, off + SEQ_NUMBER, value);
        return this;
    }

    public int ack() {
        return Bytes.i32(buf, off + ACK_NUMBER);
    }

    public TcpHeader ack(int value) {
        Bytes.i32(buf, off + ACK_NUMBER, value);
        return this;
    }

    public int headerLength() {
        return headerLength(buf, off);
    }

    /** Sets the data offset from a header length in bytes (a multiple of 4). */
    public TcpHeader headerLength(int bytes) {
        Bytes.u8(buf, off + DATA_OFFSET, (bytes / 4) << 4);
        return this;
    }

    public int flags() {
        return Bytes.u8(buf, off + FLAGS);
    }

    public TcpHeader flags(int value) {
        Bytes.u8(buf, off + FLAGS, value);
        return this;
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    public int window() {
        return Bytes.u16(buf, off + WINDOW);
    }

    public TcpHeader window(int value) {
        Bytes.u16(buf, off + WINDOW, value);
        return this;
    }

    public int checksum() {
        return Bytes.u16(buf, off + CHECKSUM);
    }

    public TcpHeader checksum(int value) {
        Bytes.u16(buf, off + CHECKSUM, value);
        return this;
    }

    public int urgent() {
        return Bytes.u16(buf, off + URGENT);
    }

    public TcpHeader urgent(int value) {
        Bytes.u16(buf, off + URGENT, value);
        return this;
    }

    /** Offset of the first option byte. */
    public int optionsOffset() {
        return off + MIN_LENGTH;
    }
}
