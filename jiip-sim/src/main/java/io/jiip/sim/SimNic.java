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
 * <p><b>Extension point: TSO and LRO.</b> Segmentation ({@link NicFeatures#TCP_TSO}, {@link NicFeatures#UDP_GSO})
 * and receive coalescing ({@link NicFeatures#LRO}) arrive with a later jiip-core issue that adds them to
 * {@code NicEmulation}. Until then a node refuses those features when it is built, and the two places they plug in
 * are {@link #segment} (a marked super-frame becomes several wire frames) and {@link #coalesce} (back-to-back
 * received segments merge before the stack sees them).
 */
public final class SimNic implements Nic<Packet> {
    /** Features this NIC can emulate today. */
    public static final int SUPPORTED = NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER;

    private final Node node;
    private final PacketPool pool;
    private int features;
    private long pushed;
    private long flushes;

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
            throw new IllegalArgumentException("SimNic cannot emulate features 0x" + Integer.toHexString(f & ~SUPPORTED)
                    + " yet (TSO/GSO/LRO come with jiip-core's segmentation offload issue)");
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
        int offloads = frame.txOffloads();
        if ((offloads & (Offload.TCP_SEG | Offload.UDP_SEG)) != 0) {
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

    /** TSO/GSO split of a marked frame: the extension point for jiip-core's segmentation offload issue. */
    private void segment(Packet frame, int total) {
        pool.free(frame);
        throw new UnsupportedOperationException("TSO/GSO emulation is not implemented yet (" + total + " bytes)");
    }

    /**
     * LRO/GRO: merges consecutive TCP segments of one flow among {@code rx[0..n)} and returns the new count. A
     * no-op until jiip-core's coalescing issue (the stack never sees a coalesced frame without {@link
     * NicFeatures#LRO}, which this NIC does not offer yet).
     */
    int coalesce(Packet[] rx, int n) {
        return n;
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
