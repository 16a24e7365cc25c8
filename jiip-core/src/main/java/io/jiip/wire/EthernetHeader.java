package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * The Ethernet II header (IEEE 802.3 with an EtherType, no 802.1Q tag): static readers and writers of each field at
 * a frame's offset, and {@link #write} for a whole header. Field offsets are in {@link Offset}; EtherType values are
 * {@code TYPE_*}.
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

    private EthernetHeader() {
    }

    /** Writes a whole header. */
    public static void write(ByteBuffer buf, int off, long dst, long src, int etherType) {
        dst(buf, off, dst);
        src(buf, off, src);
        etherType(buf, off, etherType);
    }

    public static long dst(ByteBuffer buf, int off) {
        return Bytes.mac(buf, off + Offset.DST);
    }

    public static void dst(ByteBuffer buf, int off, long mac) {
        Bytes.mac(buf, off + Offset.DST, mac);
    }

    public static long src(ByteBuffer buf, int off) {
        return Bytes.mac(buf, off + Offset.SRC);
    }

    public static void src(ByteBuffer buf, int off, long mac) {
        Bytes.mac(buf, off + Offset.SRC, mac);
    }

    /** The EtherType: {@code TYPE_*}. */
    public static int etherType(ByteBuffer buf, int off) {
        return Bytes.u16(buf, off + Offset.ETHER_TYPE);
    }

    public static void etherType(ByteBuffer buf, int off, int type) {
        Bytes.u16(buf, off + Offset.ETHER_TYPE, type);
    }

    /** {@code true} for a group (multicast or broadcast) address: the I/G bit of the first octet. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }
}
