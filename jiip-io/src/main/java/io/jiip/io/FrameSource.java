package io.jiip.io;

import io.jiip.link.Packet;

/**
 * Where an {@link EventLoop} gets received frames: a device queue, or a decorator over one. Used from the loop's
 * thread, except {@link #wakeup()}.
 */
public interface FrameSource {

    /**
     * Moves up to {@code max} received frames into {@code out} without blocking; the caller owns them (hand them to
     * {@code Stack.run}).
     *
     * @return the number of frames, 0 when none is waiting
     */
    int receive(Packet[] out, int max);

    /**
     * Blocks until a frame may be waiting, {@link #wakeup()} is called, or {@code timeoutNanos} pass (negative:
     * no timeout). May return early.
     */
    void await(long timeoutNanos);

    /** Makes a concurrent or the next {@link #await} return at once. Any thread. */
    void wakeup();
}
