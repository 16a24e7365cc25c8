package io.jiip.sim;

/**
 * Wire frames, recycled through free lists in three size classes (standard Ethernet, jumbo, 64 KiB). Grows on
 * demand: the wire never runs out of buffers, so every loss in a simulation is one the scenario asked for.
 * {@link #inUse()} returns to zero when no frame is queued or in flight: the simulator's own leak check.
 */
public final class FramePool {
    FramePool() {
    }

    private static final int[] SIZES = {2048, 16384, 65536 + 512};
    private final Frame[] free = new Frame[SIZES.length];
    private int inUse;
    private long allocated;

    /** A frame able to hold {@code length} bytes, with its length set. */
    public Frame take(int length) {
        int c = 0;
        while (c < SIZES.length - 1 && SIZES[c] < length) {
            c++;
        }
        if (length > SIZES[c]) {
            throw new IllegalArgumentException("frame of " + length + " bytes is larger than any wire frame");
        }
        Frame f = free[c];
        if (f != null) {
            free[c] = f.next;
            f.next = null;
        } else {
            f = new Frame(SIZES[c]);
            allocated++;
        }
        f.inUse = true;
        f.corrupted = false;
        f.length = length;
        inUse++;
        return f;
    }

    /** A copy of {@code f} (for duplication and flooding). */
    public Frame copy(Frame f) {
        Frame c = take(f.length);
        c.buffer.put(0, f.buffer, 0, f.length);
        c.corrupted = f.corrupted;
        return c;
    }

    public void give(Frame f) {
        if (!f.inUse) {
            throw new IllegalStateException("wire frame freed twice");
        }
        if (f.scheduled()) {
            throw new IllegalStateException("wire frame freed while in flight");
        }
        f.inUse = false;
        f.channel = null;
        int c = 0;
        while (SIZES[c] != f.capacity()) {
            c++;
        }
        f.next = free[c];
        free[c] = f;
        inUse--;
    }

    /** Frames taken and not given back: queued or in flight. */
    public int inUse() {
        return inUse;
    }

    /** Frame objects ever created. */
    public long allocated() {
        return allocated;
    }
}
