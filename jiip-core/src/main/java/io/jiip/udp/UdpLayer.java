package io.jiip.udp;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Offload;
import io.jiip.api.Result;
import io.jiip.api.RxChecksum;
import io.jiip.api.UdpHandler;
import io.jiip.iface.NetInterface;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.IcmpHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;

/**
 * UDP (RFC 768, RFC 1122 §4.1): port demultiplexing to bound handlers, checksum verification (or the NIC's
 * verdict), port-unreachable for unbound ports, and zero-copy send.
 */
public final class UdpLayer<P> {
    private static final int HEADERS = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private final NetInterface<P> nif;
    private final UdpPortTable<P> ports;

    public UdpLayer(NetInterface<P> nif) {
        this.nif = nif;
        this.ports = new UdpPortTable<>(nif.config.udpPorts());
    }

    public int bind(int port, UdpHandler<P> handler) {
        if (port < 1 || port > 65535 || handler == null) {
            return Result.INVALID_ARGUMENT;
        }
        return ports.put(port, handler);
    }

    public int unbind(int port) {
        return ports.remove(port) ? Result.OK : Result.NOT_BOUND;
    }

    /** Takes ownership of a datagram carrying UDP. {@code verdict}: the NIC's RX checksum bits for UDP. */
    public void input(P frame, ByteBuffer buf, int ipOff, int hlen, int totalLength, int verdict) {
        nif.stats.inc(Counter.UDP_RX);
        int off = ipOff + hlen;
        int avail = totalLength - hlen;
        if (avail < UdpHeader.LENGTH) {
            nif.drop(frame, Counter.DROP_UDP_TRUNCATED);
            return;
        }
        int udpLen = Bytes.u16(buf, off + UdpHeader.Offset.LENGTH);
        if (udpLen < UdpHeader.LENGTH || udpLen > avail) {
            nif.drop(frame, Counter.DROP_UDP_BAD_LENGTH);
            return;
        }
        int srcIp = Ipv4Header.src(buf, ipOff);
        int dstIp = Ipv4Header.dst(buf, ipOff);
        // A zero checksum means the sender computed none (RFC 768).
        if (Bytes.u16(buf, off + UdpHeader.Offset.CHECKSUM) != 0 && !checksumOk(buf, off, udpLen, srcIp,
                dstIp, verdict)) {
            nif.drop(frame, Counter.DROP_UDP_BAD_CHECKSUM);
            return;
        }
        int dstPort = Bytes.u16(buf, off + UdpHeader.Offset.DST_PORT);
        UdpHandler<P> handler = ports.get(dstPort);
        if (handler == null) {
            if (nif.isOurs(dstIp)) {
                nif.icmp.sendUnreachable(buf, ipOff, IcmpHeader.CODE_PORT_UNREACHABLE);
            }
            nif.drop(frame, Counter.DROP_UDP_NO_PORT);
            return;
        }
        nif.stats.inc(Counter.UDP_DELIVERED);
        try {
            handler.onDatagram(nif.stack, frame, srcIp, Bytes.u16(buf, off + UdpHeader.Offset.SRC_PORT),
                    dstIp, dstPort, off + UdpHeader.LENGTH, udpLen - UdpHeader.LENGTH);
        } finally {
            nif.ops.free(frame);
        }
    }

    private static boolean checksumOk(ByteBuffer buf, int off, int udpLen, int srcIp, int dstIp, int verdict) {
        if ((verdict & RxChecksum.L4_BAD) != 0) {
            return false;
        }
        if ((verdict & RxChecksum.L4_GOOD) != 0) {
            return true;
        }
        long acc = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Header.PROTO_UDP, udpLen);
        return Checksum.fold(Checksum.add(acc, buf, off, udpLen)) == 0xffff;
    }

    /**
     * Sends {@code payload} (a packet or chain whose data is the UDP payload) from {@code srcPort} to
     * {@code dstIp:dstPort}; see {@code Stack.udpSend} for the ownership rule.
     */
    public int send(P payload, int srcPort, int dstIp, int dstPort, long dstMac) {
        if (srcPort < 0 || srcPort > 65535 || dstPort < 1 || dstPort > 65535 || dstIp == 0 || payload == null) {
            return Result.INVALID_ARGUMENT;
        }
        int payloadLen = nif.chainLength(payload);
        if (HEADERS + payloadLen > nif.pathMtu.get(dstIp, nif.now())) {
            return Result.TOO_BIG;
        }
        long mac = dstMac >= 0 ? dstMac : nif.resolveOrRefuse(dstIp);
        if (mac == NetInterface.UNREACHABLE) {
            return Result.UNRESOLVED;
        }
        return transmit(payload, payloadLen, srcPort, dstIp, dstPort, mac, 0) ? Result.OK : Result.NO_BUFFER;
    }

    /**
     * Sends {@code payload} as consecutive datagrams of {@code segmentSize} bytes (the last may be shorter), like
     * Linux's {@code UDP_SEGMENT}: one frame marked for the NIC to split when it offers UDP GSO, else one datagram
     * at a time in software (zero-copy clones with scatter-gather).
     */
    public int sendSegmented(P payload, int srcPort, int dstIp, int dstPort, int segmentSize, long dstMac) {
        if (srcPort < 0 || srcPort > 65535 || dstPort < 1 || dstPort > 65535 || dstIp == 0 || payload == null
                || nif.ops.chainNext(payload) != null || segmentSize < 1) {
            return Result.INVALID_ARGUMENT;
        }
        int payloadLen = nif.ops.length(payload);
        if (HEADERS + segmentSize > nif.pathMtu.get(dstIp, nif.now()) || HEADERS + payloadLen > 65535) {
            return Result.TOO_BIG;
        }
        long mac = dstMac >= 0 ? dstMac : nif.resolveOrRefuse(dstIp);
        if (mac == NetInterface.UNREACHABLE) {
            return Result.UNRESOLVED;
        }
        if (payloadLen <= segmentSize) {
            return transmit(payload, payloadLen, srcPort, dstIp, dstPort, mac, 0) ? Result.OK : Result.NO_BUFFER;
        }
        if (nif.has(NicFeatures.UDP_GSO | NicFeatures.UDP_TX_CSUM)) {
            return transmit(payload, payloadLen, srcPort, dstIp, dstPort, mac, segmentSize) ? Result.OK
                    : Result.NO_BUFFER;
        }
        // Software segmentation: from here on the payload is ours; a datagram that finds no buffer is dropped
        // and counted, the others go (UDP promises no more).
        for (int off = 0; off < payloadLen; off += segmentSize) {
            int n = Math.min(segmentSize, payloadLen - off);
            P part = nif.ops.clone(payload);
            if (part == null) {
                nif.stats.inc(Counter.DROP_TX_NO_BUFFER);
                continue;
            }
            nif.ops.trimHead(part, off);
            nif.ops.length(part, n);
            if (!transmit(part, n, srcPort, dstIp, dstPort, mac, 0)) {
                nif.ops.free(part);
            }
        }
        nif.ops.free(payload);
        return Result.OK;
    }

    /**
     * Builds and sends one datagram (or, with {@code gsoSize > 0}, one super-datagram for the NIC to split); takes
     * ownership of {@code payload} only when it returns {@code true}.
     */
    private boolean transmit(P payload, int payloadLen, int srcPort, int dstIp, int dstPort, long mac, int gsoSize) {
        boolean gather = nif.has(NicFeatures.TX_SCATTER_GATHER);
        P frame = nif.allocIpFrame(gather ? HEADERS : HEADERS + payloadLen);
        if (frame == null) {
            return false;
        }
        ByteBuffer buf = nif.ops.buffer(frame);
        int ipOff = nif.ipOffset(frame);
        int udpOff = ipOff + Ipv4Header.MIN_LENGTH;
        int udpLen = UdpHeader.LENGTH + payloadLen;
        int offloads = nif.writeIpHeader(buf, ipOff, Ipv4Header.MIN_LENGTH + udpLen, Ipv4Header.PROTO_UDP, dstIp);
        UdpHeader.write(buf, udpOff, srcPort, dstPort, udpLen);
        long pseudo = Checksum.pseudoHeader(nif.ip, dstIp, Ipv4Header.PROTO_UDP, udpLen);
        if (gsoSize > 0 || nif.has(NicFeatures.UDP_TX_CSUM)) {
            Bytes.u16(buf, udpOff + UdpHeader.Offset.CHECKSUM, Checksum.fold(pseudo));
            offloads |= Offload.UDP_CSUM | (gsoSize > 0 ? Offload.UDP_SEG : 0);
        }
        if (gather) {
            if ((offloads & Offload.UDP_CSUM) == 0) {
                long acc = nif.checksumChain(Checksum.add(pseudo, buf, udpOff, UdpHeader.LENGTH), payload);
                int sum = Checksum.finish(acc);
                Bytes.u16(buf, udpOff + UdpHeader.Offset.CHECKSUM, sum == 0 ? 0xffff : sum);
            }
            nif.ops.chainAppend(frame, payload);
        } else {
            nif.copyChain(payload, buf, udpOff + UdpHeader.LENGTH);
            nif.ops.free(payload);
            if ((offloads & Offload.UDP_CSUM) == 0) {
                Bytes.u16(buf, udpOff + UdpHeader.Offset.CHECKSUM,
                        UdpHeader.checksumOf(buf, udpOff, udpLen, nif.ip, dstIp));
            }
        }
        nif.markOffloads(frame, offloads, nif.l2Length + Ipv4Header.MIN_LENGTH, gsoSize);
        nif.stats.inc(Counter.UDP_TX);
        nif.transmitIp(frame, dstIp, mac);
        return true;
    }
}
