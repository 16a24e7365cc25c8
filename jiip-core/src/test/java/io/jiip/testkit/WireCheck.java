package io.jiip.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Checksum verification of captured frames, written from RFC 791/768/792 byte by byte and deliberately not using
 * {@code io.jiip.wire}: what the tests compare the stack and the NIC emulation against.
 */
public final class WireCheck {
    private WireCheck() {
    }

    /** One's-complement sum of {@code len} bytes, big-endian 16-bit words, odd byte padded with zero. */
    public static long sum(byte[] b, int off, int len, long acc) {
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            acc += (hi << 8) | lo;
        }
        return acc;
    }

    public static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    /**
     * Checks the IPv4 header checksum and, for unfragmented datagrams, the UDP, ICMP and TCP checksums of one frame.
     *
     * @param l2Length 14 for Ethernet (non-IPv4 frames pass), 0 for raw IP
     * @return a description of each wrong checksum (empty when all are right)
     */
    public static List<String> checksumErrors(byte[] f, int l2Length) {
        List<String> errors = new ArrayList<>();
        if (l2Length > 0 && (f.length < l2Length + 20 || u16(f, l2Length - 2) != 0x0800)) {
            return errors;
        }
        int ip = l2Length;
        int hlen = (f[ip] & 0xf) * 4;
        int total = u16(f, ip + 2);
        if ((f[ip] & 0xf0) != 0x40 || hlen < 20 || total < hlen || ip + total > f.length) {
            errors.add("malformed IPv4 header");
            return errors;
        }
        if (fold(sum(f, ip, hlen, 0)) != 0xffff) {
            errors.add("bad IPv4 header checksum " + Integer.toHexString(u16(f, ip + 10)));
        }
        int fragment = u16(f, ip + 6) & 0x3fff;
        if (fragment != 0) {
            return errors; // MF or an offset: L4 is checked on the reassembled datagram only
        }
        int proto = f[ip + 9] & 0xff;
        int l4 = ip + hlen;
        int l4Len = total - hlen;
        if (proto == 17) {
            if (l4Len < 8) {
                errors.add("truncated UDP");
                return errors;
            }
            int udpLen = u16(f, l4 + 4);
            if (udpLen < 8 || udpLen > l4Len) {
                errors.add("bad UDP length " + udpLen);
                return errors;
            }
            if (u16(f, l4 + 6) != 0) {
                long acc = sum(f, ip + 12, 8, 0) + 17 + udpLen;
                if (fold(sum(f, l4, udpLen, acc)) != 0xffff) {
                    errors.add("bad UDP checksum " + Integer.toHexString(u16(f, l4 + 6)));
                }
            }
        } else if (proto == 1) {
            if (fold(sum(f, l4, l4Len, 0)) != 0xffff) {
                errors.add("bad ICMP checksum");
            }
        } else if (proto == 6) {
            long acc = sum(f, ip + 12, 8, 0) + 6 + l4Len;
            if (l4Len < 20 || fold(sum(f, l4, l4Len, acc)) != 0xffff) {
                errors.add("bad TCP checksum " + (l4Len < 20 ? "(truncated)" : Integer.toHexString(u16(f, l4 + 16))));
            }
        }
        return errors;
    }
}
