package io.jiip.tcp;

/**
 * Descriptors for packets a connection holds: sent data awaiting acknowledgment and out-of-order data awaiting
 * its gap. One pool per context, sized at construction; per-connection queues are singly linked lists of indices.
 * A descriptor names a byte range {@code [data, data + len)} of its packet's buffer and the sequence number of its
 * first byte.
 */
final class SegmentPool {
    static final int NONE = -1;

    final Object[] packet;
    final int[] seq;
    final int[] len;
    final int[] data;
    final int[] next;
    private final int[] free;
    private int freeCount;

    SegmentPool(int capacity) {
        this.packet = new Object[capacity];
        this.seq = new int[capacity];
        this.len = new int[capacity];
        this.data = new int[capacity];
        this.next = new int[capacity];
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
        seq[d] = sequence;
        data[d] = dataIndex;
        len[d] = length;
        next[d] = NONE;
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
}
