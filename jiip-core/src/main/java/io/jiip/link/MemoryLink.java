package io.jiip.link;

import io.jiip.api.Clock;
import io.jiip.api.LinkType;
import io.jiip.api.Nic;
import io.jiip.api.NicFeatures;
import io.jiip.api.Offload;
import io.jiip.api.RxChecksum;
import io.jiip.wire.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A wire in memory: stacks attached to its {@link Port}s, all in one thread, exchange frames without any device.
 * A frame {@link Port#push pushed} by one port is delivered to the receive queue of every other port (a hub), where
 * the integrator's loop collects it with {@link Port#poll} and hands it to that port's stack.
 *
 * <p>By default each delivered frame is copied into a fresh buffer from the receiving port's pool, as a NIC's DMA
 * would, and the sender's frame is freed. The link emulates the NIC: it completes the checksums a frame was marked
 * for, and verifies received checksums for ports that claim RX checksum offload. {@link Delivery#ZERO_COPY} hands
 * the sender's packet itself to the receiver when both ports share one pool (no copy at all).
 *
 * <p>A {@link FrameHook} (e.g. a seeded {@link FaultInjector}) may drop, duplicate, reorder or corrupt frames, and
 * a {@link PcapWriter} may capture every frame as it appears on the wire. No threads, no clock of its own: the
 * clock is only used to timestamp captures.
 */
public final class MemoryLink {
    /** How frames cross the link. */
    public enum Delivery {
        /** Copy into the receiver's pool (like DMA into a receive ring). */
        COPY,
        /** Hand over the sender's packet itself when both ports share a pool and the frame is not a chain. */
        ZERO_COPY
    }

    private static final int MAX_PORTS = 16;

    private final Clock clock;
    private final LinkType linkType;
    private final Port[] ports = new Port[MAX_PORTS];
    private int portCount;
    private FrameHook hook;
    private PcapWriter capture;
    private Delivery delivery = Delivery.COPY;
    private boolean trustChecksums;
    private long frames;
    private long hookDrops;

    public MemoryLink(Clock clock) {
        this(clock, LinkType.ETHERNET);
    }

    public MemoryLink(Clock clock, LinkType linkType) {
        this.clock = clock;
        this.linkType = linkType;
    }

    /**
     * Attaches a new port whose received frames come from {@code pool}.
     *
     * @param features   the {@link NicFeatures} the port claims (changeable later with {@link Port#features(int)})
     * @param rxCapacity frames its receive queue holds; more are dropped (counted)
     */
    public Port attach(PacketPool pool, int features, int rxCapacity) {
        if (portCount == MAX_PORTS) {
            throw new IllegalStateException("a memory link has at most " + MAX_PORTS + " ports");
        }
        Port p = new Port(portCount, pool, features, rxCapacity);
        ports[portCount++] = p;
        return p;
    }

    /** Attaches a port with no offloads and a 4096-frame receive queue. */
    public Port attach(PacketPool pool) {
        return attach(pool, 0, 4096);
    }

    public MemoryLink hook(FrameHook hook) {
        this.hook = hook;
        return this;
    }

    /** Captures every frame as delivered on the wire (after checksum completion and corruption). */
    public MemoryLink capture(PcapWriter writer) {
        this.capture = writer;
        return this;
    }

    public MemoryLink delivery(Delivery delivery) {
        this.delivery = delivery;
        return this;
    }

    /**
     * Benchmark mode of an ideal offloading NIC: checksums marked for offload are not computed and every received
     * frame is reported valid. Frames on the wire then carry partial checksums (as a capture on a sending host
     * shows them).
     */
    public MemoryLink trustChecksums(boolean trust) {
        this.trustChecksums = trust;
        return this;
    }

    public LinkType linkType() {
        return linkType;
    }

    /** Frames pushed onto the link. */
    public long frames() {
        return frames;
    }

    /** Frames the hook dropped. */
    public long hookDrops() {
        return hookDrops;
    }

    private void transmit(Port from, Packet frame) {
        if ((frame.txOffloads & (Offload.TCP_SEG | Offload.UDP_SEG)) != 0 && frame.segmentSize > 0) {
            segment(from, frame);
            from.pool.free(frame);
            return;
        }
        frames++;
        int action = hook == null ? FrameHook.PASS : hook.onFrame(from.index, frame.buffer, frame.offset, frame.length);
        if (action == FrameHook.DROP) {
            hookDrops++;
            from.pool.free(frame);
            return;
        }
        if (delivery == Delivery.ZERO_COPY && frame.next == null && portCount == 2
                && ports[1 - from.index].pool == from.pool && action == FrameHook.PASS) {
            arrive(ports[1 - from.index], frame, action, -1, true); // the sender's packet itself crosses
            return;
        }
        int total = 0;
        for (Packet p = frame; p != null; p = p.next) {
            total += p.length;
        }
        int corruptBit = action == FrameHook.CORRUPT ? hook.corruptBit(total) : -1;
        boolean captured = false;
        for (int i = 0; i < portCount; i++) {
            Port to = ports[i];
            if (to == from) {
                continue;
            }
            Packet q = to.pool.alloc(total);
            if (q == null) {
                to.rxNoBuffer++;
                continue;
            }
            q.length = total;
            int at = q.offset;
            for (Packet p = frame; p != null; p = p.next) {
                Bytes.copy(p.buffer, p.offset, q.buffer, at, p.length);
                at += p.length;
            }
            q.txOffload(frame.txOffloads, frame.l3Offset, frame.l4Offset, frame.segmentSize);
            arrive(to, q, action, corruptBit, !captured);
            captured = true;
        }
        from.pool.free(frame);
    }

    /**
     * Segmentation offload ({@link NicEmulation#writeSegment}): each wire frame of the super-frame then crosses the
     * link like any other (hook, capture, copies). With one receiver the frames are built straight into its pool:
     * one copy per segment, as a NIC's DMA.
     */
    private void segment(Port from, Packet frame) {
        int total = 0;
        for (Packet p = frame; p != null; p = p.next) {
            total += p.length;
        }
        Port direct = portCount == 2 ? ports[1 - from.index] : null;
        Port owner = direct != null ? direct : from;
        int count = NicEmulation.segments(frame, total);
        for (int i = 0; i < count; i++) {
            Packet wire = owner.pool.alloc(frame.l4Offset + 60 + frame.segmentSize);
            if (wire == null) {
                owner.rxNoBuffer++; // no buffer for this segment: lost, as on a NIC whose ring is full
                continue;
            }
            wire.length = NicEmulation.writeSegment(frame, total, i, wire.buffer, wire.offset, !trustChecksums);
            if (direct != null) {
                deliverBuilt(from, direct, wire);
            } else {
                transmit(from, wire);
            }
        }
    }

    /** A frame already built in {@code to}'s pool crosses the wire: the hook decides, then it arrives. */
    private void deliverBuilt(Port from, Port to, Packet frame) {
        frames++;
        int action = hook == null ? FrameHook.PASS : hook.onFrame(from.index, frame.buffer, frame.offset, frame.length);
        if (action == FrameHook.DROP) {
            hookDrops++;
            to.pool.free(frame);
            return;
        }
        arrive(to, frame, action, action == FrameHook.CORRUPT ? hook.corruptBit(frame.length) : -1, true);
    }

    /**
     * One frame, contiguous and owned by {@code to}'s pool, reaches the far end of the wire: the checksums the
     * sender left to the NIC completed, the hook's corruption applied ({@code corruptBit}, or -1), captured if
     * {@code capture} (once per transmission, whatever the number of receivers or copies), given a checksum verdict,
     * and queued, with the hook's duplicate or reordering.
     */
    private void arrive(Port to, Packet q, int action, int corruptBit, boolean capture) {
        finishTx(q, q.buffer, q.offset, q.length);
        q.txOffload(0, 0, 0, 0);
        if (corruptBit >= 0) {
            int idx = q.offset + corruptBit / 8;
            q.buffer.put(idx, (byte) (q.buffer.get(idx) ^ (1 << (corruptBit & 7))));
        }
        if (capture) {
            captureFrame(q.buffer, q.offset, q.length);
        }
        q.rxChecksum = to.verdict(q.buffer, q.offset, q.length);
        if (action == FrameHook.DUPLICATE) {
            Packet copy = to.pool.alloc(q.length);
            if (copy != null) {
                Bytes.copy(q.buffer, q.offset, copy.buffer, copy.offset, q.length);
                copy.length = q.length;
                copy.rxChecksum = q.rxChecksum;
                to.enqueue(copy, false);
            } else {
                to.rxNoBuffer++;
            }
        }
        to.enqueue(q, action == FrameHook.REORDER);
    }

    private void finishTx(Packet marks, ByteBuffer buf, int off, int len) {
        if (marks.txOffloads != 0 && !trustChecksums) {
            NicEmulation.completeTxChecksums(buf, off, len, marks.txOffloads, marks.l3Offset, marks.l4Offset);
        }
    }

    private void captureFrame(ByteBuffer buf, int off, int len) {
        if (capture != null) {
            try {
                capture.write(clock.nanoTime(), buf, off, len);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One attachment point: the {@link Nic} of the stack attached here, and its receive queue. */
    public final class Port implements Nic<Packet> {
        final int index;
        final PacketPool pool;
        private volatile int features;
        private final Packet[] ring;
        private int head;
        private int count;
        long rxNoBuffer;
        private long rxOverflow;
        private long flushes;
        private long coalesced;

        Port(int index, PacketPool pool, int features, int rxCapacity) {
            this.index = index;
            this.pool = pool;
            this.features = features;
            this.ring = new Packet[rxCapacity];
        }

        @Override
        public int features() {
            return features;
        }

        /** Changes the claimed offloads (takes effect at the stack's next call). */
        public Port features(int features) {
            this.features = features;
            return this;
        }

        @Override
        public void push(Packet frame) {
            transmit(this, frame);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public int rxChecksum(Packet frame) {
            return frame.rxChecksum;
        }

        @Override
        public void txOffload(Packet frame, int offloads, int l3Offset, int l4Offset, int segmentSize) {
            frame.txOffload(offloads, l3Offset, l4Offset, segmentSize);
        }

        int verdict(ByteBuffer buf, int off, int len) {
            int f = features;
            if ((f & (NicFeatures.IPV4_RX_CSUM | NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM)) == 0) {
                return RxChecksum.NONE;
            }
            if (trustChecksums) {
                return RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD;
            }
            return NicEmulation.verifyRx(buf, off, len, linkType.headerLength());
        }

        void enqueue(Packet p, boolean aheadOfPrevious) {
            if ((features & NicFeatures.LRO) != 0 && !aheadOfPrevious && count > 0 && coalesceIntoTail(p)) {
                return;
            }
            if (count == ring.length) {
                rxOverflow++;
                pool.free(p);
                return;
            }
            int tail = (head + count) % ring.length;
            ring[tail] = p;
            count++;
            if (aheadOfPrevious && count >= 2) {
                int prev = (tail - 1 + ring.length) % ring.length;
                Packet t = ring[prev];
                ring[prev] = ring[tail];
                ring[tail] = t;
            }
        }

        /**
         * LRO: merges {@code p} into the frame queued last when it continues the same TCP flow and both verified
         * good; the merged frame moves to a large buffer the first time.
         */
        private boolean coalesceIntoTail(Packet p) {
            int tailIndex = (head + count - 1) % ring.length;
            Packet tail = ring[tailIndex];
            int good = RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD;
            if ((tail.rxChecksum & good) != good || (p.rxChecksum & good) != good) {
                return false;
            }
            int l2 = linkType.headerLength();
            int merged = NicEmulation.coalescedLength(tail.buffer, tail.offset, tail.length, p.buffer, p.offset,
                    p.length, l2);
            if (merged < 0) {
                return false;
            }
            if (tail.capacity() < l2 + merged) {
                Packet big = pool.alloc(l2 + 65535);
                if (big == null) {
                    return false;
                }
                Bytes.copy(tail.buffer, tail.offset, big.buffer, big.offset, tail.length);
                big.length = tail.length;
                big.rxChecksum = tail.rxChecksum;
                pool.free(tail);
                ring[tailIndex] = big;
                tail = big;
            }
            NicEmulation.coalesce(tail.buffer, tail.offset, p.buffer, p.offset, l2, merged);
            tail.length = l2 + merged;
            coalesced++;
            pool.free(p);
            return true;
        }

        /** Frames merged into their predecessor by LRO. */
        public long coalesced() {
            return coalesced;
        }

        /** Moves up to {@code max} received frames into {@code out}; the caller owns them (pass them to run). */
        public int poll(Packet[] out, int max) {
            int n = Math.min(Math.min(max, out.length), count);
            for (int i = 0; i < n; i++) {
                out[i] = ring[head];
                ring[head] = null;
                head = (head + 1) % ring.length;
            }
            count -= n;
            return n;
        }

        /** Frames waiting in the receive queue. */
        public int pending() {
            return count;
        }

        /** Frees every queued frame (when discarding the port). */
        public void clear() {
            while (count > 0) {
                pool.free(ring[head]);
                ring[head] = null;
                head = (head + 1) % ring.length;
                count--;
            }
        }

        /** Frames lost because the receive queue was full. */
        public long rxOverflow() {
            return rxOverflow;
        }

        /** Frames lost because the receiving pool had no buffer. */
        public long rxNoBuffer() {
            return rxNoBuffer;
        }

        public long flushes() {
            return flushes;
        }

        public PacketPool pool() {
            return pool;
        }
    }
}
