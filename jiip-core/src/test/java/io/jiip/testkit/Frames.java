package io.jiip.testkit;

import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.ArpHeader;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.IcmpHeader;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.MacAddress;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test frames as {@code byte[]}: Ethernet + IPv4 (+ options) + UDP / ICMP / raw payload, and Ethernet + ARP, with a
 * knob for every header field. Defaults describe a valid frame from node A to node B of {@link TestNet}; every
 * knob left alone keeps the frame valid (lengths and checksums are computed last, over the final bytes). Headers
 * are written with the {@code io.jiip.wire} writers and {@link Checksum}.
 */
public final class Frames {
    public static final long A_MAC = MacAddress.parse(TestNet.A_MAC);
    public static final long B_MAC = MacAddress.parse(TestNet.B_MAC);
    public static final int A_IP = Ipv4Address.parse(TestNet.A_IP);
    public static final int B_IP = Ipv4Address.parse(TestNet.B_IP);
    /** Byte used for padding after the IP datagram, so that reading padding as data shows. */
    public static final byte PAD = (byte) 0xa5;

    private static final int ETH = EthernetHeader.LENGTH;

    /** How a checksum field is filled. */
    public enum Sum { CORRECT, WRONG, ZERO }

    private Frames() {
    }

    /** A UDP datagram from A:srcPort to B:dstPort. */
    public static Ip udp(int srcPort, int dstPort, byte[] payload) {
        Ip ip = new Ip(Ipv4Header.PROTO_UDP, payload);
        ip.l4 = L4.UDP;
        ip.srcPort = srcPort;
        ip.dstPort = dstPort;
        return ip;
    }

    /** An ICMP message: 8-byte header (type, code, identifier, sequence) and {@code data}. */
    public static Ip icmp(int type, int code, int identifier, int sequence, byte[] data) {
        Ip ip = new Ip(Ipv4Header.PROTO_ICMP, data);
        ip.l4 = L4.ICMP;
        ip.icmpType = type;
        ip.icmpCode = code;
        ip.identifier = identifier;
        ip.sequence = sequence;
        return ip;
    }

    public static Ip echoRequest(int identifier, int sequence, byte[] data) {
        return icmp(IcmpHeader.TYPE_ECHO_REQUEST, 0, identifier, sequence, data);
    }

    /** An IPv4 datagram whose payload is {@code payload} as is (no transport header is added). */
    public static Ip ipv4(int protocol, byte[] payload) {
        return new Ip(protocol, payload);
    }

    /** A broadcast ARP request from A asking for {@code targetIp}. */
    public static Arp arpRequest(int targetIp) {
        return new Arp().targetIp(targetIp);
    }

    /** {@code n} bytes 0, 1, 2, ... (mod 251, so that fragment boundaries never line up with the pattern). */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    /** The first {@code length} bytes of {@code frame}. */
    public static byte[] truncate(byte[] frame, int length) {
        return Arrays.copyOf(frame, length);
    }

    /**
     * Recomputes the IPv4 header checksum of an Ethernet frame in place when it carries something that looks like a
     * complete IPv4 header (for fuzzing past the checksum); other frames are left alone.
     */
    public static byte[] fixIpChecksum(byte[] frame) {
        if (frame.length < ETH + Ipv4Header.MIN_LENGTH) {
            return frame;
        }
        ByteBuffer buf = ByteBuffer.wrap(frame);
        int hlen = Ipv4Header.headerLength(buf, ETH);
        if (EthernetHeader.etherType(buf, 0) == EthernetHeader.TYPE_IPV4 && hlen >= Ipv4Header.MIN_LENGTH
                && ETH + hlen <= frame.length) {
            Ipv4Header.fillChecksum(buf, ETH);
        }
        return frame;
    }

    /**
     * Hands one frame to a node's stack the way a NIC would: copied into a packet of the node's own pool, then
     * {@code stack.run} (which takes ownership). The bytes sit flush against the end of the pool slot, so that with
     * a pool of separate slot buffers ({@code sharedBuffer(false)}) any read beyond the frame throws instead of
     * silently reading a neighbour's bytes.
     *
     * @return the deadline {@code run} returned (also stored in {@code node.nextDeadline})
     */
    public static long inject(TestNet.Node node, byte[] frame) {
        return injectAll(node, List.of(frame));
    }

    /** Hands frames to a node's stack in one {@code run} call; see {@link #inject}. */
    public static long injectAll(TestNet.Node node, List<byte[]> frames) {
        Packet[] rx = new Packet[frames.size()];
        for (int i = 0; i < rx.length; i++) {
            rx[i] = toPacket(node.pool, frames.get(i));
        }
        node.nextDeadline = node.stack.run(rx, rx.length);
        return node.nextDeadline;
    }

    private static Packet toPacket(PacketPool pool, byte[] frame) {
        Packet p = pool.alloc(frame.length);
        if (p == null) {
            throw new IllegalStateException("test pool exhausted");
        }
        int room = p.capacity();
        pool.length(p, room);
        pool.trimHead(p, room - frame.length);
        p.buffer().put(p.offset(), frame);
        return p;
    }

    private static int wrong(int correct) {
        int w = correct ^ 0x5555;
        return w != 0 ? w : 0x1234; // never 0: for UDP that means "no checksum"
    }

    private static int apply(Sum mode, int correct) {
        switch (mode) {
            case CORRECT: return correct;
            case WRONG: return wrong(correct);
            default: return 0;
        }
    }

    /** Ethernet knobs shared by every frame kind. */
    public abstract static class Frame<T extends Frame<T>> {
        long ethDst = B_MAC;
        long ethSrc = A_MAC;
        int etherType;
        int padding;

        Frame(int etherType) {
            this.etherType = etherType;
        }

        @SuppressWarnings("unchecked")
        private T self() {
            return (T) this;
        }

        public T ethDst(long mac) { this.ethDst = mac; return self(); }
        public T ethSrc(long mac) { this.ethSrc = mac; return self(); }
        public T etherType(int type) { this.etherType = type; return self(); }
        /** Bytes of {@link #PAD} after the packet (Ethernet padding, or junk beyond the IP total length). */
        public T padding(int bytes) { this.padding = bytes; return self(); }

        /** The frame's bytes. */
        public abstract byte[] build();

        /** A frame with an Ethernet header, {@code body} bytes after it (zero) and the padding filled in. */
        ByteBuffer frame(int body) {
            byte[] f = new byte[ETH + body + padding];
            Arrays.fill(f, ETH + body, f.length, PAD);
            ByteBuffer buf = ByteBuffer.wrap(f);
            EthernetHeader.write(buf, 0, ethDst, ethSrc, etherType);
            return buf;
        }
    }

    private enum L4 { RAW, UDP, ICMP }

    /** Ethernet + IPv4 (+ options) + UDP, ICMP or raw payload. */
    public static final class Ip extends Frame<Ip> implements Cloneable {
        private int version = 4;
        private int ihl = -1;
        private int tos;
        private int totalLength = -1;
        private int id = 0x4242;
        private int flagsFragment;
        private int ttl = 64;
        private int protocol;
        private Sum ipChecksum = Sum.CORRECT;
        private int src = A_IP;
        private int dst = B_IP;
        private byte[] options = new byte[0];

        private L4 l4 = L4.RAW;
        private byte[] payload;
        private Sum l4Checksum = Sum.CORRECT;
        private int srcPort;
        private int dstPort;
        private int udpLength = -1;
        private int icmpType;
        private int icmpCode;
        private int identifier;
        private int sequence;

        private Ip(int protocol, byte[] payload) {
            super(EthernetHeader.TYPE_IPV4);
            this.protocol = protocol;
            this.payload = payload;
        }

        public Ip version(int v) { this.version = v; return this; }
        /** The IHL nibble as sent (default: computed from the options). */
        public Ip ihl(int words) { this.ihl = words; return this; }
        public Ip tos(int v) { this.tos = v; return this; }
        /** The total length field as sent (default: header plus payload). */
        public Ip totalLength(int bytes) { this.totalLength = bytes; return this; }
        public Ip id(int v) { this.id = v; return this; }
        /** The whole flags + fragment offset word (offset in 8-byte units). */
        public Ip flagsFragment(int word) { this.flagsFragment = word; return this; }
        /** MF and the fragment offset in bytes (must be a multiple of 8); DF clear. */
        public Ip fragmentFlags(int byteOffset, boolean more) {
            return flagsFragment((more ? Ipv4Header.FLAG_MF : 0) | byteOffset / 8);
        }
        public Ip ttl(int v) { this.ttl = v; return this; }
        public Ip protocol(int v) { this.protocol = v; return this; }
        public Ip ipChecksum(Sum mode) { this.ipChecksum = mode; return this; }
        public Ip src(int addr) { this.src = addr; return this; }
        public Ip src(String addr) { return src(Ipv4Address.parse(addr)); }
        public Ip dst(int addr) { this.dst = addr; return this; }
        public Ip dst(String addr) { return dst(Ipv4Address.parse(addr)); }
        /** Option bytes as sent, padded with zeros (end of options) to a multiple of 4. */
        public Ip options(int... bytes) {
            this.options = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                options[i] = (byte) bytes[i];
            }
            return this;
        }
        /** The UDP payload, ICMP data or raw IP payload. */
        public Ip payload(byte[] bytes) { this.payload = bytes; return this; }
        /** UDP or ICMP checksum. */
        public Ip l4Checksum(Sum mode) { this.l4Checksum = mode; return this; }
        /** The UDP length field as sent (default: header plus payload). */
        public Ip udpLength(int bytes) { this.udpLength = bytes; return this; }

        /** The IP payload: the transport header (checksummed as configured) and data. */
        public byte[] ipPayload() {
            switch (l4) {
                case UDP: return udpBytes();
                case ICMP: return icmpBytes();
                default: return payload.clone();
            }
        }

        private byte[] udpBytes() {
            byte[] u = new byte[UdpHeader.LENGTH + payload.length];
            ByteBuffer buf = ByteBuffer.wrap(u);
            int field = udpLength >= 0 ? udpLength : u.length;
            UdpHeader.write(buf, 0, srcPort, dstPort, field);
            buf.put(UdpHeader.LENGTH, payload);
            if (l4Checksum != Sum.ZERO) {
                int covered = field >= UdpHeader.LENGTH && field <= u.length ? field : u.length;
                Bytes.u16(buf, UdpHeader.Offset.CHECKSUM,
                        apply(l4Checksum, UdpHeader.checksumOf(buf, 0, covered, src, dst)));
            }
            return u;
        }

        private byte[] icmpBytes() {
            byte[] m = new byte[IcmpHeader.LENGTH + payload.length];
            ByteBuffer buf = ByteBuffer.wrap(m);
            buf.put(IcmpHeader.LENGTH, payload);
            IcmpHeader.write(buf, 0, icmpType, icmpCode, identifier, sequence);
            IcmpHeader.fillChecksum(buf, 0, m.length);
            IcmpHeader.checksum(buf, 0, apply(l4Checksum, IcmpHeader.checksum(buf, 0)));
            return m;
        }

        @Override
        public byte[] build() {
            return build(ipPayload());
        }

        private byte[] build(byte[] body) {
            int optLen = (options.length + 3) & ~3;
            int hlen = Ipv4Header.MIN_LENGTH + optLen;
            ByteBuffer buf = frame(hlen + body.length);
            int total = totalLength >= 0 ? totalLength : hlen + body.length;
            Ipv4Header.write(buf, ETH, total, id, flagsFragment, ttl, protocol, src, dst, true);
            Bytes.u8(buf, ETH + Ipv4Header.Offset.VERSION_IHL, version << 4 | (ihl >= 0 ? ihl : hlen / 4) & 0xf);
            Bytes.u8(buf, ETH + Ipv4Header.Offset.TOS, tos);
            buf.put(ETH + Ipv4Header.MIN_LENGTH, options);
            buf.put(ETH + hlen, body);
            // Sum over the header length the frame claims, as far as the frame goes.
            int summed = Math.min(Ipv4Header.headerLength(buf, ETH), buf.capacity() - ETH);
            Bytes.u16(buf, ETH + Ipv4Header.Offset.CHECKSUM, apply(ipChecksum, Checksum.compute(buf, ETH, summed)));
            return buf.array();
        }

        /**
         * This datagram's fragment carrying IP payload bytes {@code [offset, offset + length)} (zeros beyond the
         * payload's end), with MF as given; every other knob as set here (options included).
         */
        public byte[] fragment(int offset, int length, boolean more) {
            byte[] piece = Arrays.copyOfRange(ipPayload(), offset, offset + length);
            return copy().fragmentFlags(offset, more).build(piece);
        }

        /** This datagram cut into fragments of {@code size} payload bytes (a multiple of 8), in order. */
        public List<byte[]> fragments(int size) {
            int total = ipPayload().length;
            List<byte[]> out = new ArrayList<>();
            for (int off = 0; off < total; off += size) {
                int len = Math.min(size, total - off);
                out.add(fragment(off, len, off + len < total));
            }
            return out;
        }

        /** An independent copy with the same knobs. */
        public Ip copy() {
            try {
                return (Ip) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Ethernet + ARP (RFC 826); by default a broadcast request from A. */
    public static final class Arp extends Frame<Arp> {
        private int hardwareType = ArpHeader.HTYPE_ETHERNET;
        private int protocolType = EthernetHeader.TYPE_IPV4;
        private int hardwareLength = 6;
        private int protocolLength = 4;
        private int operation = ArpHeader.OP_REQUEST;
        private long senderMac = A_MAC;
        private int senderIp = A_IP;
        private long targetMac;
        private int targetIp = B_IP;

        private Arp() {
            super(EthernetHeader.TYPE_ARP);
            ethDst(EthernetHeader.BROADCAST);
        }

        public Arp hardwareType(int v) { this.hardwareType = v; return this; }
        public Arp protocolType(int v) { this.protocolType = v; return this; }
        public Arp hardwareLength(int v) { this.hardwareLength = v; return this; }
        public Arp protocolLength(int v) { this.protocolLength = v; return this; }
        public Arp operation(int v) { this.operation = v; return this; }
        public Arp senderMac(long v) { this.senderMac = v; return this; }
        public Arp senderIp(int v) { this.senderIp = v; return this; }
        public Arp targetMac(long v) { this.targetMac = v; return this; }
        public Arp targetIp(int v) { this.targetIp = v; return this; }

        @Override
        public byte[] build() {
            ByteBuffer buf = frame(ArpHeader.LENGTH);
            ArpHeader.write(buf, ETH, operation, senderMac, senderIp, targetMac, targetIp);
            Bytes.u16(buf, ETH + ArpHeader.Offset.HTYPE, hardwareType);
            Bytes.u16(buf, ETH + ArpHeader.Offset.PTYPE, protocolType);
            Bytes.u8(buf, ETH + ArpHeader.Offset.HLEN, hardwareLength);
            Bytes.u8(buf, ETH + ArpHeader.Offset.PLEN, protocolLength);
            return buf.array();
        }
    }
}
