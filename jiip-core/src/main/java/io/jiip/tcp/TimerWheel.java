package io.jiip.tcp;

import java.util.Arrays;

/**
 * A hashed timing wheel over connection indices (Varghese and Lauck): one deadline per connection, O(1) schedule
 * and cancel through intrusive lists, and a {@code run} that costs O(elapsed ticks + expired entries), not
 * O(connections). Ticks are 2^20 ns (about 1 ms); a deadline fires at the first {@link #expire} at or after it,
 * and {@link #nextDeadline()} never lies in the past of the last {@code expire} unless something is due.
 *
 * <p>The wheel knows only when to report an id. An owner whose deadline mostly moves later (an RTO restarted by every
 * ACK) may leave the earlier entry in place and, when it is reported, schedule the id again at the deadline it then
 * has ({@code TcpLayer.updateTimer}): the per-segment path touches no wheel memory.
 */
final class TimerWheel {
    private static final int TICK_SHIFT = 20;
    private static final int SLOTS = 1024;
    private static final int MASK = SLOTS - 1;
    private static final int NONE = -1;

    private final int[] head = new int[SLOTS];
    private final int[] next;
    private final int[] prev;
    private final int[] slotOf;
    /** When each id's entry is due ({@link Long#MAX_VALUE}: none). */
    private final long[] times;
    private final int[] expired;
    private long cursor = Long.MIN_VALUE;
    private int scheduled;
    private long lowerBound = Long.MAX_VALUE;

    TimerWheel(int capacity) {
        Arrays.fill(head, NONE);
        this.next = new int[capacity];
        this.prev = new int[capacity];
        this.slotOf = new int[capacity];
        this.times = new long[capacity];
        this.expired = new int[capacity];
        Arrays.fill(times, Long.MAX_VALUE);
    }

    /** Sets (or moves) the deadline of {@code id}; {@link Long#MAX_VALUE} cancels. */
    void schedule(int id, long when) {
        if (times[id] == when) {
            return;
        }
        if (times[id] != Long.MAX_VALUE) {
            unlink(id);
        }
        times[id] = when;
        if (when == Long.MAX_VALUE) {
            return;
        }
        long tick = when >> TICK_SHIFT;
        if (cursor != Long.MIN_VALUE && tick <= cursor) {
            tick = cursor + 1; // already passed: fire at the next expire
        }
        int slot = (int) (tick & MASK);
        slotOf[id] = slot;
        int h = head[slot];
        next[id] = h;
        prev[id] = NONE;
        if (h != NONE) {
            prev[h] = id;
        }
        head[slot] = id;
        scheduled++;
        lowerBound = Math.min(lowerBound, when);
    }

    void cancel(int id) {
        schedule(id, Long.MAX_VALUE);
    }

    private void unlink(int id) {
        int n = next[id];
        int p = prev[id];
        if (p != NONE) {
            next[p] = n;
        } else {
            head[slotOf[id]] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        scheduled--;
    }

    /**
     * Removes every entry whose deadline is at or before {@code now} and returns how many; their ids are in
     * {@link #expiredIds()} until the next call. The current tick's slot stays unconsumed, because it may hold
     * later deadlines of the same tick.
     */
    int expire(long now) {
        long nowTick = now >> TICK_SHIFT;
        int count = 0;
        if (scheduled > 0) {
            long from = cursor == Long.MIN_VALUE ? nowTick : cursor + 1;
            long ticks = Math.min(nowTick - from + 1, SLOTS);
            for (long t = 0; t < ticks; t++) {
                int slot = (int) ((from + t) & MASK);
                int id = head[slot];
                while (id != NONE) {
                    int n = next[id];
                    if (times[id] <= now) {
                        unlink(id);
                        times[id] = Long.MAX_VALUE;
                        expired[count++] = id;
                    }
                    id = n;
                }
            }
        }
        cursor = nowTick - 1;
        if (lowerBound <= now) {
            lowerBound = recomputeLowerBound();
        }
        return count;
    }

    int[] expiredIds() {
        return expired;
    }

    /** A time at or before the earliest deadline ({@link Long#MAX_VALUE}: nothing scheduled). */
    long nextDeadline() {
        return scheduled == 0 ? Long.MAX_VALUE : lowerBound;
    }

    /**
     * The earliest deadline, exactly: the first slot (in tick order) holding an entry of its own tick. Entries of a
     * later revolution share slots with nearer ones, so a non-empty slot alone says nothing; returning its tick
     * would hand the integrator a time in the past, at which nothing fires, again and again.
     */
    private long recomputeLowerBound() {
        if (scheduled == 0) {
            return Long.MAX_VALUE;
        }
        long far = Long.MAX_VALUE;
        for (long t = cursor + 1; t <= cursor + SLOTS; t++) {
            long best = Long.MAX_VALUE;
            for (int id = head[(int) (t & MASK)]; id != NONE; id = next[id]) {
                long d = times[id];
                if (d >> TICK_SHIFT <= t) {
                    best = Math.min(best, d);
                } else {
                    far = Math.min(far, d);
                }
            }
            if (best != Long.MAX_VALUE) {
                return best;
            }
        }
        return far;
    }

    int scheduled() {
        return scheduled;
    }
}
