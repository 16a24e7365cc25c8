package io.jiip.iface;

import io.jiip.api.Clock;
import io.jiip.api.Counter;
import io.jiip.api.LinkType;
import io.jiip.api.Nic;
import io.jiip.api.NicFeatures;
import io.jiip.api.Offload;
import io.jiip.api.PacketOps;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.api.Stats;
import io.jiip.arp.ArpCache;
import io.jiip.icmp.IcmpLayer;
import io.jiip.ip.Ipv4Layer;
import io.jiip.ip.PathMtuCache;
import io.jiip.ip.Reassembler;
import io.jiip.tcp.TcpLayer;
import io.jiip.udp.UdpLayer;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import java.nio.ByteBuffer;

/**
 * The interior of one {@link Stack}: the integrator's callbacks, the cached time and NIC features of the current
 * call, link-layer input dispatch and output (header crafting, next-hop resolution, push and flush), and the
 * protocol layers. Everything a context owns hangs off this object; nothing is static.
 */
public final class NetInterface<P> {
    /** {@link #resolve} result: the frame can be queued until ARP resolves the next hop. */
    public static final long PENDING = -2;
    /** {@link #resolve} result: no link address can be found or waited for. */
    public static final long UNREACHABLE = -1;

    public final Stack<P> stack;
    public final StackConfig config;
    public final PacketOps<P> ops;
    public final Nic<P> nic;
    public final StackEvents<P> events;
    public final Stats stats = new Stats();
    private final Clock clock;

    public final int l2Length;
    public final long mac;
    public final int ip;
    private final int netmask;
    private final int subnetBroadcast;

    public final ArpCache<P> arpCache;
    public final ArpLayer<P> arp;
    public final Ipv4Layer<P> ipv4;
    public final Reassembler<P> reassembler;
    public final PathMtuCache pathMtu;
    public final IcmpLayer<P> icmp;
    public final UdpLayer<P> udp;
    public final TcpLayer<P> tcp;

    /** Time of the current run or call, read once from the integrator's clock ({@link #now()}). */
    private long now;
    /** NIC features of the current run or call. */
    private int features;
    private boolean inRun;
    /** API calls in progress outside a run (a framed call may make another). */
    private int callDepth;
    private boolean pushed;
    private int nextIpId;

    public NetInterface(Stack<P> stack, StackConfig config, PacketOps<P> ops, Nic<P> nic, Clock clock,
            StackEvents<P> events) {
        this.stack = stack;
        this.config = config;
        this.ops = ops;
        this.nic = nic;
        this.clock = clock;
        this.events = events;
        this.l2Length = config.linkType().headerLength();
        this.mac = config.mac();
        this.ip = config.ipv4();
        this.netmask = Ipv4Address.mask(config.prefixLength());
        this.subnetBroadcast = config.prefixLength() >= 31 ? Ipv4Address.BROADCAST : ip | ~netmask;
        this.arpCache = config.linkType() == LinkType.ETHERNET && config.arpCacheEntries() > 0
                ? new ArpCache<>(config.arpCacheEntries(), config.arpPendingFrames(), config.arpEntryLifetimeNanos(),
                        config.arpRequestIntervalNanos(), config.arpPendingTimeoutNanos())
                : null;
        this.arp = new ArpLayer<>(this);
        this.pathMtu = new PathMtuCache(config.pathMtuEntries(), config.mtu(), config.pathMtuLifetimeNanos());
        this.reassembler = new Reassembler<>(this);
        this.icmp = new IcmpLayer<>(this);
        this.udp = new UdpLayer<>(this);
        this.tcp = new TcpLayer<>(this);
        this.ipv4 = new Ipv4Layer<>(this);
        this.nextIpId = (int) (config.mac() ^ config.ipv4()) & 0xffff;
    }

    // ---- call framing: one clock read and one flush per run or API call ----

    /** Starts a run: reads the clock and the NIC features. */
    public void beginRun() {
        now = clock.nanoTime();
        features = nic.features();
        inRun = true;
    }

    /** Ends a run: flushes once if anything was pushed. */
    public void endRun() {
        inRun = false;
        flushIfPushed();
    }

    /** Whether a run is in progress (an API call made now comes from a callback). */
    public boolean inRun() {
        return inRun;
    }

    /**
     * Starts an API call: every {@code Stack} entry point that reaches protocol state is framed by this and
     * {@link #endCall} (in a {@code finally}). Outside a run the outermost call reads the clock and the NIC
     * features; inside a run (from a callback) the run's are reused.
     */
    public void beginCall() {
        if (!inRun && callDepth++ == 0) {
            now = clock.nanoTime();
            features = nic.features();
        }
    }

    /** Ends an API call; outside a run the outermost call flushes what was pushed. */
    public void endCall() {
        if (!inRun && --callDepth == 0) {
            flushIfPushed();
        }
    }

    /**
     * The time of the current run or framed call. Read anywhere else it would be the time of the last one: the
     * assertion (on in the tests) catches an entry point that forgot its frame.
     */
    public long now() {
        assert inRun || callDepth > 0 : "the clock read outside a run or framed API call";
        return now;
    }

    /** The NIC features of the current run or framed call ({@link io.jiip.api.NicFeatures}). */
    public int features() {
        assert inRun || callDepth > 0 : "NIC features read outside a run or framed API call";
        return features;
    }

    private void flushIfPushed() {
        if (pushed) {
            pushed = false;
            nic.flush();
        }
    }

    public boolean has(int feature) {
        return NicFeatures.has(features(), feature);
    }

    // ---- input ----

    /** Takes ownership of a received frame and dispatches it by link type. */
    public void input(P frame) {
        stats.inc(Counter.RX_FRAMES);
        ByteBuffer buf = ops.buffer(frame);
        int off = ops.offset(frame);
        int len = ops.length(frame);
        if (l2Length == 0) {
            if (len < 1 || (buf.get(off) & 0xf0) != 0x40) {
                drop(frame, len < 1 ? Counter.DROP_L2_TRUNCATED : Counter.DROP_L2_UNKNOWN_TYPE);
                return;
            }
            ipv4.input(frame, buf, off, len, true);
            return;
        }
        if (len < EthernetHeader.LENGTH) {
            drop(frame, Counter.DROP_L2_TRUNCATED);
            return;
        }
        long dst = EthernetHeader.dst(buf, off);
        if (dst != mac && dst != EthernetHeader.BROADCAST) {
            drop(frame, Counter.DROP_L2_NOT_FOR_US);
            return;
        }
        switch (EthernetHeader.etherType(buf, off)) {
            case EthernetHeader.TYPE_IPV4:
                ipv4.input(frame, buf, off + l2Length, len - l2Length, true);
                break;
            case EthernetHeader.TYPE_ARP:
                arp.input(frame, buf, off + l2Length, len - l2Length);
                break;
            default:
                drop(frame, Counter.DROP_L2_UNKNOWN_TYPE);
        }
    }

    /** Counts a drop reason and frees the frame. */
    public void drop(P frame, Counter reason) {
        stats.inc(reason);
        ops.free(frame);
    }

    /** The source link address of a received frame whose IPv4 header starts at {@code ipOff}. */
    public long sourceMacOf(ByteBuffer buf, int ipOff) {
        return l2Length == 0 ? 0 : EthernetHeader.src(buf, ipOff - l2Length);
    }

    // ---- addressing ----

    public boolean isOurs(int addr) {
        return addr == ip;
    }

    public boolean isBroadcast(int addr) {
        return addr == Ipv4Address.BROADCAST || addr == subnetBroadcast;
    }

    public boolean onLink(int addr) {
        return ((addr ^ ip) & netmask) == 0;
    }

    /**
     * The link address to send to {@code dstIp}: a MAC, {@link #PENDING} (ARP will be asked; {@link #transmitIp}
     * queues the frame, or drops and counts it when the queue is full), or {@link #UNREACHABLE} (no route).
     * Always 0 on a link without link addresses.
     */
    public long resolve(int dstIp) {
        if (l2Length == 0) {
            return 0;
        }
        if (isBroadcast(dstIp)) {
            return EthernetHeader.BROADCAST;
        }
        if (Ipv4Address.isMulticast(dstIp)) {
            return 0x01005e000000L | (dstIp & 0x7fffff); // RFC 1112 §6.4
        }
        if (arpCache == null) {
            return UNREACHABLE;
        }
        int nextHop = nextHop(dstIp);
        if (nextHop == 0) {
            return UNREACHABLE;
        }
        long found = arpCache.lookup(nextHop, now());
        return found != ArpCache.NONE ? found : PENDING;
    }

    /**
     * {@link #resolve} for a caller that must not lose its packet: {@link #PENDING} only while the ARP queue can
     * still hold the frame, else {@link #UNREACHABLE}.
     */
    public long resolveOrRefuse(int dstIp) {
        long mac = resolve(dstIp);
        return mac == PENDING && !arpCache.hasPendingSpace() ? UNREACHABLE : mac;
    }

    private int nextHop(int dstIp) {
        return onLink(dstIp) ? dstIp : config.gateway();
    }

    // ---- output ----

    /**
     * Allocates a frame for an IPv4 datagram of {@code ipLength} bytes with length already set; {@code null} (and
     * counted) when the pool is empty.
     */
    public P allocIpFrame(int ipLength) {
        P frame = ops.alloc(l2Length + ipLength);
        if (frame == null) {
            stats.inc(Counter.DROP_TX_NO_BUFFER);
            return null;
        }
        ops.length(frame, l2Length + ipLength);
        return frame;
    }

    /** Absolute index of the IPv4 header in a frame from {@link #allocIpFrame}. */
    public int ipOffset(P frame) {
        return ops.offset(frame) + l2Length;
    }

    /**
     * Writes our 20-byte IPv4 header (DF set: we never fragment) at {@code ipOff}, leaving the checksum to the NIC
     * when it offers that.
     *
     * @return the {@link Offload} bits the caller must pass to {@link #markOffloads}
     */
    public int writeIpHeader(ByteBuffer buf, int ipOff, int totalLength, int protocol, int dstIp) {
        boolean offload = has(NicFeatures.IPV4_TX_CSUM);
        Ipv4Header.write(buf, ipOff, totalLength, nextIpId++ & 0xffff, Ipv4Header.FLAG_DF, config.ttl(), protocol,
                ip, dstIp, offload);
        stats.inc(Counter.IP_TX);
        return offload ? Offload.IPV4_CSUM : 0;
    }

    /** Hands the offload marks of a frame to the NIC (no call when there are none). */
    public void markOffloads(P frame, int offloads, int l4Offset, int segmentSize) {
        if (offloads != 0) {
            nic.txOffload(frame, offloads, l2Length, l4Offset, segmentSize);
        }
    }

    /**
     * Sends a finished IPv4 frame to {@code dstMac} (from {@link #resolve} or from a received frame). A
     * {@link #PENDING} frame waits in the ARP cache and a request goes out (at most one per target per second).
     * Takes ownership of the frame.
     */
    public void transmitIp(P frame, int dstIp, long dstMac) {
        if (l2Length == 0) {
            push(frame);
            return;
        }
        if (dstMac == PENDING) {
            int nextHop = nextHop(dstIp);
            if (!arpCache.enqueue(nextHop, frame, now())) {
                drop(frame, Counter.DROP_ARP_PENDING_OVERFLOW);
                return;
            }
            if (arpCache.requestDue(nextHop, now())) {
                arp.sendRequest(nextHop);
            }
            return;
        }
        EthernetHeader.write(ops.buffer(frame), ops.offset(frame), dstMac, mac, EthernetHeader.TYPE_IPV4);
        push(frame);
    }

    /** Sends frames that waited for {@code ip} now that its address is known. */
    public void releasePending(int addr, long dstMac) {
        if (arpCache == null) {
            return;
        }
        P frame;
        while ((frame = arpCache.takePending(addr)) != null) {
            EthernetHeader.write(ops.buffer(frame), ops.offset(frame), dstMac, mac, EthernetHeader.TYPE_IPV4);
            push(frame);
        }
    }

    /** Pushes a complete frame to the NIC; flushed at the end of the run or call. */
    public void push(P frame) {
        stats.inc(Counter.TX_FRAMES);
        pushed = true;
        nic.push(frame);
    }

    /** The next IPv4 identification value (RFC 6864: unique enough per source for atomic datagrams). */
    public int nextIpId() {
        return nextIpId++ & 0xffff;
    }

    // ---- timers ----

    /** Expires what is due at {@link #now} and returns the time of the next deadline. */
    public long timers() {
        long next = Math.min(reassembler.expire(now()), tcp.expireTimers());
        if (arpCache != null) {
            P frame;
            while ((frame = arpCache.takeExpired(now())) != null) {
                drop(frame, Counter.DROP_ARP_PENDING_TIMEOUT);
            }
            next = Math.min(next, arpCache.nextDeadline());
        }
        return next;
    }

    // ---- helpers over packet chains ----

    /** Total bytes of a packet chain. */
    public int chainLength(P packet) {
        int total = 0;
        for (P p = packet; p != null; p = ops.chainNext(p)) {
            total += ops.length(p);
        }
        return total;
    }

    /** Copies a whole chain's bytes to {@code dst} at {@code dstIndex}. */
    public void copyChain(P packet, ByteBuffer dst, int dstIndex) {
        for (P p = packet; p != null; p = ops.chainNext(p)) {
            int n = ops.length(p);
            Bytes.copy(ops.buffer(p), ops.offset(p), dst, dstIndex, n);
            dstIndex += n;
        }
    }

    /** Adds a chain's bytes to a checksum accumulator, as if they followed an even-length header. */
    public long checksumChain(long acc, P packet) {
        boolean odd = false;
        for (P p = packet; p != null; p = ops.chainNext(p)) {
            int n = ops.length(p);
            acc = Checksum.add(acc, ops.buffer(p), ops.offset(p), n, odd);
            odd ^= (n & 1) != 0;
        }
        return acc;
    }
}
