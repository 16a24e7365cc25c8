package io.jiip.bench.tool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded single-producer/single-consumer ring of {@code long}s: no allocation after construction, no locks.
 * The producer publishes its tail with a release store and the consumer its head likewise; each side caches the
 * other's index and rereads it only when the cache says the ring is full (producer) or empty (consumer).
 */
final class SpscRing {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SpscRing.class, "head", long.class);
            TAIL = l.findVarHandle(SpscRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] slots;
    private final int mask;
    // Padding keeps the producer's and the consumer's indices on separate cache lines.
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6;
    private long head;          // next slot to read; written by the consumer
    private long tailCache;     // consumer's view of tail
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6;
    private long tail;          // next slot to write; written by the producer
    private long headCache;     // producer's view of head

    /** @param capacity a power of two */
    SpscRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        slots = new long[capacity];
        mask = capacity - 1;
    }

    /** Producer: appends {@code value}; false when full. */
    boolean offer(long value) {
        long t = tail;
        if (t - headCache >= slots.length) {
            headCache = (long) HEAD.getAcquire(this);
            if (t - headCache >= slots.length) {
                return false;
            }
        }
        slots[(int) t & mask] = value;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer: true when a value is waiting (then {@link #take} returns it). */
    boolean isEmpty() {
        long h = head;
        if (h < tailCache) {
            return false;
        }
        tailCache = (long) TAIL.getAcquire(this);
        return h >= tailCache;
    }

    /** Consumer: removes the oldest value; call only after {@link #isEmpty} returned false. */
    long take() {
        long h = head;
        long v = slots[(int) h & mask];
        HEAD.setRelease(this, h + 1);
        return v;
    }

    int capacity() {
        return slots.length;
    }
}
