package io.jiip.tcp;

import io.jiip.api.PacketOps;
import io.jiip.wire.Bytes;
import java.nio.ByteBuffer;

/**
 * Descriptors for packets a connection holds: sent data awaiting acknowledgment and out-of-order data awaiting
 * its gap. One pool per context, sized at construction; per-connection queues are singly linked lists of indices.
 * A descriptor names a byte range {@code [data, data + len)} of its packet's buffer and the sequence number of its
 * first byte. A send-queue descriptor may instead hold its bytes itself ({@link #INLINE}, at most
 * {@value #INLINE_BYTES}), in {@link #inlineBytes}: a small payload needs no packet kept for it.
 *
 * <p>A send-queue descriptor also carries what RACK (RFC 8985 §6.1) needs: when any of its bytes was last
 * transmitted, whether any was retransmitted, whether it was wholly delivered (cumulatively or selectively
 * acknowledged), and whether it is deemed lost with the first of its bytes not yet retransmitted since.
 */
final class SegmentPool {
    static final int NONE = -1;

    /** Flag: some byte of the descriptor was sent more than once (RFC 8985 Segment.retransmitted). */
    static final int RETRANSMITTED = 1;
    /** Flag: deemed lost and not wholly retransmitted since (RFC 8985 Segment.lost); see {@link #lostFrom}. */
    static final int LOST = 2;
    /** Flag: every byte was cumulatively or selectively acknowledged (counted once by RACK). */
    static final int DELIVERED = 4;
    /**
     * Flag: some bytes are lost by the DupThresh rule (RFC 6675 IsLost): those from {@link #lostFrom} below the
     * scoreboard's {@link SackScoreboard#lostBelow} bound, which only the scoreboard knows byte by byte.
     */
    static final int LOST_BY_COUNT = 8;
    /** Either kind of loss mark. */
    static final int ANY_LOSS = LOST | LOST_BY_COUNT;
    /** Flag: the bytes are in {@link #inlineBytes}, not in a packet ({@link #allocInline}). */
    static final int INLINE = 16;

    /** Most bytes a descriptor holds itself. */
    static final int INLINE_BYTES = 16;

    // Fields of a descriptor side by side (32 bytes, half a cache line): sequence number, length, data index,
    // next; then the last transmission time (nanoseconds, high and low halves), the RACK flags, and where the
    // lost bytes not yet retransmitted begin. Two ints for the time keep the descriptor in one array (one miss)
    // where a parallel long[] would cost a second cache line per descriptor on every transmission.
    private static final int SEQ = 0;
    private static final int LEN = 1;
    private static final int DATA = 2;
    private static final int NEXT = 3;
    private static final int SENT_HIGH = 4;
    private static final int SENT_LOW = 5;
    private static final int FLAGS = 6;
    private static final int LOST_FROM = 7;
    private static final int STRIDE = 8;

    final Object[] packet;
    /** {@value #INLINE_BYTES} bytes per descriptor, for those flagged {@link #INLINE}. */
    final ByteBuffer inlineBytes;
    private final int[] fields;
    private final int[] free;
    private int freeCount;
    /**
     * Free descriptors that {@link #split} leaves alone: splitting only makes loss recovery more precise, so it must
     * never take the descriptors that sending and the out-of-order queue need.
     */
    private final int splitReserve;

    SegmentPool(int capacity) {
        this.splitReserve = capacity / 8;
        this.packet = new Object[capacity];
        this.inlineBytes = ByteBuffer.allocate(capacity * INLINE_BYTES);
        this.fields = new int[capacity * STRIDE];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /** A descriptor of bytes in {@code pkt}, or {@link #NONE} when the pool is empty. */
    int alloc(Object pkt, int sequence, int dataIndex, int length) {
        int d = take(sequence, dataIndex, length, 0);
        if (d != NONE) {
            packet[d] = pkt;
        }
        return d;
    }

    /**
     * A descriptor holding a copy of {@code src[from, from + length)} itself ({@code length} at most
     * {@value #INLINE_BYTES}), or {@link #NONE} when the pool is empty. Its packet slot stays null, untouched.
     */
    int allocInline(ByteBuffer src, int from, int sequence, int length) {
        int d = take(sequence, 0, length, INLINE);
        if (d != NONE) {
            int at = d * INLINE_BYTES;
            fields[d * STRIDE + DATA] = at;
            Bytes.copy(src, from, inlineBytes, at, length);
        }
        return d;
    }

    private int take(int sequence, int dataIndex, int length, int flags) {
        if (freeCount == 0) {
            return NONE;
        }
        int d = free[--freeCount];
        int f = d * STRIDE;
        fields[f + SEQ] = sequence;
        fields[f + DATA] = dataIndex;
        fields[f + LEN] = length;
        fields[f + NEXT] = NONE;
        fields[f + SENT_HIGH] = 0;
        fields[f + SENT_LOW] = 0;
        fields[f + FLAGS] = flags;
        fields[f + LOST_FROM] = sequence;
        return d;
    }

    boolean isInline(int d) {
        return (fields[d * STRIDE + FLAGS] & INLINE) != 0;
    }

    /** Where the descriptor's bytes are: {@link #inlineBytes}, or the buffer of its packet as {@code ops} says. */
    @SuppressWarnings("unchecked")
    <P> ByteBuffer bytes(int d, PacketOps<P> ops) {
        return isInline(d) ? inlineBytes : ops.buffer((P) packet[d]);
    }

    /**
     * Makes a send-queue descriptor of {@code c} start at {@code at}, splitting the one that holds it: the bytes from
     * {@code at} on go to a new descriptor right after it (a zero-copy clone of the packet, or a copy of inline
     * bytes), with the same RACK record. RACK (RFC 8985 §6.1) keeps one transmission time and one delivered flag per
     * descriptor, so descriptors are split where transmissions and SACK blocks begin and end, as Linux splits its
     * buffers: a SACK block then always delivers whole descriptors, each with the time its bytes were really sent.
     *
     * @return {@code false} when no boundary could be made (no descriptor or clone to spare): RACK is then coarser
     *     for these bytes, never wrong about what was delivered
     */
    <P> boolean splitAt(TcpConnection<P> c, int at, PacketOps<P> ops) {
        int d = c.sendHead;
        while (d != NONE && Seq.ge(at, end(d))) {
            d = next(d);
        }
        return d == NONE || !Seq.gt(at, seq(d)) || split(c, d, at, ops);
    }

    /** {@link #splitAt} for the descriptor {@code d} that holds {@code at} past its first byte. */
    @SuppressWarnings("unchecked")
    <P> boolean split(TcpConnection<P> c, int d, int at, PacketOps<P> ops) {
        if (freeCount <= splitReserve) {
            return false;
        }
        int f = d * STRIDE;
        int head = at - fields[f + SEQ];
        int n;
        if (isInline(d)) {
            n = allocInline(inlineBytes, fields[f + DATA] + head, at, fields[f + LEN] - head);
            c.inlineSegments++;
        } else {
            P clone = ops.clone((P) packet[d]);
            if (clone == null) {
                return false;
            }
            n = alloc(clone, at, fields[f + DATA] + head, fields[f + LEN] - head);
        }
        int nf = n * STRIDE;
        int flags = fields[f + FLAGS];
        int lostFrom = fields[f + LOST_FROM];
        fields[nf + SENT_HIGH] = fields[f + SENT_HIGH];
        fields[nf + SENT_LOW] = fields[f + SENT_LOW];
        fields[nf + FLAGS] = flags;
        fields[nf + LOST_FROM] = Seq.max(lostFrom, at);
        if ((flags & ANY_LOSS) != 0 && !Seq.lt(lostFrom, at)) {
            fields[f + FLAGS] = flags & ~ANY_LOSS; // its lost bytes were all resent: what is left lies beyond
        }
        fields[f + LEN] = head;
        fields[nf + NEXT] = fields[f + NEXT];
        fields[f + NEXT] = n;
        if (c.sendTail == d) {
            c.sendTail = n;
        }
        return true;
    }

    /** Returns the descriptor (not its packet, which the caller frees or keeps). */
    void release(int d) {
        if (!isInline(d)) { // an inline descriptor's packet slot is null already, its cache line untouched
            packet[d] = null;
        }
        free[freeCount++] = d;
    }

    int available() {
        return freeCount;
    }

    /** Sequence number of the descriptor's first byte. */
    int seq(int d) {
        return fields[d * STRIDE + SEQ];
    }

    int len(int d) {
        return fields[d * STRIDE + LEN];
    }

    /** Sequence number just after the descriptor's last byte. */
    int end(int d) {
        int f = d * STRIDE;
        return fields[f + SEQ] + fields[f + LEN];
    }

    /** Absolute index of the first byte in the packet's buffer. */
    int data(int d) {
        return fields[d * STRIDE + DATA];
    }

    int next(int d) {
        return fields[d * STRIDE + NEXT];
    }

    void next(int d, int next) {
        fields[d * STRIDE + NEXT] = next;
    }

    /** When bytes of the descriptor were last (re)transmitted (RFC 8985 Segment.xmit_ts). */
    long sentAt(int d) {
        int f = d * STRIDE;
        return (long) fields[f + SENT_HIGH] << 32 | fields[f + SENT_LOW] & 0xffff_ffffL;
    }

    int flags(int d) {
        return fields[d * STRIDE + FLAGS];
    }

    void flags(int d, int flags) {
        fields[d * STRIDE + FLAGS] = flags;
    }

    /** With a loss mark: the first lost byte not retransmitted since the descriptor was deemed lost. */
    int lostFrom(int d) {
        return fields[d * STRIDE + LOST_FROM];
    }

    /** Deems every byte of the descriptor lost (RFC 8985 §6.2 step 5: all were sent long enough before). */
    void markLost(int d) {
        int f = d * STRIDE;
        fields[f + FLAGS] |= LOST;
        fields[f + LOST_FROM] = fields[f + SEQ];
    }

    /** Deems the descriptor's bytes from {@code from} on below the scoreboard's DupThresh bound lost. */
    void markLostByCount(int d, int from) {
        int f = d * STRIDE;
        fields[f + FLAGS] |= LOST_BY_COUNT;
        fields[f + LOST_FROM] = from;
    }

    /** Moves the resume point of the lost bytes to {@code seq} (the bytes before it need no retransmission). */
    void lostFrom(int d, int seq) {
        fields[d * STRIDE + LOST_FROM] = seq;
    }

    /**
     * Records a transmission of the descriptor's bytes {@code [from, upTo)} at {@code now} (RFC 8985 §6.1): the time,
     * whether it was a retransmission, and for a lost descriptor how far its lost bytes have now been resent (the
     * mark goes once they all were).
     */
    void markSent(int d, long now, boolean retransmission, int from, int upTo) {
        int f = d * STRIDE;
        fields[f + SENT_HIGH] = (int) (now >>> 32);
        fields[f + SENT_LOW] = (int) now;
        int flags = fields[f + FLAGS];
        if (retransmission) {
            flags |= RETRANSMITTED;
        }
        int lostFrom = fields[f + LOST_FROM];
        if ((flags & ANY_LOSS) != 0 && Seq.le(from, lostFrom) && Seq.gt(upTo, lostFrom)) {
            if (Seq.ge(upTo, fields[f + SEQ] + fields[f + LEN])) {
                flags &= ~ANY_LOSS;
            } else {
                fields[f + LOST_FROM] = upTo;
            }
        }
        fields[f + FLAGS] = flags;
    }
}
