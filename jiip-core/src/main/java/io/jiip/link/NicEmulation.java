package io.jiip.link;

import io.jiip.api.Offload;
import io.jiip.api.RxChecksum;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;

/**
 * What a NIC does to a frame in hardware, for links that emulate one: completing transmit checksums the stack left
 * to the NIC (see {@link Offload} for the convention), and verifying received checksums to report a
 * {@link RxChecksum} verdict.
 */
public final class NicEmulation {
    private NicEmulation() {
    }

    /**
     * Completes the checksums a frame was marked for, in place. {@code l3}/{@code l4} are offsets from
     * {@code off}.
     */
    public static void completeTxChecksums(ByteBuffer buf, int off, int len, int offloads, int l3, int l4) {
        if ((offloads & Offload.IPV4_CSUM) != 0) {
            int ip = off + l3;
            Bytes.u16(buf, ip + Ipv4Header.Offset.CHECKSUM, 0);
            Bytes.u16(buf, ip + Ipv4Header.Offset.CHECKSUM,
                    Checksum.compute(buf, ip, Ipv4Header.headerLength(buf, ip)));
        }
        int field = (offloads & Offload.TCP_CSUM) != 0 ? TcpHeader.Offset.CHECKSUM
                : (offloads & Offload.UDP_CSUM) != 0 ? UdpHeader.Offset.CHECKSUM : -1;
        if (field >= 0) {
            int start = off + l4;
            // The field holds the pseudo-header sum: summing the L4 bytes as they are adds header and data to it.
            int sum = Checksum.finish(Checksum.add(0, buf, start, off + len - start));
            if (sum == 0 && field == UdpHeader.Offset.CHECKSUM) {
                sum = 0xffff;
            }
            Bytes.u16(buf, start + field, sum);
        }
    }

    /**
     * Verifies the IPv4 header checksum and the TCP/UDP checksum of a frame whose IPv4 header is at
     * {@code off + l2Length}, as a receiving NIC would. Frames that are not plain IPv4 TCP/UDP get no L4 bit.
     */
    public static int verifyRx(ByteBuffer buf, int off, int len, int l2Length) {
        int ip = off + l2Length;
        int avail = len - l2Length;
        if (l2Length > 0 && (len < l2Length + 2 || Bytes.u16(buf, off + l2Length - 2) != 0x0800)) {
            return RxChecksum.NONE;
        }
        if (Ipv4Header.check(buf, ip, avail) != Ipv4Header.OK) {
            return RxChecksum.NONE;
        }
        int verdict = Ipv4Header.checksumValid(buf, ip) ? RxChecksum.IPV4_GOOD : RxChecksum.IPV4_BAD;
        int hlen = Ipv4Header.headerLength(buf, ip);
        int total = Ipv4Header.totalLength(buf, ip);
        int proto = Ipv4Header.protocol(buf, ip);
        boolean fragment = (Bytes.u16(buf, ip + Ipv4Header.Offset.FLAGS_FRAGMENT)
                & (Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0;
        if (fragment || proto != Ipv4Header.PROTO_TCP && proto != Ipv4Header.PROTO_UDP) {
            return verdict;
        }
        int l4 = ip + hlen;
        int l4Len = total - hlen;
        if (proto == Ipv4Header.PROTO_UDP
                && (l4Len < UdpHeader.LENGTH || Bytes.u16(buf, l4 + UdpHeader.Offset.CHECKSUM) == 0)) {
            return verdict;
        }
        long acc = Checksum.pseudoHeader(Ipv4Header.src(buf, ip), Ipv4Header.dst(buf, ip), proto, l4Len);
        boolean ok = Checksum.fold(Checksum.add(acc, buf, l4, l4Len)) == 0xffff;
        return verdict | (ok ? RxChecksum.L4_GOOD : RxChecksum.L4_BAD);
    }

    /** Wire frames that a frame marked {@link Offload#TCP_SEG} or {@link Offload#UDP_SEG} becomes. */
    public static int segments(Packet frame, int total) {
        int payload = total - segmentHeaders(frame);
        return payload <= 0 ? 0 : (payload + frame.segmentSize - 1) / frame.segmentSize;
    }

    private static int segmentHeaders(Packet frame) {
        int l4 = frame.l4Offset;
        return l4 + ((frame.txOffloads & Offload.UDP_SEG) != 0 ? UdpHeader.LENGTH
                : TcpHeader.headerLength(frame.buffer, frame.offset + l4));
    }

    /**
     * Segmentation offload as a NIC does it (TSO, UDP GSO): writes wire frame {@code index} of the marked
     * super-frame (headers in its first packet, payload anywhere in its chain) at {@code dstOff}: the headers
     * replicated, the IPv4 total length and identification, the TCP sequence number and FIN/PSH/CWR flags or the
     * UDP length adjusted, and, if asked, both checksums computed.
     *
     * @return the frame's length
     */
    public static int writeSegment(Packet frame, int total, int index, ByteBuffer dst, int dstOff,
            boolean computeChecksums) {
        int l3 = frame.l3Offset;
        int l4 = frame.l4Offset;
        boolean udp = (frame.txOffloads & Offload.UDP_SEG) != 0;
        int headers = segmentHeaders(frame);
        int mss = frame.segmentSize;
        int off = headers + index * mss;
        int len = Math.min(mss, total - off);
        boolean last = off + len >= total;
        ByteBuffer src = frame.buffer;
        int so = frame.offset;
        Bytes.copy(src, so, dst, dstOff, headers);
        Packet p = frame;
        int from = off;
        while (from >= p.length) {
            from -= p.length;
            p = p.next;
        }
        for (int at = dstOff + headers, left = len; left > 0; p = p.next, from = 0) {
            int n = Math.min(left, p.length - from);
            Bytes.copy(p.buffer, p.offset + from, dst, at, n);
            at += n;
            left -= n;
        }
        Bytes.u16(dst, dstOff + l3 + Ipv4Header.Offset.TOTAL_LENGTH, headers - l3 + len);
        Bytes.u16(dst, dstOff + l3 + Ipv4Header.Offset.IDENTIFICATION,
                Bytes.u16(src, so + l3 + Ipv4Header.Offset.IDENTIFICATION) + index);
        int checksumField;
        if (udp) {
            Bytes.u16(dst, dstOff + l4 + UdpHeader.Offset.LENGTH, UdpHeader.LENGTH + len);
            checksumField = UdpHeader.Offset.CHECKSUM;
        } else {
            TcpHeader.seq(dst, dstOff + l4, TcpHeader.seq(src, so + l4) + index * mss);
            int flags = TcpHeader.flags(src, so + l4);
            if (!last) {
                flags &= ~(TcpHeader.FLAG_FIN | TcpHeader.FLAG_PSH);
            }
            if (index > 0) {
                flags &= ~TcpHeader.FLAG_CWR;
            }
            TcpHeader.flags(dst, dstOff + l4, flags);
            checksumField = TcpHeader.Offset.CHECKSUM;
        }
        // The stack left the pseudo-header sum of the whole super-frame: start from this segment's.
        Bytes.u16(dst, dstOff + l4 + checksumField, Checksum.fold(Checksum.pseudoHeader(
                Ipv4Header.src(dst, dstOff + l3), Ipv4Header.dst(dst, dstOff + l3),
                udp ? Ipv4Header.PROTO_UDP : Ipv4Header.PROTO_TCP, headers - l4 + len)));
        if (computeChecksums) {
            completeTxChecksums(dst, dstOff, headers + len,
                    Offload.IPV4_CSUM | (udp ? Offload.UDP_CSUM : Offload.TCP_CSUM), l3, l4);
        }
        return headers + len;
    }

    /**
     * For large receive offload: the IPv4 total length {@code head} would have after appending {@code next}, or -1
     * when {@code next} does not continue {@code head}'s TCP flow (same addresses and ports, contiguous sequence
     * numbers, both carrying data, only ACK/PSH flags, same TCP header length, no IP options or fragments).
     */
    public static int coalescedLength(ByteBuffer hb, int ho, int hlen, ByteBuffer nb, int no, int nlen,
            int l2Length) {
        int hip = ho + l2Length;
        int nip = no + l2Length;
        if (!isPlainTcp(hb, ho, hlen, l2Length) || !isPlainTcp(nb, no, nlen, l2Length)
                || Bytes.i32(hb, hip + Ipv4Header.Offset.SRC) != Bytes.i32(nb, nip + Ipv4Header.Offset.SRC)
                || Bytes.i32(hb, hip + Ipv4Header.Offset.DST) != Bytes.i32(nb, nip + Ipv4Header.Offset.DST)) {
            return -1;
        }
        int ht = hip + Ipv4Header.MIN_LENGTH;
        int nt = nip + Ipv4Header.MIN_LENGTH;
        int thlen = TcpHeader.headerLength(hb, ht);
        if (Bytes.i32(hb, ht) != Bytes.i32(nb, nt) || TcpHeader.headerLength(nb, nt) != thlen) {
            return -1; // ports differ, or option layouts differ
        }
        int allowed = TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH;
        int hFlags = TcpHeader.flags(hb, ht);
        int nFlags = TcpHeader.flags(nb, nt);
        if ((hFlags & ~allowed) != 0 || (nFlags & ~allowed) != 0 || (nFlags & TcpHeader.FLAG_ACK) == 0) {
            return -1;
        }
        int hTotal = Bytes.u16(hb, hip + Ipv4Header.Offset.TOTAL_LENGTH);
        int hPayload = hTotal - Ipv4Header.MIN_LENGTH - thlen;
        int nPayload = Bytes.u16(nb, nip + Ipv4Header.Offset.TOTAL_LENGTH) - Ipv4Header.MIN_LENGTH - thlen;
        if (hPayload <= 0 || nPayload <= 0
                || TcpHeader.seq(hb, ht) + hPayload != TcpHeader.seq(nb, nt)) {
            return -1;
        }
        int merged = hTotal + nPayload;
        return merged <= 65535 ? merged : -1;
    }

    /**
     * Appends {@code next}'s payload to {@code head} (which must have room for {@link #coalescedLength} bytes of
     * IPv4 datagram), takes {@code next}'s TCP header (latest ACK, window and timestamps) and fixes the lengths and
     * the IPv4 checksum, as LRO/GRO does. Only for frames whose checksums were verified good: the TCP checksum
     * of the result is left stale and the frame must be handed on with a GOOD verdict.
     */
    public static void coalesce(ByteBuffer hb, int ho, ByteBuffer nb, int no, int l2Length, int mergedLength) {
        int hip = ho + l2Length;
        int nip = no + l2Length;
        int ht = hip + Ipv4Header.MIN_LENGTH;
        int nt = nip + Ipv4Header.MIN_LENGTH;
        int thlen = TcpHeader.headerLength(hb, ht);
        int hTotal = Bytes.u16(hb, hip + Ipv4Header.Offset.TOTAL_LENGTH);
        int nPayload = mergedLength - hTotal;
        int seq = TcpHeader.seq(hb, ht);
        int flags = TcpHeader.flags(hb, ht) | TcpHeader.flags(nb, nt);
        Bytes.copy(nb, nt + thlen, hb, hip + hTotal, nPayload);
        Bytes.copy(nb, nt, hb, ht, thlen);
        TcpHeader.seq(hb, ht, seq);
        TcpHeader.flags(hb, ht, flags);
        Bytes.u16(hb, hip + Ipv4Header.Offset.TOTAL_LENGTH, mergedLength);
        Bytes.u16(hb, hip + Ipv4Header.Offset.CHECKSUM, 0);
        Bytes.u16(hb, hip + Ipv4Header.Offset.CHECKSUM, Checksum.compute(hb, hip, Ipv4Header.MIN_LENGTH));
        // Like GRO, the merged TCP checksum is not recomputed (that would cost the whole frame on every merge):
        // both parts were verified and the merged frame is delivered with a GOOD verdict.
    }

    /** IPv4 without options or fragments, carrying TCP, whole and valid in length. */
    private static boolean isPlainTcp(ByteBuffer b, int off, int len, int l2Length) {
        int ip = off + l2Length;
        if (len < l2Length + Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH
                || l2Length > 0 && Bytes.u16(b, off + l2Length - 2) != 0x0800
                || Bytes.u8(b, ip) != 0x45 || Bytes.u8(b, ip + Ipv4Header.Offset.PROTOCOL) != Ipv4Header.PROTO_TCP
                || (Bytes.u16(b, ip + Ipv4Header.Offset.FLAGS_FRAGMENT)
                        & (Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
            return false;
        }
        int total = Bytes.u16(b, ip + Ipv4Header.Offset.TOTAL_LENGTH);
        return total <= len - l2Length && TcpHeader.check(b, ip + Ipv4Header.MIN_LENGTH,
                total - Ipv4Header.MIN_LENGTH) == TcpHeader.OK;
    }
}
