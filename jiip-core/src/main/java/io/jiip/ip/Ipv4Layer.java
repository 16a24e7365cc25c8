package io.jiip.ip;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.RxChecksum;
import io.jiip.iface.NetInterface;
import io.jiip.wire.Bytes;
import io.jiip.wire.IcmpHeader;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import java.nio.ByteBuffer;

/**
 * IPv4 input (RFC 791, RFC 1122 §3.2.1): validation, destination filtering, reassembly and demultiplexing to
 * ICMP, UDP and TCP. Output helpers live in {@link NetInterface}.
 */
public final class Ipv4Layer<P> {
    private final NetInterface<P> nif;

    public Ipv4Layer(NetInterface<P> nif) {
        this.nif = nif;
    }

    /**
     * Takes ownership of a frame whose IPv4 header starts at {@code ipOff} with {@code available} bytes after it
     * (Ethernet padding included).
     *
     * @param fromNic {@code false} for a datagram the stack rebuilt itself (reassembly): NIC verdicts do not apply
     */
    public void input(P frame, ByteBuffer buf, int ipOff, int available, boolean fromNic) {
        nif.stats.inc(Counter.IP_RX);
        int check = Ipv4Header.check(buf, ipOff, available);
        if (check != Ipv4Header.OK) {
            nif.drop(frame, dropReason(check));
            return;
        }
        int verdict = fromNic ? nicVerdict(frame) : RxChecksum.NONE;
        if ((verdict & RxChecksum.IPV4_BAD) != 0
                || (verdict & RxChecksum.IPV4_GOOD) == 0 && !Ipv4Header.checksumValid(buf, ipOff)) {
            nif.drop(frame, Counter.DROP_IP_BAD_CHECKSUM);
            return;
        }
        int src = Ipv4Header.src(buf, ipOff);
        if (src == Ipv4Address.BROADCAST || Ipv4Address.isMulticast(src) || nif.isBroadcast(src)) {
            nif.drop(frame, Counter.DROP_IP_BAD_SOURCE); // RFC 1122 §3.2.1.3
            return;
        }
        int dst = Ipv4Header.dst(buf, ipOff);
        if (!nif.isOurs(dst) && !nif.isBroadcast(dst)) {
            nif.drop(frame, Counter.DROP_IP_NOT_FOR_US);
            return;
        }
        int flags = Bytes.u16(buf, ipOff + Ipv4Header.Offset.FLAGS_FRAGMENT);
        if ((flags & (Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
            P whole = nif.reassembler.input(frame, buf, ipOff);
            if (whole != null) {
                deliver(whole, nif.ops.buffer(whole), nif.ipOffset(whole), RxChecksum.NONE);
            }
            return;
        }
        deliver(frame, buf, ipOff, verdict);
    }

    private int nicVerdict(P frame) {
        if ((nif.features() & (NicFeatures.IPV4_RX_CSUM | NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM)) == 0) {
            return RxChecksum.NONE;
        }
        int v = nif.nic.rxChecksum(frame);
        if (!nif.has(NicFeatures.IPV4_RX_CSUM)) {
            v &= ~(RxChecksum.IPV4_GOOD | RxChecksum.IPV4_BAD);
        }
        return v;
    }

    /** Hands a complete, validated datagram to its protocol. */
    private void deliver(P frame, ByteBuffer buf, int ipOff, int verdict) {
        int hlen = Ipv4Header.headerLength(buf, ipOff);
        int total = Ipv4Header.totalLength(buf, ipOff);
        int protocol = Ipv4Header.protocol(buf, ipOff);
        switch (protocol) {
            case Ipv4Header.PROTO_UDP:
                nif.stats.inc(Counter.IP_DELIVERED);
                nif.udp.input(frame, buf, ipOff, hlen, total,
                        nif.has(NicFeatures.UDP_RX_CSUM) ? verdict : RxChecksum.NONE);
                break;
            case Ipv4Header.PROTO_ICMP:
                nif.stats.inc(Counter.IP_DELIVERED);
                nif.icmp.input(frame, buf, ipOff, hlen, total);
                break;
            case Ipv4Header.PROTO_TCP:
                nif.stats.inc(Counter.IP_DELIVERED);
                nif.tcp.input(frame, buf, ipOff, hlen, total,
                        nif.has(NicFeatures.TCP_RX_CSUM) ? verdict : RxChecksum.NONE);
                break;
            default:
                // RFC 1122 §3.2.2.1: protocol unreachable (rate limited, never for broadcasts).
                if (nif.isOurs(Ipv4Header.dst(buf, ipOff))) {
                    nif.icmp.sendUnreachable(buf, ipOff, IcmpHeader.CODE_PROTOCOL_UNREACHABLE);
                }
                nif.drop(frame, Counter.DROP_IP_UNKNOWN_PROTOCOL);
        }
    }

    private static Counter dropReason(int check) {
        switch (check) {
            case Ipv4Header.BAD_VERSION: return Counter.DROP_IP_BAD_VERSION;
            case Ipv4Header.BAD_HEADER_LENGTH: return Counter.DROP_IP_BAD_HEADER_LENGTH;
            case Ipv4Header.BAD_TOTAL_LENGTH: return Counter.DROP_IP_BAD_TOTAL_LENGTH;
            case Ipv4Header.BAD_OPTIONS: return Counter.DROP_IP_BAD_OPTIONS;
            default: return Counter.DROP_IP_TRUNCATED;
        }
    }
}
