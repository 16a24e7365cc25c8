package io.jiip.api;

/**
 * Bits returned by {@link Nic#rxChecksum}: the NIC's verdict on a received frame. A layer with neither its GOOD nor
 * its BAD bit set is verified in software. Counterpart of iip's {@code iip_ops_nic_offload_*_rx_checksum}.
 */
public final class RxChecksum {
    /** Nothing verified: the stack checks everything itself. */
    public static final int NONE = 0;
    public static final int IPV4_GOOD = 1;
    public static final int IPV4_BAD = 1 << 1;
    /** The TCP or UDP checksum (whichever the frame carries) verified correct. */
    public static final int L4_GOOD = 1 << 2;
    public static final int L4_BAD = 1 << 3;

    private RxChecksum() {
    }
}
