package io.jiip.io.app;

import io.jiip.api.PacketOps;
import io.jiip.link.Packet;

/**
 * Zero-copy pattern payloads for one stack: one large packet filled with {@link Pattern} once; every payload is a
 * clone of it trimmed to the right phase, so streaming gigabytes writes no byte.
 */
final class PatternSource {
    private final PacketOps<Packet> ops;
    private Packet master;
    private int chunk;

    PatternSource(PacketOps<Packet> ops) {
        this.ops = ops;
    }

    /**
     * A payload of at most {@code max} pattern bytes starting at stream {@code position}, or {@code null} when the
     * pool has no descriptor (or no large slot for the first call).
     */
    Packet slice(long position, long max) {
        if (master == null) {
            master = ops.alloc(65536);
            if (master == null) {
                master = ops.alloc(4096);
                if (master == null) {
                    return null;
                }
            }
            int cap = master.capacity();
            Pattern.fill(ops.buffer(master), ops.offset(master), cap, 0);
            ops.length(master, cap);
            chunk = (cap - Pattern.PERIOD) / 1448 * 1448; // whole segments at the usual MSS
            if (chunk <= 0) {
                chunk = cap - Pattern.PERIOD;
            }
        }
        Packet p = ops.clone(master);
        if (p == null) {
            return null;
        }
        ops.trimHead(p, (int) (position % Pattern.PERIOD));
        ops.length(p, (int) Math.min(max, chunk));
        return p;
    }

    void release() {
        if (master != null) {
            ops.free(master);
            master = null;
        }
    }
}
