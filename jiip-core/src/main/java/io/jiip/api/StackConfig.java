package io.jiip.api;

import io.jiip.wire.Ipv4Address;
import io.jiip.wire.MacAddress;

/**
 * Addresses, limits and pool sizes of one {@link Stack}, fixed at construction: every table the stack uses is
 * sized from here up front (the counterpart of iip's {@code iip_add_pb}/{@code iip_add_tcp_conn}), so nothing is
 * allocated per packet. Build with {@link #builder()}; every setter documents its default.
 */
public final class StackConfig {
    private static final long SECOND = 1_000_000_000L;

    final LinkType linkType;
    final long mac;
    final int ipv4;
    final int prefixLength;
    final int gateway;
    final int mtu;
    final int ttl;
    final int arpCacheEntries;
    final int arpPendingFrames;
    final long arpEntryLifetimeNanos;
    final long arpRequestIntervalNanos;
    final long arpPendingTimeoutNanos;
    final int reassemblyDatagrams;
    final int reassemblyFragments;
    final long reassemblyTimeoutNanos;
    final int reassemblyMemory;
    final int udpPorts;
    final int icmpErrorsPerSecond;
    final int icmpErrorBurst;
    final int pathMtuEntries;
    final long pathMtuLifetimeNanos;
    final TcpConfig tcp;

    private StackConfig(Builder b) {
        this.linkType = b.linkType;
        this.mac = b.mac;
        this.ipv4 = b.ipv4;
        this.prefixLength = b.prefixLength;
        this.gateway = b.gateway;
        this.mtu = b.mtu;
        this.ttl = b.ttl;
        this.arpCacheEntries = b.arpCacheEntries;
        this.arpPendingFrames = b.arpPendingFrames;
        this.arpEntryLifetimeNanos = b.arpEntryLifetimeNanos;
        this.arpRequestIntervalNanos = b.arpRequestIntervalNanos;
        this.arpPendingTimeoutNanos = b.arpPendingTimeoutNanos;
        this.reassemblyDatagrams = b.reassemblyDatagrams;
        this.reassemblyFragments = b.reassemblyFragments;
        this.reassemblyTimeoutNanos = b.reassemblyTimeoutNanos;
        this.reassemblyMemory = b.reassemblyMemory;
        this.udpPorts = b.udpPorts;
        this.icmpErrorsPerSecond = b.icmpErrorsPerSecond;
        this.icmpErrorBurst = b.icmpErrorBurst;
        this.pathMtuEntries = b.pathMtuEntries;
        this.pathMtuLifetimeNanos = b.pathMtuLifetimeNanos;
        this.tcp = b.tcp;
    }

    public static Builder builder() {
        return new Builder();
    }

    public LinkType linkType() { return linkType; }
    public long mac() { return mac; }
    public int ipv4() { return ipv4; }
    public int prefixLength() { return prefixLength; }
    public int gateway() { return gateway; }
    public int mtu() { return mtu; }
    public int ttl() { return ttl; }
    public int arpCacheEntries() { return arpCacheEntries; }
    public int arpPendingFrames() { return arpPendingFrames; }
    public long arpEntryLifetimeNanos() { return arpEntryLifetimeNanos; }
    public long arpRequestIntervalNanos() { return arpRequestIntervalNanos; }
    public long arpPendingTimeoutNanos() { return arpPendingTimeoutNanos; }
    public int reassemblyDatagrams() { return reassemblyDatagrams; }
    public int reassemblyFragments() { return reassemblyFragments; }
    public long reassemblyTimeoutNanos() { return reassemblyTimeoutNanos; }
    public int reassemblyMemory() { return reassemblyMemory; }
    public int udpPorts() { return udpPorts; }
    public int icmpErrorsPerSecond() { return icmpErrorsPerSecond; }
    public int icmpErrorBurst() { return icmpErrorBurst; }
    public int pathMtuEntries() { return pathMtuEntries; }
    public long pathMtuLifetimeNanos() { return pathMtuLifetimeNanos; }
    public TcpConfig tcp() { return tcp; }

    @Override
    public String toString() {
        return linkType + " " + MacAddress.toString(mac) + " " + Ipv4Address.toString(ipv4) + "/" + prefixLength
                + (gateway != 0 ? " via " + Ipv4Address.toString(gateway) : "") + " mtu " + mtu;
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private LinkType linkType = LinkType.ETHERNET;
        private long mac = -1;
        private int ipv4;
        private int prefixLength = 24;
        private int gateway;
        private int mtu = 1500;
        private int ttl = 64;
        private int arpCacheEntries = 64;
        private int arpPendingFrames = 32;
        private long arpEntryLifetimeNanos = 60 * SECOND;
        private long arpRequestIntervalNanos = SECOND;
        private long arpPendingTimeoutNanos = 3 * SECOND;
        private int reassemblyDatagrams = 16;
        private int reassemblyFragments = 64;
        private long reassemblyTimeoutNanos = 30 * SECOND;
        private int reassemblyMemory = 1 << 20;
        private int udpPorts = 64;
        private int icmpErrorsPerSecond = 100;
        private int icmpErrorBurst = 10;
        private int pathMtuEntries = 64;
        private long pathMtuLifetimeNanos = 600 * SECOND;
        private TcpConfig tcp = TcpConfig.defaults();

        private Builder() {
        }

        /** Default {@link LinkType#ETHERNET}. */
        public Builder linkType(LinkType type) { this.linkType = type; return this; }

        /** Our MAC address (required for Ethernet). */
        public Builder mac(long mac) { this.mac = mac; return this; }

        public Builder mac(String mac) { return mac(MacAddress.parse(mac)); }

        /** Our IPv4 address and prefix length (required; prefix default 24). */
        public Builder ipv4(int addr, int prefixLength) {
            this.ipv4 = addr;
            this.prefixLength = prefixLength;
            return this;
        }

        public Builder ipv4(String addr, int prefixLength) { return ipv4(Ipv4Address.parse(addr), prefixLength); }

        /** Next hop for destinations outside our prefix (default none: off-link destinations are unresolved). */
        public Builder gateway(int addr) { this.gateway = addr; return this; }

        public Builder gateway(String addr) { return gateway(Ipv4Address.parse(addr)); }

        /** IP MTU of the link in bytes, 576..65535 (default 1500). */
        public Builder mtu(int mtu) { this.mtu = mtu; return this; }

        /** TTL of datagrams we send, 1..255 (default 64). */
        public Builder ttl(int ttl) { this.ttl = ttl; return this; }

        /**
         * Entries of the stack's own ARP cache (default 64). 0 disables resolution by the stack: callers then pass
         * the destination MAC to every send.
         */
        public Builder arpCacheEntries(int n) { this.arpCacheEntries = n; return this; }

        /** Frames held while their destination is being resolved, all destinations together (default 32). */
        public Builder arpPendingFrames(int n) { this.arpPendingFrames = n; return this; }

        /** How long a learned ARP entry is used before it must be refreshed (default 60 s). */
        public Builder arpEntryLifetimeNanos(long nanos) { this.arpEntryLifetimeNanos = nanos; return this; }

        /** Minimum interval between two ARP requests for one target (default 1 s, RFC 1122 §2.3.2.1). */
        public Builder arpRequestIntervalNanos(long nanos) { this.arpRequestIntervalNanos = nanos; return this; }

        /** How long a frame waits for resolution before it is dropped (default 3 s). */
        public Builder arpPendingTimeoutNanos(long nanos) { this.arpPendingTimeoutNanos = nanos; return this; }

        /** Datagrams in reassembly at once (default 16). */
        public Builder reassemblyDatagrams(int n) { this.reassemblyDatagrams = n; return this; }

        /** Fragments one datagram may have (default 64). */
        public Builder reassemblyFragments(int n) { this.reassemblyFragments = n; return this; }

        /** Time allowed for all fragments of a datagram to arrive (default 30 s). */
        public Builder reassemblyTimeoutNanos(long nanos) { this.reassemblyTimeoutNanos = nanos; return this; }

        /** Bytes of held fragment buffers, all datagrams together (default 1 MiB). */
        public Builder reassemblyMemory(int bytes) { this.reassemblyMemory = bytes; return this; }

        /** UDP ports that can be bound at once (default 64). */
        public Builder udpPorts(int n) { this.udpPorts = n; return this; }

        /** ICMP error messages per second, token bucket (default 100/s, burst 10; RFC 1812 §4.3.2.8). */
        public Builder icmpErrorRate(int perSecond, int burst) {
            this.icmpErrorsPerSecond = perSecond;
            this.icmpErrorBurst = burst;
            return this;
        }

        /** Destinations whose path MTU is remembered (default 64). */
        public Builder pathMtuEntries(int n) { this.pathMtuEntries = n; return this; }

        /** How long a lowered path MTU is kept before it is probed again (default 10 min, RFC 1191 §6.3). */
        public Builder pathMtuLifetimeNanos(long nanos) { this.pathMtuLifetimeNanos = nanos; return this; }

        /** TCP settings (default {@link TcpConfig#defaults()}). */
        public Builder tcp(TcpConfig tcp) { this.tcp = tcp; return this; }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public StackConfig build() {
            require(linkType != null, "linkType is required");
            require(linkType != LinkType.ETHERNET || (mac >= 0 && mac <= 0xffff_ffff_ffffL
                    && (mac & 0x0100_0000_0000L) == 0), "a unicast MAC address is required for Ethernet");
            require(ipv4 != 0, "an IPv4 address is required");
            require(prefixLength >= 0 && prefixLength <= 32, "prefixLength must be 0..32");
            require(mtu >= 576 && mtu <= 65535, "mtu must be 576..65535");
            require(ttl >= 1 && ttl <= 255, "ttl must be 1..255");
            require(arpCacheEntries >= 0 && arpPendingFrames >= 0, "ARP sizes must be >= 0");
            require(arpEntryLifetimeNanos > 0 && arpRequestIntervalNanos > 0 && arpPendingTimeoutNanos > 0,
                    "ARP times must be > 0");
            require(reassemblyDatagrams >= 0 && reassemblyFragments >= 1 && reassemblyMemory >= 0,
                    "reassembly sizes must be >= 0 (fragments >= 1)");
            require(reassemblyTimeoutNanos > 0, "reassemblyTimeout must be > 0");
            require(udpPorts >= 0, "udpPorts must be >= 0");
            require(icmpErrorsPerSecond >= 0 && icmpErrorBurst >= 0, "ICMP rate must be >= 0");
            require(tcp != null, "tcp settings are required");
            require(pathMtuEntries >= 0 && pathMtuLifetimeNanos > 0, "path MTU settings must be >= 0");
            return new StackConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
