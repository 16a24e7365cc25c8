package io.jiip.sim.soak;

import java.util.List;

/** The outcome of one soak scenario: its seed, the broken invariants (none: it held), and what it did. */
public final class SoakResult {
    private final int index;
    private final long seed;
    private final List<String> problems;
    private final String digest;
    private final long simulatedNanos;
    private final long events;
    private final long bytesDelivered;
    private final String description;

    SoakResult(int index, long seed, List<String> problems, String digest, long simulatedNanos, long events,
            long bytesDelivered, String description) {
        this.index = index;
        this.seed = seed;
        this.problems = List.copyOf(problems);
        this.digest = digest;
        this.simulatedNanos = simulatedNanos;
        this.events = events;
        this.bytesDelivered = bytesDelivered;
        this.description = description;
    }

    public int index() {
        return index;
    }

    public long seed() {
        return seed;
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    public List<String> problems() {
        return problems;
    }

    /** SHA-256 of every frame on every wire: replaying the seed must give the same. */
    public String digest() {
        return digest;
    }

    public long simulatedNanos() {
        return simulatedNanos;
    }

    public long events() {
        return events;
    }

    public long bytesDelivered() {
        return bytesDelivered;
    }

    /** The scenario, as {@link SoakSpec#toString()}. */
    public String description() {
        return description;
    }
}
