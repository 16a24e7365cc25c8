package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The ARP packet for Ethernet/IPv4 (RFC 826), the only combination jiip speaks: static readers and writers of each
 * field at a packet's offset, and {@link #write} for a whole packet. Field offsets are in {@link Offset}; field values
 * are {@code HTYPE_*} and {@code OP_*}.
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

    private ArpHeader() {
    }

    /** Validates length and the Ethernet/IPv4 address formats. */
    public static int check(ByteBuffer buf, int off, int len) {
        if (len < LENGTH) {
            return TRUNCATED;
        }
        if (hardwareType(buf, off) != HTYPE_ETHERNET || protocolType(buf, off) != EthernetHeader.TYPE_IPV4
                || hardwareLength(buf, off) != 6 || protocolLength(buf, off) != 4) {
            return UNSUPPORTED;
        }
        return OK;
    }

    /** Writes a whole Ethernet/IPv4 ARP packet. */
    public static void write(ByteBuffer buf, int off, int operation, long senderMac, int senderIp, long targetMac,
            int targetIp) {
        hardwareType(buf, off, HTYPE_ETHERNET);
        protocolType(buf, off, EthernetHeader.TYPE_IPV4);
        hardwareLength(buf, off, 6);
        protocolLength(buf, off, 4);
        operation(buf, off, operation);
        senderMac(buf, off, senderMac);
        senderIp(buf, off, senderIp);
        targetMac(buf, off, targetMac);
        targetIp(buf, off, targetIp);
    }

    /** The hardware address space: {@code HTYPE_*}. */
    public static int hardwareType(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.HTYPE);
    }

    public static void hardwareType(ByteBuffer buf, int off, int type) {
        Bytes.u16(buf, off + Offset.HTYPE, type);
    }

    /** The protocol address space, an EtherType ({@code EthernetHeader.TYPE_*}). */
    public static int protocolType(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.PTYPE);
    }

    public static void protocolType(ByteBuffer buf, int off, int type) {
        Bytes.u16(buf, off + Offset.PTYPE, type);
    }

    /** Length of a hardware address in bytes. */
    public static int hardwareLength(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.HLEN);
    }

    public static void hardwareLength(ByteBuffer buf, int off, int bytes) {
        Bytes.u8(buf, off + Offset.HLEN, bytes);
    }

    /** Length of a protocol address in bytes. */
    public static int protocolLength(ByteBuffer buf, int off) {
        return Bytes.u8(buf, off + Offset.PLEN);
    }

    public static void protocolLength(ByteBuffer buf, int off, int bytes) {
        Bytes.u8(buf, off + Offset.PLEN, bytes);
    }

    /** The operation: {@code OP_*}. */
    public static int operation(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.OPER);
    }

    public static void operation(ByteBuffer buf, int off, int operation) {
        Bytes.u16(buf, off + Offset.OPER, operation);
    }

    public static long senderMac(ByteBuffer buf, int off) {
        return Bytes.mac(buf, off + Offset.SHA);
    }

    public static void senderMac(ByteBuffer buf, int off, long mac) {
        Bytes.mac(buf, off + Offset.SHA, mac);
    }

    public static int senderIp(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + Offset.SPA);
    }

    public static void senderIp(ByteBuffer buf, int off, int ip) {
        Bytes.i32(buf, off + Offset.SPA, ip);
    }

    public static long targetMac(ByteBuffer buf, int off) {
        return Bytes.mac(buf, off + Offset.THA);
    }

    public static void targetMac(ByteBuffer buf, int off, long mac) {
        Bytes.mac(buf, off + Offset.THA, mac);
    }

    public static int targetIp(ByteBuffer buf, int off) {
        return Bytes.i32(buf, off + Offset.TPA);
    }

    public static void targetIp(ByteBuffer buf, int off, int ip) {
        Bytes.i32(buf, off + Offset.TPA, ip);
    }
}
