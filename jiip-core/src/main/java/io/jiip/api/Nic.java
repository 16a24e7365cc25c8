package io.jiip.api;

/**
 * The integrator's network device: transmit queue, offload features and per-packet offload metadata.
 * Counterpart of iip's {@code iip_ops_l2_push}, {@code iip_ops_l2_flush} and {@code iip_ops_nic_*} callbacks.
 */
public interface Nic<P> {

    /** The {@link NicFeatures} bits this device offers now. Read once per {@link Stack#run} or API call. */
    int features();

    /**
     * Queues a complete frame (possibly a chain of packets when {@link NicFeatures#TX_SCATTER_GATHER} is offered)
     * for transmission. <b>Ownership passes to the NIC</b>, which frees the frame (whole chain) once sent or
     * dropped. Transmission may be deferred until {@link #flush}.
     */
    void push(P frame);

    /**
     * Sends what {@link #push} queued. The stack calls it once at the end of each {@link Stack#run} in which it
     * pushed, and at the end of each API call made outside {@code run} that pushed.
     */
    void flush();

    /**
     * The NIC's checksum verdict on a received frame as {@link RxChecksum} bits. Only consulted for layers whose
     * RX checksum feature is in {@link #features()}.
     */
    default int rxChecksum(P frame) {
        return RxChecksum.NONE;
    }

    /**
     * Marks a frame about to be pushed for transmit offloads ({@link Offload} bits). Called only with offloads the
     * NIC reported in {@link #features()}.
     *
     * @param l3Offset    bytes from the frame start to the IPv4 header
     * @param l4Offset    bytes from the frame start to the TCP/UDP header
     * @param segmentSize payload bytes per segment for {@link Offload#TCP_SEG}/{@link Offload#UDP_SEG}, else 0
     */
    default void txOffload(P frame, int offloads, int l3Offset, int l4Offset, int segmentSize) {
        throw new UnsupportedOperationException("this NIC reported an offload it does not implement");
    }
}
