package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * Flyweight view of an Ethernet II header (IEEE 802.3 with an EtherType, no 802.1Q tag). Field offsets are in
 * {@link Offset}; EtherType values are {@code TYPE_*}.
 */
public final class EthernetHeader {
    /** Byte offsets of the fields from the start of the header. */
    public static final class Offset {
        public static final int DST = 0;
        public static final int SRC = 6;
        public static final int ETHER_TYPE = 12;

        private Offset() {
        }
    }

    public static final int LENGTH = 14;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86dd;

    public static final long BROADCAST = 0xffff_ffff_ffffL;

    private ByteBuffer buf;
    private int off;

    /** An unbound view; {@link #wrap} points it at bytes. */
    public EthernetHeader() {
    }

    public EthernetHeader wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        return this;
    }

    public long dst() {
        return Bytes.mac(buf, off + Offset.DST);
    }

    public EthernetHeader dst(long mac) {
        Bytes.mac(buf, off + Offset.DST, mac);
        return this;
    }

    public long src() {
        return Bytes.mac(buf, off + Offset.SRC);
    }

    public EthernetHeader src(long mac) {
        Bytes.mac(buf, off + Offset.SRC, mac);
        return this;
    }

    public int etherType() {
        return Bytes.u16(buf, off + Offset.ETHER_TYPE);
    }

    public EthernetHeader etherType(int type) {
        Bytes.u16(buf, off + Offset.ETHER_TYPE, type);
        return this;
    }

    /** Writes a whole header. */
    public static void write(ByteBuffer buf, int off, long dst, long src, int etherType) {
        Bytes.mac(buf, off + Offset.DST, dst);
        Bytes.mac(buf, off + Offset.SRC, src);
        Bytes.u16(buf, off + Offset.ETHER_TYPE, etherType);
    }

    public static long dst(ByteBuffer buf, int off) {
        return Bytes.mac(buf, off + Offset.DST);
    }

    public static long src(ByteBuffer buf, int off) {
        return Bytes.mac(buf, off + Offset.SRC);
    }

    public static int etherType(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.ETHER_TYPE);
    }

    /** {@code true} for a group (multicast or broadcast) address: the I/G bit of the first octet. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }
}
