package io.jiip.link;

import io.jiip.api.Clock;

/** A {@link Clock} that moves only when told to: virtual time for tests, demos and simulations. */
public final class ManualClock implements Clock {
    private long now;

    public ManualClock() {
        this(0);
    }

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves time forward by {@code nanos} (never backwards). */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time never goes backwards");
        }
        now += nanos;
    }

    /** Moves time to {@code nanos} if that is later than now. */
    public void advanceTo(long nanos) {
        if (nanos > now) {
            now = nanos;
        }
    }
}
