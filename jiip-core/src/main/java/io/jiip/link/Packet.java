package io.jiip.link;

import java.nio.ByteBuffer;

/**
 * The packet type of {@link PacketPool}: a descriptor (offset, length, chain link, NIC metadata) over a
 * reference-counted slot of a pool buffer. Like an mbuf: the descriptor is recycled, the bytes are shared between
 * clones. Fields are read by backends and links through the accessors; the stack goes through
 * {@link io.jiip.api.PacketOps}.
 */
public final class Packet {
    final PacketPool pool;
    final int id;
    ByteBuffer buffer;
    int slot;
    int slotBase;
    int slotSize;
    int offset;
    int length;
    Packet next;
    boolean inUse;
    /** A clone shares the slot: the pool counts its references ({@code PacketPool}); otherwise this owns it. */
    boolean sharesSlot;

    int txOffloads;
    int l3Offset;
    int l4Offset;
    int segmentSize;
    int rxChecksum;

    Packet(PacketPool pool, int id) {
        this.pool = pool;
        this.id = id;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public Packet next() {
        return next;
    }

    /** Room from {@link #offset()} to the end of the slot. */
    public int capacity() {
        return slotBase + slotSize - offset;
    }

    /** The {@link io.jiip.api.Offload} bits the stack asked for (0 for none). */
    public int txOffloads() {
        return txOffloads;
    }

    public int l3Offset() {
        return l3Offset;
    }

    public int l4Offset() {
        return l4Offset;
    }

    public int segmentSize() {
        return segmentSize;
    }

    /** The {@link io.jiip.api.RxChecksum} verdict the receiving NIC recorded. */
    public int rxChecksum() {
        return rxChecksum;
    }

    public void rxChecksum(int verdict) {
        this.rxChecksum = verdict;
    }

    public void txOffload(int offloads, int l3, int l4, int mss) {
        this.txOffloads = offloads;
        this.l3Offset = l3;
        this.l4Offset = l4;
        this.segmentSize = mss;
    }

    @Override
    public String toString() {
        return "Packet#" + id + "[slot " + slot + ", " + offset + "+" + length + (next != null ? ", chained" : "")
                + (inUse ? "" : ", FREE") + "]";
    }
}
