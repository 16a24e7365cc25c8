package io.jiip.api;

/**
 * What the frames given to and taken from the stack start with. Replaces iip's {@code iip_ops_l2_*} callbacks:
 * the stack crafts and parses the link header itself, for the two link types that exist in practice.
 */
public enum LinkType {
    /** Ethernet II header (14 bytes); ARP is spoken. TAP, AF_XDP, DPDK. */
    ETHERNET(14),
    /** No link header: frames are bare IPv4 datagrams; no ARP. TUN devices, VPN and tun2socks apps. */
    IP(0);

    private final int headerLength;

    LinkType(int headerLength) {
        this.headerLength = headerLength;
    }

    /** Bytes of link header in front of every IP datagram. */
    public int headerLength() {
        return headerLength;
    }
}
