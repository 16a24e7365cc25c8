package io.jiip.tcp;

/**
 * Descriptors for packets a connection holds: sent data awaiting acknowledgment and out-of-order data awaiting
 * its gap. One pool per context, sized at construction; per-connection queues are singly linked lists of indices.
 * A descriptor names a byte range {@code [data, data + len)} of its packet's buffer and the sequence number of its
 * first byte.
 */
final class SegmentPool {
    static final int NONE = -1;
    /** Fields of a descriptor side by side (one cache line): sequence number, length, data index, next. */
    private static final int SEQ = 0;
    private static final int LEN = 1;
    private static final int DATA = 2;
    private static final int NEXT = 3;
    private static final int STRIDE = 4;

    final Object[] packet;
    private final int[] fields;
    private final int[] free;
    private int freeCount;

    SegmentPool(int capacity) {
        this.packet = new Object[capacity];
        this.fields = new int[capacity * STRIDE];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /** A descriptor, or {@link #NONE} when the pool is empty. */
    int alloc(Object pkt, int sequence, int dataIndex, int length) {
        if (freeCount == 0) {
            return NONE;
        }
        int d = free[--freeCount];
        packet[d] = pkt;
        int f = d * STRIDE;
        fields[f + SEQ] = sequence;
        fields[f + DATA] = dataIndex;
        fields[f + LEN] = length;
        fields[f + NEXT] = NONE;
        return d;
    }

    /** Returns the descriptor (not its packet, which the caller frees or keeps). */
    void release(int d) {
        packet[d] = null;
        free[freeCount++] = d;
    }

    int available() {
        return freeCount;
    }

    /** Sequence number of the descriptor's first byte. */
    int seq(int d) {
        return fields[d * STRIDE + SEQ];
    }

    int len(int d) {
        return fields[d * STRIDE + LEN];
    }

    /** Absolute index of the first byte in the packet's buffer. */
    int data(int d) {
        return fields[d * STRIDE + DATA];
    }

    int next(int d) {
        return fields[d * STRIDE + NEXT];
    }

    void next(int d, int next) {
        fields[d * STRIDE + NEXT] = next;
    }
}
