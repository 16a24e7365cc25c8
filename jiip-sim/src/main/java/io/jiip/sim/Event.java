package io.jiip.sim;

/**
 * Something that happens at one instant of virtual time. Events are ordered by (time, sequence number): the
 * sequence number is taken when the event is scheduled, so two events due at the same nanosecond fire in the order
 * they were scheduled, on every run. An event object is in the queue at most once; scheduling it again moves it.
 * Long-lived parts of the simulation (a link's transmitter, a node's wake-up, a frame in flight) reuse one event
 * object each, so the steady state allocates no events.
 */
public abstract class Event {
    protected Event() {
    }

    long time;
    long seq;
    int heapIndex = -1;

    /** Runs the event; {@link Simulation#now()} is its time. */
    protected abstract void fire();

    /** Whether the event is waiting in the queue. */
    public final boolean scheduled() {
        return heapIndex >= 0;
    }

    /** The time it is (or was last) scheduled for. */
    public final long time() {
        return time;
    }
}
