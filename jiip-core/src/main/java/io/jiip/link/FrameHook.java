package io.jiip.link;

import java.nio.ByteBuffer;

/**
 * Decides the fate of each frame crossing a {@link MemoryLink}: the hook for loss, duplication, reordering and
 * corruption. {@link FaultInjector} is the seeded, ready-made one.
 */
@FunctionalInterface
public interface FrameHook {
    int PASS = 0;
    int DROP = 1;
    int DUPLICATE = 2;
    /** Deliver this frame ahead of the one queued before it. */
    int REORDER = 3;
    /** Flip one bit of the delivered copy (the hook chose which by returning it from {@link #corruptBit}). */
    int CORRUPT = 4;

    /** @return one of the actions above for the frame {@code [off, off + len)} sent by port {@code from} */
    int onFrame(int from, ByteBuffer buf, int off, int len);

    /** For {@link #CORRUPT}: which bit of the frame to flip (0 .. len*8-1). */
    default int corruptBit(int len) {
        return 0;
    }
}
