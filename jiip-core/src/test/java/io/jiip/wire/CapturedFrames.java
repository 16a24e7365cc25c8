package io.jiip.wire;

import static io.jiip.wire.TestBuffers.hex;

import java.util.Arrays;

/**
 * Byte-exact Ethernet frames captured from Linux (and ARP assembled as QEMU sends it): the fixtures of the wire
 * tests. ({@code io.jiip.testkit.Frames} builds frames instead.)
 *
 * <p>The IPv4 frames were captured with {@code tcpdump -i lo -w} on Linux 6.x while running {@code ping -c1
 * 127.0.0.1}, {@code dig @127.0.0.1 example.com A +noedns} (nothing listening on port 53, hence the ICMP port
 * unreachable), a Python TCP connect to a listener on 127.0.0.1:8080, and a Python UDP send with the socket option
 * {@code IP_OPTIONS} set to NOP + an empty two-slot Record Route. The loopback "Ethernet" header has all-zero
 * addresses.
 *
 * <p>Loopback leaves TCP and UDP checksums to an offload that never happens: the captured checksum field holds only
 * the folded pseudo-header sum (0xfe38 in the DNS query, 0xfe30 in the SYN). In the fixtures below that field is
 * replaced by the full checksum, computed independently (Python, and {@code tcpdump -vv}'s "bad cksum 0xfe38 ->
 * 0x4014"); the captured values are kept as {@code *_PARTIAL_CHECKSUM} constants.
 *
 * <p>The ARP frames are hand-assembled in the form QEMU's user network produces (guest 52:54:00:12:34:56 at
 * 10.0.2.15, gateway 52:55:0a:00:02:02 at 10.0.2.2), padded to the 60-byte Ethernet minimum, and were checked by
 * decoding them with {@code tshark -V}.
 */
final class CapturedFrames {
    static final int ETH = EthernetHeader.LENGTH;
    static final int LOOPBACK = 0x7f000001;

    /** {@code ping -c1 127.0.0.1}: ICMP echo request, id 3563, seq 1, 56 data bytes. 98 bytes. */
    static final byte[] PING_REQUEST = hex(""
            // Ethernet: dst, src (loopback: zero), EtherType IPv4
            + "000000000000 000000000000 0800"
            // IPv4: 4/5, tos 0, total 84, id 0x4cfb, DF, ttl 64, ICMP, checksum 0xefab, 127.0.0.1 > 127.0.0.1
            + "45 00 0054 4cfb 4000 40 01 efab 7f000001 7f000001"
            // ICMP: echo request, code 0, checksum 0x1c2c, identifier 0x0deb (3563), sequence 1
            + "08 00 1c2c 0deb 0001"
            // ping's payload: a 64-bit little-endian struct timeval (tv_sec, tv_usec), then bytes 0x10..0x37
            + "add5076b00000000 4fd40a0000000000"
            + "1011121314151617 18191a1b1c1d1e1f 2021222324252627 28292a2b2c2d2e2f 3031323334353637");

    /** The kernel's answer to {@link #PING_REQUEST}: same payload, no DF, id 0x4cfc. 98 bytes. */
    static final byte[] PING_REPLY = hex(""
            + "000000000000 000000000000 0800"
            + "45 00 0054 4cfc 0000 40 01 2fab 7f000001 7f000001"
            + "00 00 242c 0deb 0001"
            + "add5076b00000000 4fd40a0000000000"
            + "1011121314151617 18191a1b1c1d1e1f 2021222324252627 28292a2b2c2d2e2f 3031323334353637");

    static final int DNS_QUERY_PARTIAL_CHECKSUM = 0xfe38;

    /** {@code dig @127.0.0.1 example.com A +noedns}: UDP 45283 > 53, 29-byte DNS query (odd UDP length 37). */
    static final byte[] DNS_QUERY = hex(""
            + "000000000000 000000000000 0800"
            // IPv4: total 57, id 0xf6b4, no flags, ttl 64, UDP, checksum 0x85fd
            + "45 00 0039 f6b4 0000 40 11 85fd 7f000001 7f000001"
            // UDP: 45283 > 53, length 37, checksum 0x4014 (captured: 0xfe38, see class comment)
            + "b0e3 0035 0025 4014"
            // DNS: id 0x40e7, flags 0x0120 (RD, AD), 1 question, 0/0/0 records; example.com A IN
            + "40e7 0120 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001");

    /**
     * The kernel's ICMP port unreachable for {@link #DNS_QUERY} (tos 0xc0), quoting the whole datagram as it was
     * captured, i.e. with the partial UDP checksum 0xfe38. 99 bytes.
     */
    static final byte[] PORT_UNREACHABLE = hex(""
            + "000000000000 000000000000 0800"
            + "45 c0 0055 4cfd 0000 40 01 2ee9 7f000001 7f000001"
            // ICMP: destination unreachable, port unreachable, checksum 0x3d11, unused
            + "03 03 3d11 0000 0000"
            + "45 00 0039 f6b4 0000 40 11 85fd 7f000001 7f000001"
            + "b0e3 0035 0025 fe38"
            + "40e7 0120 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001");

    static final int SYN_PARTIAL_CHECKSUM = 0xfe30;

    /** Linux SYN 46862 > 8080 with MSS 65495, SACK permitted, timestamps, NOP, window scale 10. 74 bytes. */
    static final byte[] TCP_SYN = hex(""
            + "000000000000 000000000000 0800"
            // IPv4: total 60, id 0x3da9, DF, ttl 64, TCP, checksum 0xff10
            + "45 00 003c 3da9 4000 40 06 ff10 7f000001 7f000001"
            // TCP: 46862 > 8080, seq 2975649459, ack 0, data offset 10 (40 bytes), SYN, window 65495,
            // checksum 0x5b6a (captured: 0xfe30), urgent 0
            + "b70e 1f90 b15cceb3 00000000 a0 02 ffd7 5b6a 0000"
            // options: MSS 65495; SACK permitted; timestamps val 2936139491 ecr 0; NOP; window scale 10
            + "02 04 ffd7  04 02  08 0a af01eee3 00000000  01  03 03 0a");

    /** The SYN-ACK answering {@link #TCP_SYN}: seq 1596190103, ack 2975649460, window 65483. 74 bytes. */
    static final byte[] TCP_SYN_ACK = hex(""
            + "000000000000 000000000000 0800"
            + "45 00 003c 0000 4000 40 06 3cba 7f000001 7f000001"
            + "1f90 b70e 5f23ed97 b15cceb4 a0 12 ffcb 7324 0000"
            + "02 04 ffd7  04 02  08 0a 0bab8fda af01eee3  01  03 03 0a");

    /** The handshake's final ACK: 32-byte header with NOP, NOP, timestamps; window 64 (scaled). 66 bytes. */
    static final byte[] TCP_ACK = hex(""
            + "000000000000 000000000000 0800"
            + "45 00 0034 3daa 4000 40 06 ff17 7f000001 7f000001"
            + "b70e 1f90 b15cceb4 5f23ed98 80 10 0040 9ba3 0000"
            + "01 01 08 0a af01eee3 0bab8fda");

    /**
     * UDP 40000 > 9 carrying "jiip", sent with IP options NOP + Record Route (which the kernel filled with
     * 127.0.0.1 and advanced the pointer to 8): a 32-byte IPv4 header (IHL 8). 58 bytes.
     */
    static final byte[] UDP_WITH_IP_OPTIONS = hex(""
            + "000000000000 000000000000 0800"
            // IPv4: IHL 8, total 44, id 0x2c34, DF, ttl 64, UDP, checksum 0x827a
            + "48 00 002c 2c34 4000 40 11 827a 7f000001 7f000001"
            // options: NOP; Record Route, length 11, pointer 8, slots 127.0.0.1 and 0.0.0.0
            + "01  07 0b 08 7f000001 00000000"
            // UDP: 40000 > 9, length 12, checksum 0x91b0 (captured: 0xfe1f), "jiip"
            + "9c40 0009 000c 91b0 6a696970");

    /** ARP request "who has 10.0.2.2? tell 10.0.2.15", broadcast, padded to 60 bytes. */
    static final byte[] ARP_REQUEST = hex(""
            + "ffffffffffff 525400123456 0806"
            // htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request)
            + "0001 0800 06 04 0001"
            + "525400123456 0a00020f"
            + "000000000000 0a000202"
            + "000000000000000000000000000000000000");

    /** ARP reply "10.0.2.2 is at 52:55:0a:00:02:02", unicast to the requester, padded to 60 bytes. */
    static final byte[] ARP_REPLY = hex(""
            + "525400123456 52550a000202 0806"
            + "0001 0800 06 04 0002"
            + "52550a000202 0a000202"
            + "525400123456 0a00020f"
            + "000000000000000000000000000000000000");

    private CapturedFrames() {
    }

    /** Bytes {@code from} to the end of the frame (e.g. {@code from(PING_REQUEST, ETH)} is the IPv4 packet). */
    static byte[] from(byte[] frame, int from) {
        return Arrays.copyOfRange(frame, from, frame.length);
    }

    static byte[] range(byte[] frame, int from, int len) {
        return Arrays.copyOfRange(frame, from, from + len);
    }
}
