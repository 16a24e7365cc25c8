package io.jiip.tcp;


/**
 * Connection lookup by the full 4-tuple (our address is the stack's own): open addressing with linear probing and
 * backward-shift deletion over a power-of-two table sized at construction, so a lookup costs one hash and a short
 * probe whatever the number of connections.
 */
final class FlowTable {
    private static final long EMPTY = -1;
    /** Key and value side by side ({@code [2i]} key, {@code [2i + 1]} value): one cache line per probe. */
    private final long[] slots;
    private final int mask;

    FlowTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(2, capacity * 2 - 1)) << 1;
        this.slots = new long[2 * n];
        this.mask = n - 1;
        for (int i = 0; i < n; i++) {
            slots[2 * i + 1] = EMPTY;
        }
    }

    static long key(int remoteIp, int remotePort, int localPort) {
        return ((long) remoteIp << 32) | ((long) remotePort << 16) | localPort;
    }

    static int remoteIp(long key) {
        return (int) (key >>> 32);
    }

    static int remotePort(long key) {
        return (int) (key >>> 16) & 0xffff;
    }

    static int localPort(long key) {
        return (int) key & 0xffff;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }

    int get(long key) {
        for (int i = hash(key) & mask; slots[2 * i + 1] != EMPTY; i = (i + 1) & mask) {
            if (slots[2 * i] == key) {
                return (int) slots[2 * i + 1];
            }
        }
        return -1;
    }

    /** Reads the key's home slot without using it: lets the CPU fetch it ahead of the lookup (memory parallelism). */
    long touch(long key) {
        return slots[2 * (hash(key) & mask) + 1];
    }

    /** Inserts a key known to be absent (the table is sized so that it never fills). */
    void put(long key, int value) {
        int i = hash(key) & mask;
        while (slots[2 * i + 1] != EMPTY) {
            i = (i + 1) & mask;
        }
        slots[2 * i] = key;
        slots[2 * i + 1] = value;
    }

    void remove(long key) {
        int i = hash(key) & mask;
        while (slots[2 * i + 1] == EMPTY || slots[2 * i] != key) {
            if (slots[2 * i + 1] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[2 * i + 1] = EMPTY;
        for (int j = (i + 1) & mask; slots[2 * j + 1] != EMPTY; j = (j + 1) & mask) {
            int home = hash(slots[2 * j]) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                slots[2 * i] = slots[2 * j];
                slots[2 * i + 1] = slots[2 * j + 1];
                slots[2 * j + 1] = EMPTY;
                i = j;
            }
        }
    }
}
