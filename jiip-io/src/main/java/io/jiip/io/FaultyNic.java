package io.jiip.io;

import io.jiip.api.Nic;
import io.jiip.api.PacketOps;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;

/**
 * A fault-injecting decorator around a device queue: frames the stack pushes pass {@code txHook} and frames
 * received pass {@code rxHook} (e.g. a seeded {@link io.jiip.link.FaultInjector}); {@link FrameHook#DROP} drops
 * them, as a lossy wire would. Other actions pass the frame unchanged. Give it to the stack as its {@link Nic} and
 * to the {@link EventLoop} as its {@link FrameSource}.
 */
public final class FaultyNic implements Nic<Packet>, FrameSource {
    private final Nic<Packet> nic;
    private final FrameSource source;
    private final PacketOps<Packet> ops;
    private final FrameHook txHook;
    private final FrameHook rxHook;
    private long txDropped;
    private long rxDropped;

    /** @param txHook applied to pushed frames, {@code null} for none; {@code rxHook} likewise to received ones */
    public FaultyNic(Nic<Packet> nic, FrameSource source, PacketOps<Packet> ops, FrameHook txHook,
            FrameHook rxHook) {
        this.nic = nic;
        this.source = source;
        this.ops = ops;
        this.txHook = txHook;
        this.rxHook = rxHook;
    }

    /** Around a TAP queue. */
    public FaultyNic(TapQueue queue, FrameHook txHook, FrameHook rxHook) {
        this(queue, queue, queue.pool(), txHook, rxHook);
    }

    @Override
    public int features() {
        return nic.features();
    }

    @Override
    public void push(Packet frame) {
        if (txHook != null && txHook.onFrame(0, frame.buffer(), frame.offset(), frame.length()) == FrameHook.DROP) {
            txDropped++;
            ops.free(frame);
            return;
        }
        nic.push(frame);
    }

    @Override
    public void flush() {
        nic.flush();
    }

    @Override
    public int rxChecksum(Packet frame) {
        return nic.rxChecksum(frame);
    }

    @Override
    public void txOffload(Packet frame, int offloads, int l3Offset, int l4Offset, int segmentSize) {
        nic.txOffload(frame, offloads, l3Offset, l4Offset, segmentSize);
    }

    @Override
    public int receive(Packet[] out, int max) {
        int n = source.receive(out, max);
        if (rxHook == null) {
            return n;
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Packet p = out[i];
            if (rxHook.onFrame(1, p.buffer(), p.offset(), p.length()) == FrameHook.DROP) {
                rxDropped++;
                ops.free(p);
            } else {
                out[kept++] = p;
            }
        }
        return kept;
    }

    @Override
    public void await(long timeoutNanos) {
        source.await(timeoutNanos);
    }

    @Override
    public void wakeup() {
        source.wakeup();
    }

    public long txDropped() {
        return txDropped;
    }

    public long rxDropped() {
        return rxDropped;
    }
}
