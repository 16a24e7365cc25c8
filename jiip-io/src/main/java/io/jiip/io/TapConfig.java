package io.jiip.io;

import java.nio.charset.StandardCharsets;

/**
 * How to open a TAP device: its name, queues, the offloads to negotiate and offer to jiip, and the packet memory
 * of each queue. Build with {@link #builder()}; every setter documents its default.
 *
 * <p>Offloads, and what each switch changes:
 * <ul>
 * <li>{@link Builder#txChecksum} (default on): jiip leaves TCP/UDP checksums to the device; frames go out with
 *     {@code NEEDS_CSUM} and the kernel completes them if they leave the host, or trusts them.</li>
 * <li>{@link Builder#rxChecksum} (default on): {@code TUNSETOFFLOAD TUN_F_CSUM}, so the kernel sends its own
 *     packets with partial checksums, and jiip takes the kernel's {@code NEEDS_CSUM}/{@code DATA_VALID} as verified.
 *     Off: no {@code TUN_F_CSUM}; the kernel computes full checksums and jiip verifies every one.</li>
 * <li>{@link Builder#scatterGather} (default on): frames are written with {@code writev}, headers and payload in
 *     separate buffers (zero-copy TCP send).</li>
 * <li>{@link Builder#txTso} (default on, with {@code txChecksum}): jiip sends TCP super-segments of up to 64 KiB,
 *     written with {@code GSO_TCPV4}.</li>
 * <li>{@link Builder#rxGso} (default off): {@code TUN_F_TSO4|TUN_F_TSO6}: the kernel sends TCP super-frames of up
 *     to 64 KB, which the stack takes whole (the queue offers {@code NicFeatures.LRO}); with {@code LRO} switched
 *     off ({@link TapQueue#disable}) the queue splits them into MSS-sized segments first. Needs
 *     {@code rxChecksum}.</li>
 * </ul>
 */
public final class TapConfig {
    final String name;
    final int queues;
    final boolean multiQueue;
    final boolean txChecksum;
    final boolean rxChecksum;
    final boolean scatterGather;
    final boolean rxGso;
    final boolean txTso;
    final int mtu;
    final boolean up;
    final String netns;
    final int packets;
    final int smallSlots;
    final int largeSlots;

    private TapConfig(Builder b) {
        name = b.name;
        queues = b.queues;
        multiQueue = b.multiQueue || b.queues > 1;
        txChecksum = b.txChecksum;
        rxChecksum = b.rxChecksum;
        scatterGather = b.scatterGather;
        rxGso = b.rxGso;
        txTso = b.txTso;
        mtu = b.mtu;
        up = b.up;
        netns = b.netns;
        packets = b.packets;
        smallSlots = b.smallSlots;
        largeSlots = b.largeSlots;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() { return name; }
    public int queues() { return queues; }
    public boolean multiQueue() { return multiQueue; }
    public boolean txChecksum() { return txChecksum; }
    public boolean rxChecksum() { return rxChecksum; }
    public boolean scatterGather() { return scatterGather; }
    public boolean rxGso() { return rxGso; }
    public boolean txTso() { return txTso; }
    public int mtu() { return mtu; }
    public boolean up() { return up; }
    public String netns() { return netns; }
    public int packets() { return packets; }
    public int smallSlots() { return smallSlots; }
    public int largeSlots() { return largeSlots; }

    /** The {@code TUNSETOFFLOAD} flags these settings ask for. */
    int tunOffloads() {
        int f = 0;
        if (rxChecksum) {
            f |= TapDevice.TUN_F_CSUM;
            if (rxGso) {
                f |= TapDevice.TUN_F_TSO4 | TapDevice.TUN_F_TSO6;
            }
        }
        return f;
    }

    @Override
    public String toString() {
        return "tap " + name + (queues > 1 ? " queues " + queues : "") + " tx-csum " + onOff(txChecksum)
                + " rx-csum " + onOff(rxChecksum) + " sg " + onOff(scatterGather) + " tso " + onOff(txTso && txChecksum)
                + " rx-gso " + onOff(rxGso)
                + (netns != null ? " netns " + netns : "");
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String name = "jiip%d";
        private int queues = 1;
        private boolean multiQueue;
        private boolean txChecksum = true;
        private boolean rxChecksum = true;
        private boolean scatterGather = true;
        private boolean rxGso;
        private boolean txTso = true;
        private int mtu;
        private boolean up = true;
        private String netns;
        private int packets = 16384;
        private int smallSlots = 8192;
        private int largeSlots = 256;

        private Builder() {
        }

        /** Interface name, at most 15 bytes; a {@code %d} lets the kernel number it (default {@code jiip%d}). */
        public Builder name(String name) { this.name = name; return this; }

        /** Queues (file descriptors), one per event loop; more than one implies multi-queue (default 1). */
        public Builder queues(int n) { this.queues = n; return this; }

        /** Open with {@code IFF_MULTI_QUEUE} even with one queue (default: only when queues &gt; 1). */
        public Builder multiQueue(boolean on) { this.multiQueue = on; return this; }

        /** Offer TCP/UDP transmit checksum offload to jiip (default on). */
        public Builder txChecksum(boolean on) { this.txChecksum = on; return this; }

        /** Negotiate {@code TUN_F_CSUM} and trust the kernel's checksum marks (default on). */
        public Builder rxChecksum(boolean on) { this.rxChecksum = on; return this; }

        /** Offer scatter-gather transmit (default on). */
        public Builder scatterGather(boolean on) { this.scatterGather = on; return this; }

        /** Negotiate TSO4/TSO6 and split received super-frames in the queue (default off). */
        public Builder rxGso(boolean on) { this.rxGso = on; return this; }

        /**
         * Offer TCP segmentation offload to jiip (default on; only with {@link #txChecksum}): the stack sends
         * super-segments of up to 64 KiB marked {@code TCP_SEG}, written with {@code GSO_TCPV4}; the kernel
         * segments them only if they leave the host through a device without TSO.
         */
        public Builder txTso(boolean on) { this.txTso = on; return this; }

        /** Sets the interface MTU at open (default 0: leave it, 1500 for a new TAP). */
        public Builder mtu(int mtu) { this.mtu = mtu; return this; }

        /** Brings the interface up at open (default on). */
        public Builder up(boolean on) { this.up = on; return this; }

        /**
         * Opens the TAP inside the named network namespace ({@code /run/netns/NAME}, as made by
         * {@code ip netns add}); the interface is created there and never exists in ours (default: the current
         * namespace).
         */
        public Builder netns(String name) { this.netns = name; return this; }

        /** Packet memory of each queue: descriptors, 2 KiB slots and 64 KiB slots (default 16384, 8192, 256). */
        public Builder pool(int packets, int smallSlots, int largeSlots) {
            this.packets = packets;
            this.smallSlots = smallSlots;
            this.largeSlots = largeSlots;
            return this;
        }

        public TapConfig build() {
            if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length
                    >= LinuxStructs.IFNAMSIZ) {
                throw new IllegalArgumentException("name must be 1..15 bytes");
            }
            if (queues < 1 || queues > 256) {
                throw new IllegalArgumentException("queues must be 1..256");
            }
            if (mtu != 0 && (mtu < 576 || mtu > 65535)) {
                throw new IllegalArgumentException("mtu must be 576..65535");
            }
            if (packets < 64 || smallSlots < 32 || largeSlots < 2) {
                throw new IllegalArgumentException("pool too small (packets >= 64, small >= 32, large >= 2)");
            }
            if (rxGso && !rxChecksum) {
                throw new IllegalArgumentException("rxGso needs rxChecksum (TSO implies partial checksums)");
            }
            if (netns != null && (netns.isEmpty() || netns.contains("/") || netns.startsWith("."))) {
                throw new IllegalArgumentException("bad namespace name: " + netns);
            }
            return new TapConfig(this);
        }
    }
}
