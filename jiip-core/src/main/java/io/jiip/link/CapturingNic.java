package io.jiip.link;

import io.jiip.api.Clock;
import io.jiip.api.Nic;
import io.jiip.api.PacketOps;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A {@link Nic} decorator that records every transmitted frame to a {@link PcapWriter} before passing it on, and
 * records received frames when the integrator's loop hands them over with {@link #captureRx}. Works with any
 * backend and packet type. Transmitted frames are captured as the stack made them: with checksum offload on, their
 * checksums are partial (as tcpdump on a sending host shows them).
 */
public final class CapturingNic<P> implements Nic<P> {
    private final Nic<P> inner;
    private final PacketOps<P> ops;
    private final Clock clock;
    private final PcapWriter writer;

    public CapturingNic(Nic<P> inner, PacketOps<P> ops, Clock clock, PcapWriter writer) {
        this.inner = inner;
        this.ops = ops;
        this.clock = clock;
        this.writer = writer;
    }

    /** Records {@code rx[0..count)}; call before passing them to {@code Stack.run}. */
    public void captureRx(P[] rx, int count) {
        long now = clock.nanoTime();
        for (int i = 0; i < count; i++) {
            record(now, rx[i]);
        }
    }

    private void record(long now, P frame) {
        try {
            writer.write(now, ops, frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int features() {
        return inner.features();
    }

    @Override
    public void push(P frame) {
        record(clock.nanoTime(), frame);
        inner.push(frame);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public int rxChecksum(P frame) {
        return inner.rxChecksum(frame);
    }

    @Override
    public void txOffload(P frame, int offloads, int l3Offset, int l4Offset, int segmentSize) {
        inner.txOffload(frame, offloads, l3Offset, l4Offset, segmentSize);
    }
}
