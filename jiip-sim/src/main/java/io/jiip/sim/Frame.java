package io.jiip.sim;

import java.nio.ByteBuffer;

/**
 * A frame on the simulated wire: its bytes (a heap buffer owned by the simulation's {@link FramePool}, never a
 * node's packet pool) and, while it propagates, the event of its arrival. Links and switches pass frames by
 * reference; nodes copy them into their own packet pool on receipt, as a NIC's DMA would.
 */
public final class Frame extends Event {
    final ByteBuffer buffer;
    int length;
    /** The channel it is crossing (set when it leaves the transmitter). */
    Channel channel;
    /** The channel's down/up epoch when it left: a flap in between loses it. */
    int epoch;
    /** A bit was flipped on some hop: never a second one (two flips can cancel out in the Internet checksum). */
    boolean corrupted;
    /** Queue link. */
    Frame next;
    boolean inUse;

    Frame(int capacity) {
        this.buffer = ByteBuffer.allocate(capacity);
    }

    /** The bytes: {@code [0, length())} of {@link #buffer()}. */
    public ByteBuffer buffer() {
        return buffer;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return buffer.capacity();
    }

    @Override
    protected void fire() {
        Channel c = channel;
        channel = null;
        c.arrive(this);
    }
}
