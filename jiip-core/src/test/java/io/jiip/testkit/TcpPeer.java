package io.jiip.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jiip.api.StackConfig;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.ArpHeader;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.IcmpHeader;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.MacAddress;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A scripted raw TCP endpoint on a {@link TestNet}'s link, facing one stack under test. It owns a MAC and an IPv4
 * address on its own link port, answers ARP requests for that address by itself, sends hand-crafted segments
 * ({@link #send}) and collects the segments the stack sends to it ({@link #expect}), parsed into {@link Seg}. It is
 * a {@link TestNet.Station}: {@link TestNet#pump()} and {@link TestNet#runFor} run it with the stacks.
 *
 * <p>Headers are written with the {@code io.jiip.wire} writers and {@link Checksum}. Every segment the stack sends
 * to the peer is checked for a correct IPv4 and TCP checksum.
 *
 * <p>For convenience the peer tracks one connection of its own: {@link #sndNxt}, {@link #rcvNxt}, the timestamps
 * it sends when {@link #timestamps} is on, and the ports of {@link #send}; {@link #connect} and {@link #data} use
 * and advance them. The raw {@link #segment} takes everything explicitly and changes nothing.
 */
public final class TcpPeer implements TestNet.Station {
    public static final int FIN = TcpHeader.FLAG_FIN;
    public static final int SYN = TcpHeader.FLAG_SYN;
    public static final int RST = TcpHeader.FLAG_RST;
    public static final int PSH = TcpHeader.FLAG_PSH;
    public static final int ACK = TcpHeader.FLAG_ACK;

    private static final int ETH = EthernetHeader.LENGTH;

    public final TestNet net;
    public final TestNet.Node target;
    public final long mac;
    public final int ip;
    public final long targetMac;
    public final int targetIp;
    public final PacketPool pool = PacketPool.standard();
    public final MemoryLink.Port port;
    private final Deque<Seg> received = new ArrayDeque<>();
    private final Packet[] rx = new Packet[64];
    /** Every segment the stack sent to the peer, in order (also those already taken by {@link #expect}). */
    public final List<Seg> log = new ArrayList<>();
    /** Frames for the peer that were neither ARP nor TCP (e.g. ICMP), as raw bytes. */
    public final List<byte[]> otherFrames = new ArrayList<>();
    public int arpRequestsAnswered;

    // ---- the peer's own connection state (for the convenience methods) ----
    public int localPort = 40000;
    public int remotePort = 80;
    /** The peer's initial sequence number for {@link #connect}. */
    public int iss = 0x10000000;
    public int sndNxt;
    public int rcvNxt;
    public int window = 65535;
    /** Send timestamps in {@link #connect} and on every segment of the convenience methods. */
    public boolean timestamps;
    /** The peer's next TSval (its clock, in whatever unit the test likes). */
    public int tsVal = 1000;
    /** The last TSval the stack sent (echoed as TSecr). */
    public int tsRecent;
    private int ipId = 1;

    /** Attaches a peer with address {@code ip}/{@code mac} facing {@code target}. */
    public TcpPeer(TestNet net, TestNet.Node target, String ip, String mac) {
        this.net = net;
        this.target = target;
        this.ip = Ipv4Address.parse(ip);
        this.mac = MacAddress.parse(mac);
        this.targetMac = target.stack.config().mac();
        this.targetIp = target.stack.config().ipv4();
        this.port = net.link.attach(pool, 0, 4096);
        net.stations.add(this);
    }

    /** A net with one stack (10.0.0.2, config tweaked by {@code tweak}) and a peer at 10.0.0.1 facing it. */
    public static TcpPeer withStack(Consumer<StackConfig.Builder> tweak) {
        return withStack(tweak, 0);
    }

    /** As {@link #withStack(java.util.function.Consumer)}, the stack's NIC offering {@code features}. */
    public static TcpPeer withStack(Consumer<StackConfig.Builder> tweak, int features) {
        TestNet net = new TestNet();
        TestNet.Node node = net.add(TestNet.config(TestNet.B_MAC, TestNet.B_IP, tweak), PacketPool.standard(),
                features);
        return new TcpPeer(net, node, TestNet.A_IP, TestNet.A_MAC);
    }

    public TcpPeer ports(int local, int remote) {
        this.localPort = local;
        this.remotePort = remote;
        return this;
    }

    // ---- options ----

    /** TCP options to put in a segment, written with the {@link TcpOptions} writers in the order given. */
    public static final class Opts {
        private final List<byte[]> parts = new ArrayList<>();

        public static Opts none() {
            return new Opts();
        }

        /** MSS, window scale 7, SACK-permitted and timestamps: what Linux puts in a SYN. */
        public static Opts all(int mss, int wscale, int tsVal, int tsEcr) {
            return new Opts().mss(mss).ws(wscale).sackPerm().ts(tsVal, tsEcr);
        }

        private Opts add(BiFunction<ByteBuffer, Integer, Integer> writer) {
            ByteBuffer b = ByteBuffer.allocate(TcpHeader.MAX_LENGTH - TcpHeader.MIN_LENGTH); // room for any option
            int n = writer.apply(b, 0);
            parts.add(Arrays.copyOf(b.array(), n));
            return this;
        }

        public Opts mss(int mss) {
            return add((b, o) -> TcpOptions.writeMss(b, o, mss));
        }

        public Opts ws(int shift) {
            return add((b, o) -> TcpOptions.writeWindowScale(b, o, shift));
        }

        public Opts sackPerm() {
            return add((b, o) -> TcpOptions.writeSackPermitted(b, o));
        }

        public Opts ts(int val, int ecr) {
            return add((b, o) -> TcpOptions.writeTimestamps(b, o, val, ecr));
        }

        /** SACK blocks (RFC 2018): {@code edges} holds left and right edges in turn. */
        public Opts sack(int... edges) {
            int n = edges.length / 2;
            int[] left = new int[n];
            int[] right = new int[n];
            for (int i = 0; i < n; i++) {
                left[i] = edges[2 * i];
                right[i] = edges[2 * i + 1];
            }
            return add((b, o) -> TcpOptions.writeSack(b, o, left, right, n));
        }

        /** Raw option bytes, as they are. */
        public Opts raw(byte... bytes) {
            parts.add(bytes.clone());
            return this;
        }

        /** The option bytes, padded with END to a multiple of 4. */
        public byte[] bytes() {
            int n = parts.stream().mapToInt(p -> p.length).sum();
            byte[] out = new byte[(n + 3) & ~3];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }
    }

    // ---- parsed segments ----

    /** One TCP segment as seen on the wire. Option fields: -1 / false when absent. */
    public record Seg(long time, int srcIp, int dstIp, int srcPort, int dstPort, int seq, int ack, int flags,
            int window, int headerLength, int mss, int windowScale, boolean sackPermitted, boolean timestamps,
            int tsVal, int tsEcr, int sackBlocks, byte[] payload, byte[] ipDatagram, boolean checksumsOk) {

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** Sequence space occupied: payload plus SYN and FIN. */
        public int seqLength() {
            return payload.length + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
        }

        /** An ACK and nothing else: no data, SYN, FIN or RST. */
        public boolean pureAck() {
            return payload.length == 0 && (flags & (SYN | FIN | RST)) == 0 && has(ACK);
        }

        /** True when the header carries no option at all. */
        public boolean noOptions() {
            return headerLength == TcpHeader.MIN_LENGTH;
        }

        @Override
        public String toString() {
            return "Seg[" + srcPort + ">" + dstPort + " " + flagNames(flags) + " seq=" + Integer.toUnsignedString(seq)
                    + " ack=" + Integer.toUnsignedString(ack) + " win=" + window + " len=" + payload.length
                    + (mss >= 0 ? " mss=" + mss : "") + (windowScale >= 0 ? " ws=" + windowScale : "")
                    + (sackPermitted ? " sackOK" : "") + (timestamps ? " ts=" + tsVal + "/" + tsEcr : "") + "]";
        }
    }

    /**
     * Parses an Ethernet frame carrying IPv4/TCP; {@code null} for anything else (also usable from a
     * {@link io.jiip.link.FrameHook}, where checksums may still be left to the NIC emulation).
     */
    public static Seg parse(ByteBuffer buf, int off, int len, long time) {
        if (len < ETH + Ipv4Header.MIN_LENGTH || EthernetHeader.etherType(buf, off) != EthernetHeader.TYPE_IPV4) {
            return null;
        }
        int ipOff = off + ETH;
        if (Ipv4Header.protocol(buf, ipOff) != Ipv4Header.PROTO_TCP) {
            return null;
        }
        int hlen = Ipv4Header.headerLength(buf, ipOff);
        int total = Ipv4Header.totalLength(buf, ipOff);
        int tcp = ipOff + hlen;
        int l4 = total - hlen;
        if (total > len - ETH || TcpHeader.check(buf, tcp, l4) != TcpHeader.OK) {
            return null;
        }
        int src = Ipv4Header.src(buf, ipOff);
        int dst = Ipv4Header.dst(buf, ipOff);
        boolean ok = Ipv4Header.checksumValid(buf, ipOff) && Checksum.fold(Checksum.add(
                Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_TCP, l4), buf, tcp, l4)) == 0xffff;
        int thlen = TcpHeader.headerLength(buf, tcp);
        TcpOptions o = new TcpOptions();
        if (o.parse(buf, tcp + TcpHeader.MIN_LENGTH, thlen - TcpHeader.MIN_LENGTH) != TcpOptions.OK) {
            ok = false;
        }
        byte[] payload = new byte[l4 - thlen];
        buf.get(tcp + thlen, payload);
        byte[] datagram = new byte[total];
        buf.get(ipOff, datagram);
        return new Seg(time, src, dst, TcpHeader.srcPort(buf, tcp), TcpHeader.dstPort(buf, tcp),
                TcpHeader.seq(buf, tcp), TcpHeader.ack(buf, tcp), TcpHeader.flags(buf, tcp), TcpHeader.window(buf, tcp),
                thlen, o.mss, o.windowScale, o.sackPermitted, o.timestamps, o.tsVal, o.tsEcr, o.sackBlocks, payload,
                datagram, ok);
    }

    // ---- the station: receive, answer ARP, collect TCP ----

    @Override
    public int runOnce() {
        int n = port.poll(rx, rx.length);
        for (int i = 0; i < n; i++) {
            Packet p = rx[i];
            try {
                handle(p.buffer(), p.offset(), p.length());
            } finally {
                pool.free(p);
            }
        }
        return n;
    }

    @Override
    public int pending() {
        return port.pending();
    }

    private void handle(ByteBuffer buf, int off, int len) {
        if (len < ETH) {
            return;
        }
        long dstMac = EthernetHeader.dst(buf, off);
        if (dstMac != mac && dstMac != EthernetHeader.BROADCAST) {
            return;
        }
        int type = EthernetHeader.etherType(buf, off);
        if (type == EthernetHeader.TYPE_ARP) {
            if (len >= ETH + ArpHeader.LENGTH) {
                int arp = off + ETH;
                if (ArpHeader.operation(buf, arp) == ArpHeader.OP_REQUEST && ArpHeader.targetIp(buf, arp) == ip) {
                    arpRequestsAnswered++;
                    long senderMac = ArpHeader.senderMac(buf, arp);
                    ByteBuffer f = ByteBuffer.allocate(ETH + 46);
                    EthernetHeader.write(f, 0, senderMac, mac, EthernetHeader.TYPE_ARP);
                    ArpHeader.write(f, ETH, ArpHeader.OP_REPLY, mac, ip, senderMac, ArpHeader.senderIp(buf, arp));
                    push(f.array());
                }
            }
            return;
        }
        Seg s = parse(buf, off, len, net.clock.nanoTime());
        if (s != null && s.dstIp == ip) {
            received.add(s);
            log.add(s);
            if (s.timestamps) {
                tsRecent = s.tsVal;
            }
            return;
        }
        byte[] copy = new byte[len];
        buf.get(off, copy);
        otherFrames.add(copy);
    }

    private void push(byte[] frame) {
        Packet p = pool.alloc(frame.length);
        if (p == null) {
            throw new IllegalStateException("peer pool exhausted");
        }
        pool.length(p, frame.length);
        p.buffer().put(p.offset(), frame);
        port.push(p);
    }

    @Override
    public void assertNoLeaks() {
        port.clear();
        assertEquals(0, pool.inUse(), "packets still in use in the peer");
        assertEquals(0, pool.buffersInUse(), "buffers still in use in the peer");
    }

    // ---- sending ----

    /** Sends a segment with every field given; runs the net until it is quiet. Changes no tracked state. */
    public void segment(int srcPort, int dstPort, int flags, int seq, int ack, int window, Opts opts,
            byte[] payload) {
        pushSegment(srcPort, dstPort, flags, seq, ack, window, opts, payload);
        net.pump();
    }

    /** Puts a segment on the link without running anything (to batch several into one stack run). */
    public void pushSegment(int srcPort, int dstPort, int flags, int seq, int ack, int window, Opts opts,
            byte[] payload) {
        byte[] o = opts == null ? new byte[0] : opts.bytes();
        byte[] data = payload == null ? new byte[0] : payload;
        int thlen = TcpHeader.MIN_LENGTH + o.length;
        int l4 = thlen + data.length;
        ByteBuffer f = ByteBuffer.allocate(Math.max(ETH + Ipv4Header.MIN_LENGTH + l4, 60));
        EthernetHeader.write(f, 0, targetMac, mac, EthernetHeader.TYPE_IPV4);
        int tcp = ETH + Ipv4Header.MIN_LENGTH;
        TcpHeader.write(f, tcp, srcPort, dstPort, seq, ack, thlen, flags, window);
        f.put(tcp + TcpHeader.MIN_LENGTH, o);
        f.put(tcp + thlen, data);
        TcpHeader.checksum(f, tcp, Checksum.finish(Checksum.add(
                Checksum.pseudoHeader(ip, targetIp, Ipv4Header.PROTO_TCP, l4), f, tcp, l4)));
        Ipv4Header.write(f, ETH, Ipv4Header.MIN_LENGTH + l4, ipId++ & 0xffff, Ipv4Header.FLAG_DF, 64,
                Ipv4Header.PROTO_TCP, ip, targetIp, false);
        push(f.array());
    }

    /** Sends a segment between {@link #localPort} and {@link #remotePort}. */
    public void send(int flags, int seq, int ack, int window, Opts opts, byte[] payload) {
        segment(localPort, remotePort, flags, seq, ack, window, opts, payload);
    }

    public void send(int flags, int seq, int ack, int window, Opts opts) {
        send(flags, seq, ack, window, opts, null);
    }

    public void send(int flags, int seq, int ack, int window) {
        send(flags, seq, ack, window, null, null);
    }

    /**
     * An ICMP fragmentation-needed about a 1500-byte TCP datagram the stack sent to the peer, quoting sequence
     * number {@code quotedSeq} (the stack accepts it only for data of its own still in flight).
     */
    public void sendFragmentationNeeded(int nextHopMtu, int quotedSeq) {
        int quoted = Ipv4Header.MIN_LENGTH + 8;
        int icmpLen = IcmpHeader.LENGTH + quoted;
        ByteBuffer f = ByteBuffer.allocate(ETH + Ipv4Header.MIN_LENGTH + icmpLen);
        EthernetHeader.write(f, 0, targetMac, mac, EthernetHeader.TYPE_IPV4);
        int icmp = ETH + Ipv4Header.MIN_LENGTH;
        int q = icmp + IcmpHeader.LENGTH;
        Ipv4Header.write(f, q, 1500, 7, Ipv4Header.FLAG_DF, 64, Ipv4Header.PROTO_TCP, targetIp, ip, false);
        int quotedTcp = q + Ipv4Header.MIN_LENGTH; // its first 8 bytes
        TcpHeader.srcPort(f, quotedTcp, remotePort);
        TcpHeader.dstPort(f, quotedTcp, localPort);
        TcpHeader.seq(f, quotedTcp, quotedSeq);
        IcmpHeader.write(f, icmp, IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 0,
                nextHopMtu);
        IcmpHeader.fillChecksum(f, icmp, icmpLen);
        Ipv4Header.write(f, ETH, Ipv4Header.MIN_LENGTH + icmpLen, ipId++ & 0xffff, 0, 64, Ipv4Header.PROTO_ICMP,
                ip, targetIp, false);
        push(f.array());
        net.pump();
    }

    // ---- receiving ----

    /** The next segment the stack sent to the peer (after running the net); fails when there is none. */
    public Seg expect() {
        net.pump();
        Seg s = received.poll();
        assertNotNull(s, "expected a segment from the stack, got none");
        assertTrue(s.checksumsOk(), "bad checksum or options in " + s);
        if (s.has(RST)) {
            return s;
        }
        if (s.seqLength() > 0 && (rcvNxt == 0 || s.seq + s.seqLength() - rcvNxt > 0)) {
            rcvNxt = s.seq + s.seqLength(); // tracks the stack's data, in order or not (tests send no loss here)
        }
        return s;
    }

    /** The next segment, which must carry exactly {@code flags} (PSH ignored). */
    public Seg expect(int flags) {
        Seg s = expect();
        assertEquals(flagNames(flags), flagNames(s.flags & ~PSH), "flags of " + s);
        return s;
    }

    /** Asserts the stack sent nothing more (after running the net). */
    public void expectNone() {
        net.pump();
        Seg s = received.poll();
        if (s != null) {
            fail("expected no segment, got " + s + (received.isEmpty() ? "" : " and " + received));
        }
    }

    /** Takes every segment received so far (after running the net). */
    public List<Seg> drain() {
        net.pump();
        List<Seg> out = new ArrayList<>(received);
        received.clear();
        return out;
    }

    /** "SYN|ACK" and the like. */
    public static String flagNames(int flags) {
        StringBuilder f = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                f.append(f.length() > 0 ? "|" : "").append(names[i]);
            }
        }
        return f.length() == 0 ? "none" : f.toString();
    }

    // ---- the tracked connection ----

    /** Our options for one segment of the tracked connection: timestamps when on, nothing else. */
    public Opts tsOpts() {
        return timestamps ? Opts.none().ts(tsVal, tsRecent) : Opts.none();
    }

    /**
     * Active open towards {@link #remotePort}: SYN with {@code synOpts} (from {@link #iss}), expects the SYN-ACK,
     * answers with ACK. Returns the SYN-ACK.
     */
    public Seg connect(Opts synOpts) {
        sndNxt = iss;
        rcvNxt = 0;
        send(SYN, iss, 0, window, synOpts);
        Seg synAck = expect(SYN | ACK);
        assertEquals(iss + 1, synAck.ack(), "SYN-ACK acknowledges our SYN");
        sndNxt = iss + 1;
        rcvNxt = synAck.seq() + 1;
        send(ACK, sndNxt, rcvNxt, window, tsOpts());
        return synAck;
    }

    /** Data from the tracked connection at {@link #sndNxt} (ACK|PSH, plus {@code extraFlags}), advancing it. */
    public void data(byte[] payload, int extraFlags) {
        send(ACK | PSH | extraFlags, sndNxt, rcvNxt, window, tsOpts(), payload);
        sndNxt += payload.length + ((extraFlags & FIN) != 0 ? 1 : 0);
    }

    public void data(byte[] payload) {
        data(payload, 0);
    }

    /** A bare ACK of everything received, from the tracked connection. */
    public void ack() {
        send(ACK, sndNxt, rcvNxt, window, tsOpts());
    }

    /** Our FIN (with ACK) from the tracked connection. */
    public void fin() {
        send(FIN | ACK, sndNxt, rcvNxt, window, tsOpts());
        sndNxt++;
    }
}
