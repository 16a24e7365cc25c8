package io.jiip.tcp;

import java.util.Arrays;

/**
 * Connection lookup by the full 4-tuple (our address is the stack's own): open addressing with linear probing and
 * backward-shift deletion over a power-of-two table sized at construction, so a lookup costs one hash and a short
 * probe whatever the number of connections.
 */
final class FlowTable {
    private static final int EMPTY = -1;
    private final long[] keys;
    private final int[] values;
    private final int mask;

    FlowTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(2, capacity * 2 - 1)) << 1;
        this.keys = new long[n];
        this.values = new int[n];
        this.mask = n - 1;
        Arrays.fill(values, EMPTY);
    }

    static long key(int remoteIp, int remotePort, int localPort) {
        return ((long) remoteIp << 32) | ((long) remotePort << 16) | localPort;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }

    int get(long key) {
        for (int i = hash(key) & mask; values[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return EMPTY;
    }

    /** Inserts a key known to be absent (the table is sized so that it never fills). */
    void put(long key, int value) {
        int i = hash(key) & mask;
        while (values[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
    }

    void remove(long key) {
        int i = hash(key) & mask;
        while (values[i] == EMPTY || keys[i] != key) {
            if (values[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        values[i] = EMPTY;
        for (int j = (i + 1) & mask; values[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                keys[i] = keys[j];
                values[i] = values[j];
                values[j] = EMPTY;
                i = j;
            }
        }
    }
}
