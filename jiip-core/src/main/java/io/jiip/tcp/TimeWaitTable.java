package io.jiip.tcp;

/**
 * TIME-WAIT (RFC 9293 §3.10.7.4) without a connection slot: when a connection enters TIME-WAIT its slot, queues and
 * timer go back at once and this table keeps a compact record of what the state still has to answer with — the
 * 4-tuple ({@link FlowTable#key}), SND.NXT, RCV.NXT, the window last advertised, TS.Recent and our timestamp offset
 * (to ACK with a valid timestamp, apply PAWS and decide on a new SYN per RFC 6191), the peer's link address and the
 * expiry time. Linux does the same with its small timewait sockets, bounded apart from the connections.
 *
 * <p>Flat arrays sized at construction (about 100 bytes a record with the index): nothing is allocated per
 * connection. Records are found through a {@link FlowTable} keyed like the connections', and kept in age order on
 * a doubly linked list through {@code older}/{@code newer}: 2 MSL is the same for every record, so the list is in
 * expiry order too, and expiry needs no timer per record, only a look at the oldest. A record the peer's FIN
 * restarts moves to the young end with a fresh expiry, which keeps that order; a linked list (rather than a ring)
 * lets a record leave from the middle, as a restart, a RST or a new SYN takes it, without leaving a hole behind.
 */
final class TimeWaitTable {
    static final int NONE = -1;
    private static final int TIMESTAMPS = 0x10;
    private static final int SHIFT_MASK = 0x0f;

    private final FlowTable index;
    private final long[] key;
    private final long[] expiresAt;
    private final long[] peerMac;
    private final int[] sndNxt;
    private final int[] rcvNxt;
    private final int[] rcvWindow;
    private final int[] tsRecent;
    private final int[] tsOffset;
    /** {@link #TIMESTAMPS} and our window shift (RFC 7323 §2). */
    private final byte[] flags;
    private final int[] older;
    private final int[] newer;
    private final int[] free;
    private int freeCount;
    private int oldest = NONE;
    private int newest = NONE;

    TimeWaitTable(int capacity) {
        this.index = new FlowTable(Math.max(1, capacity));
        this.key = new long[capacity];
        this.expiresAt = new long[capacity];
        this.peerMac = new long[capacity];
        this.sndNxt = new int[capacity];
        this.rcvNxt = new int[capacity];
        this.rcvWindow = new int[capacity];
        this.tsRecent = new int[capacity];
        this.tsOffset = new int[capacity];
        this.flags = new byte[capacity];
        this.older = new int[capacity];
        this.newer = new int[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    int capacity() {
        return key.length;
    }

    int size() {
        return key.length - freeCount;
    }

    boolean isFull() {
        return freeCount == 0;
    }

    /** The record of a 4-tuple, or {@link #NONE}. */
    int find(long flowKey) {
        return index.get(flowKey);
    }

    /** The record that expires first (the oldest), or {@link #NONE}. */
    int oldest() {
        return oldest;
    }

    /** When the oldest record expires; {@link Long#MAX_VALUE} when the table is empty. */
    long nextExpiry() {
        return oldest == NONE ? Long.MAX_VALUE : expiresAt[oldest];
    }

    /**
     * Records a 4-tuple known to be absent, as the youngest; the table must not be full (evict {@link #oldest}
     * first). {@code window} is in bytes, {@code shift} our window scale.
     */
    int insert(long flowKey, long expiry, long mac, int snd, int rcv, int window, int shift, boolean timestamps,
            int recent, int offset) {
        int r = free[--freeCount];
        key[r] = flowKey;
        peerMac[r] = mac;
        sndNxt[r] = snd;
        rcvNxt[r] = rcv;
        rcvWindow[r] = window;
        flags[r] = (byte) ((shift & SHIFT_MASK) | (timestamps ? TIMESTAMPS : 0));
        tsRecent[r] = recent;
        tsOffset[r] = offset;
        index.put(flowKey, r);
        append(r, expiry);
        return r;
    }

    /** Forgets a record. */
    void remove(int r) {
        index.remove(key[r]);
        unlink(r);
        free[freeCount++] = r;
    }

    /** Starts the record's wait over: it becomes the youngest, expiring at {@code expiry}. */
    void restart(int r, long expiry) {
        unlink(r);
        append(r, expiry);
    }

    /**
     * Removes the records expired at {@code now}, oldest first, at most {@code budget} of them (bounded work per
     * run: what is left is still due, and {@link #nextExpiry} says so); returns how many went.
     */
    int expire(long now, int budget) {
        int n = 0;
        while (n < budget && oldest != NONE && expiresAt[oldest] <= now) {
            remove(oldest);
            n++;
        }
        return n;
    }

    /** Forgets every record. */
    void clear() {
        while (oldest != NONE) {
            remove(oldest);
        }
    }

    long key(int r) {
        return key[r];
    }

    long peerMac(int r) {
        return peerMac[r];
    }

    int sndNxt(int r) {
        return sndNxt[r];
    }

    int rcvNxt(int r) {
        return rcvNxt[r];
    }

    int rcvWindow(int r) {
        return rcvWindow[r];
    }

    int windowShift(int r) {
        return flags[r] & SHIFT_MASK;
    }

    boolean timestamps(int r) {
        return (flags[r] & TIMESTAMPS) != 0;
    }

    int tsRecent(int r) {
        return tsRecent[r];
    }

    void tsRecent(int r, int value) {
        tsRecent[r] = value;
    }

    int tsOffset(int r) {
        return tsOffset[r];
    }

    private void append(int r, long expiry) {
        expiresAt[r] = expiry;
        older[r] = newest;
        newer[r] = NONE;
        if (newest != NONE) {
            newer[newest] = r;
        } else {
            oldest = r;
        }
        newest = r;
    }

    private void unlink(int r) {
        int o = older[r];
        int n = newer[r];
        if (o != NONE) {
            newer[o] = n;
        } else {
            oldest = n;
        }
        if (n != NONE) {
            older[n] = o;
        } else {
            newest = o;
        }
    }
}
