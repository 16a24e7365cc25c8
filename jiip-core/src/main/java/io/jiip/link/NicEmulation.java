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
            Bytes.u16(buf, ip + Ipv4Header.CHECKSUM, 0);
            Bytes.u16(buf, ip + Ipv4Header.CHECKSUM,
                    Checksum.compute(buf, ip, Ipv4Header.headerLength(buf, ip)));
        }
        int field = (offloads & Offload.TCP_CSUM) != 0 ? TcpHeader.CHECKSUM
                : (offloads & Offload.UDP_CSUM) != 0 ? UdpHeader.CHECKSUM : -1;
        if (field >= 0) {
            int start = off + l4;
            // The field holds the pseudo-header sum: summing the L4 bytes as they are adds header and data to it.
            int sum = Checksum.finish(Checksum.add(0, buf, start, off + len - start));
            if (sum == 0 && field == UdpHeader.CHECKSUM) {
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
        boolean fragment = (Bytes.u16(buf, ip + Ipv4Header.FLAGS_FRAGMENT)
                & (Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0;
        if (fragment || proto != Ipv4Header.PROTO_TCP && proto != Ipv4Header.PROTO_UDP) {
            return verdict;
        }
        int l4 = ip + hlen;
        int l4Len = total - hlen;
        if (proto == Ipv4Header.PROTO_UDP && (l4Len < UdpHeader.LENGTH || Bytes.u16(buf, l4 + UdpHeader.CHECKSUM) == 0)) {
            return verdict;
        }
        long acc = Checksum.pseudoHeader(Ipv4Header.src(buf, ip), Ipv4Header.dst(buf, ip), proto, l4Len);
        boolean ok = Checksum.fold(Checksum.add(acc, buf, l4, l4Len)) == 0xffff;
        return verdict | (ok ? RxChecksum.L4_GOOD : RxChecksum.L4_BAD);
    }
}
