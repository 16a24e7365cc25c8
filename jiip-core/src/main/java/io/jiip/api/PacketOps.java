package io.jiip.api;

import java.nio.ByteBuffer;

/**
 * Operations on the integrator's own packet type {@code P} (an mbuf, a slot in an AF_XDP UMEM, a pooled object
 * over a heap buffer, ...). The stack never allocates packet memory itself: every buffer it touches comes from
 * here, so received and transmitted bytes travel through the stack without copies.
 *
 * <p>A packet is a window {@code [offset, offset + length)} of absolute indices into {@link #buffer}. Many packets
 * may share one big buffer at different offsets; the stack only uses absolute accessors, never the buffer's
 * position, limit or byte order.
 *
 * <p><b>Ownership.</b> A packet has exactly one owner at a time. {@link #alloc} makes the caller the owner;
 * {@link #free} ends ownership. Which side owns a packet after each stack call is written on that call. Packet
 * buffers are reference counted: {@link #clone} makes a second packet over the same bytes, and the bytes are
 * released when the last packet over them is freed (iip's {@code pkt_clone}, DPDK's {@code rte_pktmbuf_clone}).
 *
 * <p>Counterpart of iip's {@code iip_ops_pkt_*} callbacks. Implementations are used from one thread (the thread of
 * the {@link Stack} that calls them) unless the integrator shares a pool on purpose.
 */
public interface PacketOps<P> {

    /**
     * Allocates a packet whose data area can hold at least {@code size} bytes, with length 0 at {@link #offset}.
     *
     * @return the packet, or {@code null} when no buffer of that size is available (the stack then drops what it
     *         was about to send and counts it; it never retries in a loop)
     */
    P alloc(int size);

    /**
     * Releases {@code packet} and every packet chained after it ({@link #chainAppend}); each buffer's reference
     * count is decremented and a buffer is reused when it reaches zero.
     */
    void free(P packet);

    /** The buffer that holds the packet's bytes (shared with other packets, possibly direct memory). */
    ByteBuffer buffer(P packet);

    /** Absolute index in {@link #buffer} of the first data byte. */
    int offset(P packet);

    /** Number of data bytes (of this packet only, not of its chain). */
    int length(P packet);

    /** Sets the number of data bytes; never beyond the size requested from {@link #alloc}. */
    void length(P packet, int length);

    /** Drops {@code bytes} from the front: offset grows and length shrinks ({@code rte_pktmbuf_adj}). */
    void trimHead(P packet, int bytes);

    /** Drops {@code bytes} from the end ({@code rte_pktmbuf_trim}). */
    void trimTail(P packet, int bytes);

    /**
     * Returns a second packet over the same buffer bytes (same offset and length, no chain), incrementing the
     * buffer's reference count; {@code null} when no packet descriptor is free.
     */
    P clone(P packet);

    /** Appends {@code tail} (and its own chain) to the end of the chain that starts at {@code head}. */
    void chainAppend(P head, P tail);

    /** The packet that follows {@code packet} in its chain, or {@code null}. */
    P chainNext(P packet);
}
