package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * Flyweight view of an ARP packet for Ethernet/IPv4 (RFC 826): the only combination jiip speaks. Field offsets are in
 * {@link Offset}; field values are {@code HTYPE_*} and {@code OP_*}.
 */
public final class ArpHeader {
    /** Byte offsets of the fields from the start of the packet. */
    public static final class Offset {
        public static final int HTYPE = 0;
        public static final int PTYPE = 2;
        public static final int HLEN = 4;
        public static final int PLEN = 5;
        /** The operation: {@code OP_*}. */
        public static final int OPER = 6;
        public static final int SHA = 8;
        public static final int SPA = 14;
        public static final int THA = 18;
        public static final int TPA = 24;

        private Offset() {
        }
    }

    public static final int LENGTH = 28;

    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    /** {@link #check} result: valid Ethernet/IPv4 ARP. */
    public static final int OK = 0;
    public static final int TRUNCATED = 1;
    public static final int UNSUPPORTED = 2;

    private ByteBuffer buf;
    private int off;

    /** An unbound view; {@link #wrap} points it at bytes. */
    public ArpHeader() {
    }

    public ArpHeader wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        return this;
    }

    /** Validates length and the Ethernet/IPv4 address formats. */
    public static int check(ByteBuffer buf, int off, int len) {
        if (len < LENGTH) {
            return TRUNCATED;
        }
        if (Bytes.u16(buf, off + Offset.HTYPE) != HTYPE_ETHERNET
                || Bytes.u16(buf, off + Offset.PTYPE) != EthernetHeader.TYPE_IPV4
                || Bytes.u8(buf, off + Offset.HLEN) != 6 || Bytes.u8(buf, off + Offset.PLEN) != 4) {
            return UNSUPPORTED;
        }
        return OK;
    }

    public int operation() {
        return Bytes.u16(buf, off + Offset.OPER);
    }

    public long senderMac() {
        return Bytes.mac(buf, off + Offset.SHA);
    }

    public int senderIp() {
        return Bytes.i32(buf, off + Offset.SPA);
    }

    public long targetMac() {
        return Bytes.mac(buf, off + Offset.THA);
    }

    public int targetIp() {
        return Bytes.i32(buf, off + Offset.TPA);
    }

    /** Writes a whole Ethernet/IPv4 ARP packet. */
    public static void write(ByteBuffer buf, int off, int operation, long senderMac, int senderIp, long targetMac,
            int targetIp) {
        Bytes.u16(buf, off + Offset.HTYPE, HTYPE_ETHERNET);
        Bytes.u16(buf, off + Offset.PTYPE, EthernetHeader.TYPE_IPV4);
        Bytes.u8(buf, off + Offset.HLEN, 6);
        Bytes.u8(buf, off + Offset.PLEN, 4);
        Bytes.u16(buf, off + Offset.OPER, operation);
        Bytes.mac(buf, off + Offset.SHA, senderMac);
        Bytes.i32(buf, off + Offset.SPA, senderIp);
        Bytes.mac(buf, off + Offset.THA, targetMac);
        Bytes.i32(buf, off + Offset.TPA, targetIp);
    }
}
