package io.jiip.sim;

import io.jiip.api.Nic;
import io.jiip.api.NicFeatures;
import io.jiip.api.Offload;
import io.jiip.api.RxChecksum;
import io.jiip.link.NicEmulation;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.EthernetHeader;

/**
 * The simulated NIC of a {@link Node}: the {@link Nic} its stack pushes frames to. It does in "hardware" what the
 * memory link's NIC emulation does ({@link NicEmulation}): completes the transmit checksums the stack left to it,
 * gathers scatter-gather chains into one wire frame, and gives received frames a checksum verdict when it claims
 * RX checksum offload.
 *
 * <p>It also segments super-frames marked for TSO or UDP GSO into wire frames ({@link #segment}) and, with
 * {@link NicFeatures#LRO}, merges back-to-back received segments of one TCP flow before the stack sees them
 * ({@link #coalesce}), both with the memory link's {@link NicEmulation}.
 */
public final class SimNic implements Nic<Packet> {
    /** Features this NIC can emulate today. */
    public static final int SUPPORTED = NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER | NicFeatures.TCP_TSO
            | NicFeatures.UDP_GSO | NicFeatures.LRO;

    private final Node node;
    private final PacketPool pool;
    private int features;
    private long pushed;
    private long flushes;
    private long coalesced;
    private LossProcess egressLoss;
    private long egressDrops;
    private long egressDroppedWireFrames;

    SimNic(Node node, PacketPool pool, int features) {
        this.node = node;
        this.pool = pool;
        features(features);
    }

    @Override
    public int features() {
        return features;
    }

    /** Changes the offered features (read by the stack at its next call). */
    public void features(int f) {
        if ((f & ~SUPPORTED) != 0) {
            throw new IllegalArgumentException("SimNic cannot emulate features 0x"
                    + Integer.toHexString(f & ~SUPPORTED));
        }
        this.features = f;
    }

    @Override
    public void push(Packet frame) {
        pushed++;
        int total = 0;
        for (Packet p = frame; p != null; p = p.next()) {
            total += p.length();
        }
        node.pushed(frame, total);
        int offloads = frame.txOffloads();
        boolean segmented = (offloads & (Offload.TCP_SEG | Offload.UDP_SEG)) != 0;
        if (egressLoss != null && isIpv4(frame) && egressLoss.lost()) {
            egressDrops++;
            egressDroppedWireFrames += segmented ? NicEmulation.segments(frame, total) : 1;
            pool.free(frame);
            return;
        }
        if (segmented) {
            segment(frame, total);
            return;
        }
        Frame f = node.sim().frames().take(total);
        int at = 0;
        for (Packet p = frame; p != null; p = p.next()) {
            f.buffer.put(at, p.buffer(), p.offset(), p.length());
            at += p.length();
        }
        if (offloads != 0) {
            NicEmulation.completeTxChecksums(f.buffer, 0, total, offloads, frame.l3Offset(), frame.l4Offset());
        }
        pool.free(frame);
        node.transmit(f);
    }

    private static boolean isIpv4(Packet frame) {
        return frame.length() >= EthernetHeader.LENGTH
                && (frame.buffer().getShort(frame.offset() + 12) & 0xffff) == EthernetHeader.TYPE_IPV4;
    }

    void egressLoss(LossProcess loss) {
        this.egressLoss = loss;
    }

    /** Frames (a TSO/GSO super-frame counts once) dropped where the stack handed them over, before segmentation. */
    public long egressDrops() {
        return egressDrops;
    }

    /** The wire frames those egress drops would have become. */
    public long egressDroppedWireFrames() {
        return egressDroppedWireFrames;
    }

    /** TSO / UDP GSO: the marked super-frame leaves as wire frames of {@code segmentSize} payload bytes. */
    private void segment(Packet frame, int total) {
        int count = NicEmulation.segments(frame, total);
        for (int i = 0; i < count; i++) {
            Frame f = node.sim().frames().take(frame.l4Offset() + 60 + frame.segmentSize());
            f.length = NicEmulation.writeSegment(frame, total, i, f.buffer, 0, true);
            node.transmit(f);
        }
        pool.free(frame);
    }

    /**
     * LRO/GRO: merges consecutive segments of one TCP flow among {@code rx[0..n)} (both verified good, in order)
     * into the first, moving it to a large buffer when needed; returns the new count.
     */
    int coalesce(Packet[] rx, int n) {
        if ((features & NicFeatures.LRO) == 0 || n < 2) {
            return n;
        }
        int good = RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD;
        int l2 = EthernetHeader.LENGTH;
        int w = 0;
        for (int i = 1; i < n; i++) {
            Packet t = rx[w];
            Packet p = rx[i];
            int merged = (t.rxChecksum() & good) == good && (p.rxChecksum() & good) == good
                    ? NicEmulation.coalescedLength(t.buffer(), t.offset(), t.length(), p.buffer(), p.offset(),
                            p.length(), l2)
                    : -1;
            if (merged > 0 && t.capacity() < l2 + merged) {
                Packet big = pool.alloc(l2 + 65535);
                if (big == null) {
                    merged = -1;
                } else {
                    big.buffer().put(big.offset(), t.buffer(), t.offset(), t.length());
                    pool.length(big, t.length());
                    big.rxChecksum(t.rxChecksum());
                    pool.free(t);
                    rx[w] = big;
                    t = big;
                }
            }
            if (merged > 0) {
                NicEmulation.coalesce(t.buffer(), t.offset(), p.buffer(), p.offset(), l2, merged);
                pool.length(t, l2 + merged);
                pool.free(p);
                coalesced++;
            } else {
                rx[++w] = p;
            }
        }
        for (int i = w + 1; i < n; i++) {
            rx[i] = null;
        }
        return w + 1;
    }

    /** Frames merged into their predecessor by LRO. */
    public long coalesced() {
        return coalesced;
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public int rxChecksum(Packet frame) {
        return frame.rxChecksum();
    }

    @Override
    public void txOffload(Packet frame, int offloads, int l3Offset, int l4Offset, int segmentSize) {
        frame.txOffload(offloads, l3Offset, l4Offset, segmentSize);
    }

    /** The verdict a checksum-offloading NIC records on a received frame. */
    int verdict(Packet p) {
        if ((features & (NicFeatures.IPV4_RX_CSUM | NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM)) == 0) {
            return RxChecksum.NONE;
        }
        return NicEmulation.verifyRx(p.buffer(), p.offset(), p.length(), EthernetHeader.LENGTH);
    }

    public long pushed() {
        return pushed;
    }

    public long flushes() {
        return flushes;
    }
}
