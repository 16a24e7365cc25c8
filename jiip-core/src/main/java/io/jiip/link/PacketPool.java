package io.jiip.link;

import io.jiip.api.PacketOps;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntFunction;

/**
 * A ready-made {@link PacketOps}: fixed numbers of packet descriptors and buffer slots, allocated once. Slots come
 * in two size classes (small for MTU-sized frames, large for reassembled datagrams and 64 KiB TSO/LRO frames);
 * each class lives in one big {@link ByteBuffer}, heap or direct, with packets at different offsets of it (as an
 * FFM or AF_XDP backend presents its memory), or, with {@code sharedBuffer(false)}, in one buffer per slot.
 *
 * <p>It doubles as the leak checker of the tests: {@link #inUse()} and {@link #buffersInUse()} must return to zero
 * when every owner has freed what it owns, and freeing a packet twice throws {@link IllegalStateException} (a
 * stack bug, never an input problem). Not thread-safe: one pool per context, like the stack.
 */
public final class PacketPool implements PacketOps<Packet> {
    private final Packet[] packets;
    private final int[] freePackets;
    private int freePacketCount;

    private final SizeClass small;
    private final SizeClass large;
    private final int headroom;
    private long allocFailures;

    private static final class SizeClass {
        final int size;
        final ByteBuffer[] buffers;
        /**
         * References to each slot, kept only once a clone shares it ({@link Packet#sharesSlot}): freeing a packet
         * that owns its slot alone then touches nothing but its descriptor, where a count per slot would cost a
         * cache miss per free when many packets are held (the send queues of thousands of connections).
         */
        final int[] refs;
        final int[] free;
        final boolean shared;
        int freeCount;

        SizeClass(int count, int size, boolean direct, boolean shared, ByteOrder order,
                IntFunction<ByteBuffer> memory) {
            this.size = size;
            this.shared = shared;
            this.refs = new int[count];
            this.free = new int[count];
            this.buffers = new ByteBuffer[count];
            ByteBuffer big = shared && count > 0 ? allocate(count * size, direct, order, memory) : null;
            for (int i = 0; i < count; i++) {
                buffers[i] = big != null ? big : allocate(size, direct, order, memory);
                free[i] = count - 1 - i;
            }
            this.freeCount = count;
        }

        boolean isShared() {
            return shared;
        }

        private static ByteBuffer allocate(int bytes, boolean direct, ByteOrder order,
                IntFunction<ByteBuffer> memory) {
            if (memory != null) {
                ByteBuffer b = memory.apply(bytes);
                if (b == null || b.capacity() < bytes) {
                    throw new IllegalArgumentException("memory supplier returned less than " + bytes + " bytes");
                }
                return b.order(order);
            }
            return (direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes)).order(order);
        }
    }

    private PacketPool(Builder b) {
        this.packets = new Packet[b.packets];
        this.freePackets = new int[b.packets];
        for (int i = 0; i < b.packets; i++) {
            packets[i] = new Packet(this, i);
            freePackets[i] = b.packets - 1 - i;
        }
        this.freePacketCount = b.packets;
        this.small = new SizeClass(b.smallBuffers, b.smallSize, b.direct, b.shared, b.order, b.memory);
        this.large = new SizeClass(b.largeBuffers, b.largeSize, b.direct, b.shared, b.order, b.memory);
        this.headroom = b.headroom;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A pool for tests and demos: 4096 descriptors, 2048 small (2 KiB) and 32 large (64 KiB + 256) slots. */
    public static PacketPool standard() {
        return builder().build();
    }

    @Override
    public Packet alloc(int size) {
        SizeClass c = size + headroom <= small.size ? small : size + headroom <= large.size ? large : null;
        if (c == null || c.freeCount == 0 || freePacketCount == 0) {
            allocFailures++;
            return null;
        }
        int slot = c.free[--c.freeCount];
        Packet p = takeDescriptor();
        p.sharesSlot = false;
        p.buffer = c.buffers[slot];
        p.slot = c == small ? slot : -1 - slot;
        p.slotBase = c.isShared() ? slot * c.size : 0;
        p.slotSize = c.size;
        p.offset = p.slotBase + headroom;
        p.length = 0;
        return p;
    }

    private Packet takeDescriptor() {
        Packet p = packets[freePackets[--freePacketCount]];
        p.inUse = true;
        p.next = null;
        p.txOffloads = 0;
        p.l3Offset = 0;
        p.l4Offset = 0;
        p.segmentSize = 0;
        p.rxChecksum = 0;
        return p;
    }

    @Override
    public void free(Packet packet) {
        Packet p = packet;
        while (p != null) {
            if (p.pool != this) {
                throw new IllegalStateException(p + " belongs to another pool");
            }
            if (!p.inUse) {
                throw new IllegalStateException("double free of " + p);
            }
            Packet next = p.next;
            SizeClass c = p.slot >= 0 ? small : large;
            int slot = p.slot >= 0 ? p.slot : -1 - p.slot;
            if (!p.sharesSlot || --c.refs[slot] == 0) {
                c.free[c.freeCount++] = slot;
            }
            p.inUse = false;
            p.next = null;
            p.buffer = null;
            freePackets[freePacketCount++] = p.id;
            p = next;
        }
    }

    @Override
    public ByteBuffer buffer(Packet packet) {
        return packet.buffer;
    }

    @Override
    public int offset(Packet packet) {
        return packet.offset;
    }

    @Override
    public int length(Packet packet) {
        return packet.length;
    }

    @Override
    public void length(Packet packet, int length) {
        if (length < 0 || length > packet.capacity()) {
            throw new IllegalArgumentException("length " + length + " outside 0.." + packet.capacity());
        }
        packet.length = length;
    }

    @Override
    public void trimHead(Packet packet, int bytes) {
        if (bytes < 0 || bytes > packet.length) {
            throw new IllegalArgumentException("trimHead " + bytes + " of " + packet.length);
        }
        packet.offset += bytes;
        packet.length -= bytes;
    }

    @Override
    public void trimTail(Packet packet, int bytes) {
        if (bytes < 0 || bytes > packet.length) {
            throw new IllegalArgumentException("trimTail " + bytes + " of " + packet.length);
        }
        packet.length -= bytes;
    }

    @Override
    public Packet clone(Packet packet) {
        if (freePacketCount == 0) {
            allocFailures++;
            return null;
        }
        SizeClass c = packet.slot >= 0 ? small : large;
        int slot = packet.slot >= 0 ? packet.slot : -1 - packet.slot;
        if (packet.sharesSlot) {
            c.refs[slot]++;
        } else {
            c.refs[slot] = 2; // the count starts with the first clone
            packet.sharesSlot = true;
        }
        Packet p = takeDescriptor();
        p.sharesSlot = true;
        p.buffer = packet.buffer;
        p.slot = packet.slot;
        p.slotBase = packet.slotBase;
        p.slotSize = packet.slotSize;
        p.offset = packet.offset;
        p.length = packet.length;
        return p;
    }

    @Override
    public void chainAppend(Packet head, Packet tail) {
        Packet p = head;
        while (p.next != null) {
            p = p.next;
        }
        p.next = tail;
    }

    @Override
    public Packet chainNext(Packet packet) {
        return packet.next;
    }

    /** Descriptors allocated and not yet freed. Zero when every owner has freed what it owns. */
    public int inUse() {
        return packets.length - freePacketCount;
    }

    /** Buffer slots referenced by at least one packet. */
    public int buffersInUse() {
        return small.buffers.length - small.freeCount + large.buffers.length - large.freeCount;
    }

    /** Allocations and clones refused because a class or the descriptors ran out. */
    public long allocFailures() {
        return allocFailures;
    }

    /** Size of the small slot class (the largest frame that needs no large slot, headroom included). */
    public int smallSlotSize() {
        return small.size;
    }

    /** Sizes of the pool, fixed at construction. */
    public static final class Builder {
        private int packets = 4096;
        private int smallBuffers = 2048;
        private int smallSize = 2048;
        private int largeBuffers = 32;
        private int largeSize = 65536 + 256;
        private boolean direct;
        private boolean shared = true;
        private ByteOrder order = ByteOrder.BIG_ENDIAN;
        private int headroom;
        private IntFunction<ByteBuffer> memory;

        private Builder() {
        }

        /** Packet descriptors (default 4096); clones need descriptors but no slots. */
        public Builder packets(int n) { this.packets = n; return this; }

        /** Small slots and their size (default 2048 of 2048 bytes). */
        public Builder small(int count, int size) { this.smallBuffers = count; this.smallSize = size; return this; }

        /** Large slots and their size (default 32 of 65,792 bytes). */
        public Builder large(int count, int size) { this.largeBuffers = count; this.largeSize = size; return this; }

        /** Direct (off-heap) buffers instead of heap (default heap). */
        public Builder direct(boolean direct) { this.direct = direct; return this; }

        /** One big buffer per size class (default) or one buffer per slot. */
        public Builder sharedBuffer(boolean shared) { this.shared = shared; return this; }

        /** Byte order the buffers are set to; the stack must not care (default big-endian). */
        public Builder order(ByteOrder order) { this.order = order; return this; }

        /**
         * Where the buffers come from: called with a byte count (once per size class with the default shared
         * buffers), returns a buffer of at least that capacity, e.g. {@code n -> arena.allocate(n).asByteBuffer()}
         * for an FFM backend that hands packet addresses to system calls. Overrides {@link #direct}. Default:
         * {@code ByteBuffer.allocate}/{@code allocateDirect}.
         */
        public Builder memory(IntFunction<ByteBuffer> supplier) { this.memory = supplier; return this; }

        /** Bytes left free in front of each packet's data (default 0). */
        public Builder headroom(int bytes) { this.headroom = bytes; return this; }

        public PacketPool build() {
            if (packets < 1 || smallBuffers < 0 || largeBuffers < 0 || smallSize < 64 || largeSize < smallSize
                    || headroom < 0 || headroom >= smallSize) {
                throw new IllegalArgumentException("invalid pool sizes");
            }
            return new PacketPool(this);
        }
    }
}
