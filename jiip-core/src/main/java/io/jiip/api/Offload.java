package io.jiip.api;

/**
 * Per-packet transmit offload marks, passed to {@link Nic#txOffload}. Counterpart of iip's
 * {@code iip_ops_nic_offload_*_tx_*_mark} callbacks.
 *
 * <p>Checksum convention (the one Linux virtio-net and most NICs use): when a packet is marked {@link #TCP_CSUM}
 * or {@link #UDP_CSUM}, the stack has written the folded, <em>uncomplemented</em> IPv4 pseudo-header sum
 * (addresses, protocol, L4 length) into the L4 checksum field; the NIC adds the L4 bytes from {@code l4Offset} to
 * the end and stores the complement. When marked {@link #IPV4_CSUM}, the IPv4 checksum field is zero.
 */
public final class Offload {
    public static final int IPV4_CSUM = 1;
    public static final int TCP_CSUM = 1 << 1;
    public static final int UDP_CSUM = 1 << 2;
    /** Split into segments of {@code segmentSize} payload bytes (TSO). */
    public static final int TCP_SEG = 1 << 3;
    /** Split into datagrams of {@code segmentSize} payload bytes (UDP GSO). */
    public static final int UDP_SEG = 1 << 4;

    private Offload() {
    }
}
