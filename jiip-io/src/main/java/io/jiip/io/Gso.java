package io.jiip.io;

import io.jiip.api.RxChecksum;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import java.nio.ByteBuffer;

/**
 * Software segmentation of received GSO super-frames ({@code VIRTIO_NET_HDR_GSO_TCPV4}), for a stack that takes
 * segments no longer than the MSS: what the kernel's own GSO does before a device without TSO.
 */
final class Gso {
    /** Most segments one super-frame may produce (64 KiB of payload at an MSS of 256 and more). */
    static final int MAX_SEGMENTS = 256;

    private Gso() {
    }

    static int segmentCount(int frameLength, int gsoSize) {
        return gsoSize <= 0 ? 0 : (frameLength + gsoSize - 1) / gsoSize;
    }

    /**
     * Splits a TCP/IPv4 super-frame into segments of {@code gsoSize} payload bytes: IP total length, ID and header
     * checksum per segment, sequence numbers advanced, FIN and PSH on the last segment only, CWR on the first only.
     * TCP checksums are left as they are and the segments marked {@link RxChecksum#L4_GOOD} when {@code trust}
     * (the kernel vouches for the data), else computed. {@code sf} is freed in every case.
     *
     * @return segments written to {@code out} (fewer than needed when the pool ran dry: the rest is lost, as on a
     *         full ring), or -1 when the frame is not a TCP/IPv4 super-frame we can split
     */
    static int split(PacketPool pool, Packet sf, int gsoType, int gsoSize, boolean trust, Packet[] out) {
        try {
            return splitInto(pool, sf, gsoType, gsoSize, trust, out);
        } finally {
            pool.free(sf);
        }
    }

    private static int splitInto(PacketPool pool, Packet sf, int gsoType, int gsoSize, boolean trust,
            Packet[] out) {
        ByteBuffer b = sf.buffer();
        int off = sf.offset();
        int len = sf.length();
        int ip = off + EthernetHeader.LENGTH;
        if (gsoType != VirtioNetHeader.GSO_TCPV4 || gsoSize <= 0 || len < EthernetHeader.LENGTH
                || EthernetHeader.etherType(b, off) != EthernetHeader.TYPE_IPV4
                || Ipv4Header.check(b, ip, len - EthernetHeader.LENGTH) != Ipv4Header.OK
                || Ipv4Header.protocol(b, ip) != Ipv4Header.PROTO_TCP) {
            return -1; // jiip speaks IPv4 only; anything else is not ours
        }
        int ihl = Ipv4Header.headerLength(b, ip);
        int total = Ipv4Header.totalLength(b, ip);
        int tcp = ip + ihl;
        if (TcpHeader.check(b, tcp, total - ihl) != TcpHeader.OK) {
            return -1;
        }
        int thl = TcpHeader.headerLength(b, tcp);
        int hdrs = EthernetHeader.LENGTH + ihl + thl;
        int payload = total - ihl - thl;
        int segments = segmentCount(payload, gsoSize);
        if (segments > out.length || segments > MAX_SEGMENTS) {
            return -1;
        }
        int id = Bytes.u16(b, ip + Ipv4Header.Offset.IDENTIFICATION);
        int seq = TcpHeader.seq(b, tcp);
        int tcpFlags = TcpHeader.flags(b, tcp);
        int src = Ipv4Header.src(b, ip);
        int dst = Ipv4Header.dst(b, ip);
        for (int i = 0; i < segments; i++) {
            int start = i * gsoSize;
            int chunk = Math.min(gsoSize, payload - start);
            Packet s = pool.alloc(hdrs + chunk);
            if (s == null) {
                return i;
            }
            ByteBuffer sb = s.buffer();
            int so = s.offset();
            sb.put(so, b, off, hdrs);
            sb.put(so + hdrs, b, off + hdrs + start, chunk);
            pool.length(s, hdrs + chunk);
            int sip = so + EthernetHeader.LENGTH;
            Bytes.u16(sb, sip + Ipv4Header.Offset.TOTAL_LENGTH, ihl + thl + chunk);
            Bytes.u16(sb, sip + Ipv4Header.Offset.IDENTIFICATION, (id + i) & 0xffff);
            Bytes.u16(sb, sip + Ipv4Header.Offset.CHECKSUM, 0);
            Bytes.u16(sb, sip + Ipv4Header.Offset.CHECKSUM, Checksum.compute(sb, sip, ihl));
            int st = sip + ihl;
            TcpHeader.seq(sb, st, seq + start);
            int f = tcpFlags;
            if (i < segments - 1) {
                f &= ~(TcpHeader.FLAG_FIN | TcpHeader.FLAG_PSH);
            }
            if (i > 0) {
                f &= ~TcpHeader.FLAG_CWR;
            }
            TcpHeader.flags(sb, st, f);
            if (trust) {
                s.rxChecksum(RxChecksum.L4_GOOD);
            } else {
                TcpHeader.checksum(sb, st, 0);
                long acc = Checksum.pseudoHeader(src, dst, Ipv4Header.PROTO_TCP, thl + chunk);
                TcpHeader.checksum(sb, st, Checksum.finish(Checksum.add(acc, sb, st, thl + chunk)));
                s.rxChecksum(RxChecksum.NONE);
            }
            out[i] = s;
        }
        return segments;
    }
}
