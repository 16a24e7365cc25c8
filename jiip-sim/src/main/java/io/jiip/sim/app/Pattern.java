package io.jiip.sim.app;

import io.jiip.sim.Simulation;
import java.nio.ByteBuffer;

/**
 * The deterministic content of a byte stream: byte {@code i} of stream {@code seed} is a fixed pseudo-random
 * function of both, so a receiver checks every byte at its stream offset without keeping a copy. A lost, repeated,
 * reordered or corrupted byte shows up at the first offset it displaces (with probability 255/256 per byte).
 */
public final class Pattern {
    private Pattern() {
    }

    private static long word(long seed, long index) {
        return Simulation.mix64(seed + index * 0x9E3779B97F4A7C15L);
    }

    public static byte at(long seed, long offset) {
        return (byte) (word(seed, offset >>> 3) >>> ((offset & 7) << 3));
    }

    /** Writes stream bytes {@code [offset, offset + len)} to {@code buf} at absolute index {@code at}. */
    public static void fill(ByteBuffer buf, int at, long seed, long offset, int len) {
        long w = word(seed, offset >>> 3);
        for (int i = 0; i < len; i++) {
            long o = offset + i;
            if ((o & 7) == 0 && i > 0) {
                w = word(seed, o >>> 3);
            }
            buf.put(at + i, (byte) (w >>> ((o & 7) << 3)));
        }
    }

    /** The index (0..len-1) of the first byte that differs from the stream, or -1 when all match. */
    public static int verify(ByteBuffer buf, int at, long seed, long offset, int len) {
        long w = word(seed, offset >>> 3);
        for (int i = 0; i < len; i++) {
            long o = offset + i;
            if ((o & 7) == 0 && i > 0) {
                w = word(seed, o >>> 3);
            }
            if (buf.get(at + i) != (byte) (w >>> ((o & 7) << 3))) {
                return i;
            }
        }
        return -1;
    }
}
