package io.jiip.api;

/**
 * The counters of one {@link Stack} ({@code netstat -s} for a context). Updated on the stack's thread without
 * synchronization; read them from that thread, or accept slightly stale values from another.
 */
public final class Stats {
    private static final Counter[] ALL = Counter.values();
    private final long[] values = new long[ALL.length];

    /** Zeroed counters (each {@link Stack} makes its own). */
    public Stats() {
    }

    /** Increments a counter (stack-internal). */
    public void inc(Counter counter) {
        values[counter.ordinal()]++;
    }

    /** Adds to a counter (stack-internal). */
    public void add(Counter counter, long delta) {
        values[counter.ordinal()] += delta;
    }

    public long get(Counter counter) {
        return values[counter.ordinal()];
    }

    /** Sum of all {@code DROP_*} counters. */
    public long totalDrops() {
        long sum = 0;
        for (Counter c : ALL) {
            if (c.isDrop()) {
                sum += values[c.ordinal()];
            }
        }
        return sum;
    }

    /** Copies all counters into {@code out} (indexed by {@link Counter#ordinal()}), e.g. for a snapshot diff. */
    public void copyTo(long[] out) {
        System.arraycopy(values, 0, out, 0, values.length);
    }

    /** The non-zero counters, one per line, {@code netstat -s} style. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Counter c : ALL) {
            long v = values[c.ordinal()];
            if (v != 0) {
                sb.append(String.format("%12d  %s (%s)%n", v, c.description(), c.name()));
            }
        }
        return sb.toString();
    }
}
