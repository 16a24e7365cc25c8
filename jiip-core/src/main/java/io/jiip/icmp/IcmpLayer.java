package io.jiip.icmp;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.iface.NetInterface;
import io.jiip.util.RateLimiter;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.IcmpHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;

/**
 * ICMPv4 (RFC 792, RFC 1122 §3.2.2): answers echo requests, sends echo requests, delivers echo replies, learns
 * path MTU from fragmentation-needed, and sends rate-limited destination-unreachable errors.
 */
public final class IcmpLayer<P> {
    /** RFC 1812 §4.3.2.3: an ICMP error, IP header included, fits in 576 bytes. */
    private static final int MAX_ERROR_DATAGRAM = 576;

    private final NetInterface<P> nif;
    private final RateLimiter errorLimiter;

    public IcmpLayer(NetInterface<P> nif) {
        this.nif = nif;
        this.errorLimiter = new RateLimiter(nif.config.icmpErrorsPerSecond(), nif.config.icmpErrorBurst());
    }

    /** Takes ownership of a datagram carrying ICMP. */
    public void input(P frame, ByteBuffer buf, int ipOff, int hlen, int totalLength) {
        nif.stats.inc(Counter.ICMP_RX);
        int off = ipOff + hlen;
        int len = totalLength - hlen;
        if (len < IcmpHeader.LENGTH) {
            nif.drop(frame, Counter.DROP_ICMP_TRUNCATED);
            return;
        }
        if (!Checksum.verify(buf, off, len)) {
            nif.drop(frame, Counter.DROP_ICMP_BAD_CHECKSUM);
            return;
        }
        switch (IcmpHeader.type(buf, off)) {
            case IcmpHeader.TYPE_ECHO_REQUEST:
                nif.stats.inc(Counter.ICMP_ECHO_REQUESTS_RX);
                // Broadcast pings are not answered (RFC 1122 §3.2.2.6 allows it; it stops smurf amplification).
                if (nif.isOurs(Ipv4Header.dst(buf, ipOff))) {
                    reply(buf, ipOff, off, len);
                }
                nif.ops.free(frame);
                break;
            case IcmpHeader.TYPE_ECHO_REPLY:
                nif.stats.inc(Counter.ICMP_ECHO_REPLIES_RX);
                try {
                    nif.events.onEchoReply(nif.stack, frame, Ipv4Header.src(buf, ipOff),
                            IcmpHeader.identifier(buf, off), IcmpHeader.sequence(buf, off), off + IcmpHeader.LENGTH,
                            len - IcmpHeader.LENGTH);
                } finally {
                    nif.ops.free(frame);
                }
                break;
            case IcmpHeader.TYPE_DEST_UNREACHABLE:
                nif.stats.inc(Counter.ICMP_UNREACHABLE_RX);
                try {
                    unreachable(buf, off, len, IcmpHeader.code(buf, off));
                } finally {
                    nif.ops.free(frame);
                }
                break;
            default:
                nif.drop(frame, Counter.ICMP_OTHER_RX);
        }
    }

    private void reply(ByteBuffer buf, int ipOff, int icmpOff, int icmpLen) {
        int srcIp = Ipv4Header.src(buf, ipOff);
        if (Ipv4Header.MIN_LENGTH + icmpLen > nif.pathMtu.get(srcIp, nif.now())) {
            // A reassembled request larger than the path: we never fragment what we send, so no reply.
            nif.stats.inc(Counter.ICMP_ECHO_TOO_BIG);
            return;
        }
        long srcMac = nif.sourceMacOf(buf, ipOff);
        P out = nif.allocIpFrame(Ipv4Header.MIN_LENGTH + icmpLen);
        if (out == null) {
            return;
        }
        ByteBuffer ob = nif.ops.buffer(out);
        int oip = nif.ipOffset(out);
        int offloads = nif.writeIpHeader(ob, oip, Ipv4Header.MIN_LENGTH + icmpLen, Ipv4Header.PROTO_ICMP, srcIp);
        int oicmp = oip + Ipv4Header.MIN_LENGTH;
        Bytes.copy(buf, icmpOff, ob, oicmp, icmpLen); // identifier, sequence and data echoed unchanged (RFC 792)
        IcmpHeader.checksum(ob, oicmp, Checksum.adjust(IcmpHeader.checksum(ob, oicmp),
                IcmpHeader.TYPE_ECHO_REQUEST << 8, IcmpHeader.TYPE_ECHO_REPLY << 8));
        IcmpHeader.type(ob, oicmp, IcmpHeader.TYPE_ECHO_REPLY);
        nif.markOffloads(out, offloads, 0, 0);
        nif.stats.inc(Counter.ICMP_ECHO_REPLIES_TX);
        nif.transmitIp(out, srcIp, srcMac);
    }

    /** A destination-unreachable about one of our datagrams: quoted IP header plus at least 8 bytes. */
    private void unreachable(ByteBuffer buf, int off, int len, int code) {
        int quoted = off + IcmpHeader.LENGTH;
        int quotedLen = len - IcmpHeader.LENGTH;
        if (quotedLen < Ipv4Header.MIN_LENGTH || (Bytes.u8(buf, quoted) >>> 4) != 4) {
            return;
        }
        int qhlen = Ipv4Header.headerLength(buf, quoted);
        if (qhlen < Ipv4Header.MIN_LENGTH || quotedLen < qhlen + 8 || Ipv4Header.src(buf, quoted) != nif.ip) {
            return; // not about a datagram of ours: a forgery or garbage (RFC 5927 §4.1 checks)
        }
        int origDst = Ipv4Header.dst(buf, quoted);
        int proto = Ipv4Header.protocol(buf, quoted);
        int ports = quoted + qhlen;
        int srcPort = Bytes.u16(buf, ports + UdpHeader.Offset.SRC_PORT); // TCP and UDP put the ports first alike
        int dstPort = Bytes.u16(buf, ports + UdpHeader.Offset.DST_PORT);
        if (code == IcmpHeader.CODE_FRAGMENTATION_NEEDED) {
            nif.stats.inc(Counter.ICMP_FRAG_NEEDED_RX);
        }
        int connection = -1;
        if (proto == Ipv4Header.PROTO_TCP) {
            connection = nif.tcp.inFlightConnection(origDst, dstPort, srcPort,
                    TcpHeader.seq(buf, ports));
            if (connection < 0) {
                nif.stats.inc(Counter.ICMP_ERRORS_IGNORED); // a blind forgery cannot know the sequence numbers
                return;
            }
        }
        if (code == IcmpHeader.CODE_FRAGMENTATION_NEEDED) {
            int mtu = nif.pathMtu.update(origDst, IcmpHeader.nextHopMtu(buf, off),
                    Ipv4Header.totalLength(buf, quoted), nif.now());
            if (mtu != 0 && connection >= 0) {
                nif.tcp.pathMtuLowered(connection, mtu);
            }
        }
        nif.events.onDestinationUnreachable(nif.stack, code, origDst, proto, srcPort, dstPort);
    }

    /**
     * Sends a destination-unreachable about the datagram at {@code ipOff} (whose frame the caller still owns and
     * frees). Callers only pass unicast datagrams addressed to us (RFC 1122 §3.2.2: never about broadcasts,
     * ICMP errors or non-initial fragments). Rate limited.
     */
    public void sendUnreachable(ByteBuffer buf, int ipOff, int code) {
        if (!errorLimiter.tryAcquire(nif.now())) {
            nif.stats.inc(Counter.ICMP_ERRORS_RATE_LIMITED);
            return;
        }
        int srcIp = Ipv4Header.src(buf, ipOff);
        int quoteLen = Math.min(Ipv4Header.totalLength(buf, ipOff),
                MAX_ERROR_DATAGRAM - Ipv4Header.MIN_LENGTH - IcmpHeader.LENGTH);
        int icmpLen = IcmpHeader.LENGTH + quoteLen;
        P out = nif.allocIpFrame(Ipv4Header.MIN_LENGTH + icmpLen);
        if (out == null) {
            return;
        }
        ByteBuffer ob = nif.ops.buffer(out);
        int oip = nif.ipOffset(out);
        int offloads = nif.writeIpHeader(ob, oip, Ipv4Header.MIN_LENGTH + icmpLen, Ipv4Header.PROTO_ICMP, srcIp);
        int oicmp = oip + Ipv4Header.MIN_LENGTH;
        IcmpHeader.write(ob, oicmp, IcmpHeader.TYPE_DEST_UNREACHABLE, code, 0, 0);
        Bytes.copy(buf, ipOff, ob, oicmp + IcmpHeader.LENGTH, quoteLen);
        IcmpHeader.fillChecksum(ob, oicmp, icmpLen);
        nif.markOffloads(out, offloads, 0, 0);
        nif.stats.inc(Counter.ICMP_UNREACHABLE_TX);
        nif.transmitIp(out, srcIp, nif.sourceMacOf(buf, ipOff));
    }

    /** Sends an echo request carrying {@code data}; see {@code Stack.icmpEchoRequest}. */
    public int sendEchoRequest(int dstIp, long dstMac, int identifier, int sequence, ByteBuffer data, int dataOff,
            int dataLen) {
        int icmpLen = IcmpHeader.LENGTH + dataLen;
        if (Ipv4Header.MIN_LENGTH + icmpLen > nif.pathMtu.get(dstIp, nif.now())) {
            return Result.TOO_BIG;
        }
        P out = nif.allocIpFrame(Ipv4Header.MIN_LENGTH + icmpLen);
        if (out == null) {
            return Result.NO_BUFFER;
        }
        ByteBuffer ob = nif.ops.buffer(out);
        int oip = nif.ipOffset(out);
        int offloads = nif.writeIpHeader(ob, oip, Ipv4Header.MIN_LENGTH + icmpLen, Ipv4Header.PROTO_ICMP, dstIp);
        int oicmp = oip + Ipv4Header.MIN_LENGTH;
        if (dataLen > 0) {
            Bytes.copy(data, dataOff, ob, oicmp + IcmpHeader.LENGTH, dataLen);
        }
        IcmpHeader.write(ob, oicmp, IcmpHeader.TYPE_ECHO_REQUEST, 0, identifier, sequence);
        IcmpHeader.fillChecksum(ob, oicmp, icmpLen);
        nif.markOffloads(out, offloads, 0, 0);
        nif.stats.inc(Counter.ICMP_ECHO_REQUESTS_TX);
        nif.transmitIp(out, dstIp, dstMac);
        return Result.OK;
    }
}
