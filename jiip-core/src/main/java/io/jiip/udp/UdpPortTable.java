package io.jiip.udp;

import io.jiip.api.Result;
import io.jiip.api.UdpHandler;

/** Port to handler map: open addressing with linear probing over a power-of-two table, sized at construction. */
final class UdpPortTable<P> {
    private final int[] keys;
    private final Object[] values;
    private final int mask;
    private final int capacity;
    private int size;

    UdpPortTable(int capacity) {
        int n = Integer.highestOneBit(Math.max(2, capacity * 2 - 1)) << 1;
        this.keys = new int[n];
        this.values = new Object[n];
        this.mask = n - 1;
        this.capacity = capacity;
    }

    private static int hash(int port) {
        return port * 0x9E3779B1 >>> 16;
    }

    @SuppressWarnings("unchecked")
    UdpHandler<P> get(int port) {
        for (int i = hash(port) & mask; keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == port) {
                return (UdpHandler<P>) values[i];
            }
        }
        return null;
    }

    int put(int port, UdpHandler<P> handler) {
        int i = hash(port) & mask;
        for (; keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == port) {
                return Result.PORT_IN_USE;
            }
        }
        if (size == capacity) {
            return Result.NO_SPACE;
        }
        keys[i] = port;
        values[i] = handler;
        size++;
        return Result.OK;
    }

    boolean remove(int port) {
        int i = hash(port) & mask;
        while (keys[i] != port) {
            if (keys[i] == 0) {
                return false;
            }
            i = (i + 1) & mask;
        }
        keys[i] = 0;
        values[i] = null;
        size--;
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                keys[i] = keys[j];
                values[i] = values[j];
                keys[j] = 0;
                values[j] = null;
                i = j;
            }
        }
        return true;
    }
}
