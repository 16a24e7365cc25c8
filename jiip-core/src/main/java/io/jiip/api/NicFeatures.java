package io.jiip.api;

/**
 * Bits returned by {@link Nic#features()}: what the integrator's NIC (or backend) can do. The stack reads them at
 * every {@link Stack#run}, so an integrator may switch an offload on or off at run time.
 * Counterpart of iip's {@code iip_ops_nic_feature_offload_*} callbacks.
 */
public final class NicFeatures {
    /** The NIC verifies IPv4 header checksums and reports them per packet ({@link Nic#rxChecksum}). */
    public static final int IPV4_RX_CSUM = 1;
    /** The NIC fills IPv4 header checksums of packets marked with {@link Offload#IPV4_CSUM}. */
    public static final int IPV4_TX_CSUM = 1 << 1;
    public static final int TCP_RX_CSUM = 1 << 2;
    /** The NIC completes TCP checksums of packets marked with {@link Offload#TCP_CSUM}. */
    public static final int TCP_TX_CSUM = 1 << 3;
    public static final int UDP_RX_CSUM = 1 << 4;
    /** The NIC completes UDP checksums of packets marked with {@link Offload#UDP_CSUM}. */
    public static final int UDP_TX_CSUM = 1 << 5;
    /** TCP segmentation offload: the NIC splits a large segment marked {@link Offload#TCP_SEG}. */
    public static final int TCP_TSO = 1 << 6;
    /** UDP segmentation offload (GSO): the NIC splits a large datagram marked {@link Offload#UDP_SEG}. */
    public static final int UDP_GSO = 1 << 7;
    /** The NIC transmits packet chains ({@link PacketOps#chainAppend}): headers and payload in separate buffers. */
    public static final int TX_SCATTER_GATHER = 1 << 8;
    /** The NIC may deliver coalesced TCP segments longer than the MSS (LRO/GRO). */
    public static final int LRO = 1 << 9;

    /** Everything a checksum-offloading NIC offers. */
    public static final int ALL_CSUM = IPV4_RX_CSUM | IPV4_TX_CSUM | TCP_RX_CSUM | TCP_TX_CSUM | UDP_RX_CSUM
            | UDP_TX_CSUM;

    private NicFeatures() {
    }

    public static boolean has(int features, int feature) {
        return (features & feature) == feature;
    }
}
