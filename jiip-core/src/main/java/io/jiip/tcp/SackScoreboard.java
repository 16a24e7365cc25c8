package io.jiip.tcp;

/**
 * The sender's record of what the receiver has selectively acknowledged (RFC 2018), with the queries of the
 * conservative loss recovery of RFC 6675: {@link #isLost}, {@link #pipe} and the holes NextSeg walks.
 *
 * <p>Ranges are kept sorted, disjoint and above SND.UNA in two fixed arrays sized at construction; when a new
 * block would exceed the capacity the highest range is forgotten (it will be reported again, since receivers
 * repeat their most recent blocks). SACK information is advisory: data stays queued until the cumulative ACK
 * covers it, so a receiver that reneges (RFC 2018 §8) costs a retransmission, never data; the scoreboard is
 * cleared on a retransmission timeout (RFC 6675 §5.1).
 */
final class SackScoreboard {
    /** RFC 6675 §2: DupThresh. */
    static final int DUP_THRESH = 3;

    private final int[] left;
    private final int[] right;
    private int count;
    private int sackedBytes;

    SackScoreboard(int capacity) {
        this.left = new int[capacity];
        this.right = new int[capacity];
    }

    void clear() {
        count = 0;
        sackedBytes = 0;
    }

    int ranges() {
        return count;
    }

    int left(int i) {
        return left[i];
    }

    int right(int i) {
        return right[i];
    }

    /** Total bytes SACKed above SND.UNA. */
    int sackedBytes() {
        return sackedBytes;
    }

    /** The highest SACKed sequence number plus one, or {@code sndUna} with nothing SACKed. */
    int highestSacked(int sndUna) {
        return count == 0 ? sndUna : right[count - 1];
    }

    /**
     * Records a SACK block {@code [l, r)} reported with the cumulative ACK {@code sndUna} and the highest sequence
     * sent {@code sndMax}; ignores blocks that are empty, stale (D-SACK, RFC 2883) or beyond what was sent.
     *
     * @return {@code true} if the block added newly SACKed bytes
     */
    boolean add(int l, int r, int sndUna, int sndMax) {
        if (Seq.le(r, l) || Seq.gt(r, sndMax) || Seq.le(r, sndUna)) {
            return false; // empty, impossible, or a D-SACK / old block below the cumulative ACK
        }
        if (Seq.lt(l, sndUna)) {
            l = sndUna;
        }
        int before = sackedBytes;
        // Find the first range that ends at or after l (they may merge).
        int i = 0;
        while (i < count && Seq.lt(right[i], l)) {
            i++;
        }
        int j = i;
        int nl = l;
        int nr = r;
        while (j < count && Seq.le(left[j], nr)) {
            nl = Seq.min(nl, left[j]);
            nr = Seq.max(nr, right[j]);
            sackedBytes -= right[j] - left[j];
            j++;
        }
        int removed = j - i;
        if (removed == 0 && count == left.length) {
            if (i == count) {
                return false; // no room and it would be the highest range: forget it
            }
            count--; // drop the highest range to make room
            sackedBytes -= right[count] - left[count];
            if (j > count) {
                j = count;
            }
        }
        int shift = 1 - removed;
        if (shift != 0) {
            System.arraycopy(left, j, left, j + shift, count - j);
            System.arraycopy(right, j, right, j + shift, count - j);
        }
        left[i] = nl;
        right[i] = nr;
        count += shift;
        sackedBytes += nr - nl;
        return sackedBytes > before;
    }

    /** Forgets everything at or below the new cumulative ACK. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < count && Seq.le(right[drop], sndUna)) {
            sackedBytes -= right[drop] - left[drop];
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(left, drop, left, 0, count - drop);
            System.arraycopy(right, drop, right, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && Seq.lt(left[0], sndUna)) {
            sackedBytes -= sndUna - left[0];
            left[0] = sndUna;
        }
    }

    /** {@code true} when {@code seq} is inside a SACKed range. */
    boolean isSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.lt(seq, left[i])) {
                return false;
            }
            if (Seq.lt(seq, right[i])) {
                return true;
            }
        }
        return false;
    }

    /** {@code true} when one SACKed range holds all of {@code [l, r)}. */
    boolean covers(int l, int r) {
        for (int i = 0; i < count; i++) {
            if (Seq.lt(l, left[i])) {
                return false;
            }
            if (Seq.lt(l, right[i])) {
                return Seq.le(r, right[i]);
            }
        }
        return false;
    }

    /** SACKed bytes within {@code [l, r)}. */
    int sackedWithin(int l, int r) {
        int bytes = 0;
        for (int i = 0; i < count && Seq.lt(left[i], r); i++) {
            int from = Seq.max(left[i], l);
            int to = Seq.min(right[i], r);
            if (Seq.lt(from, to)) {
                bytes += to - from;
            }
        }
        return bytes;
    }

    /**
     * RFC 6675 §4 IsLost(seq): DupThresh discontiguous SACKed ranges above it, or more than (DupThresh - 1) × MSS
     * bytes SACKed above it.
     */
    boolean isLost(int seq, int mss) {
        int ranges = 0;
        int bytes = 0;
        for (int i = count - 1; i >= 0 && Seq.gt(right[i], seq); i--) {
            ranges++;
            bytes += right[i] - Seq.max(left[i], seq + 1);
            if (ranges >= DUP_THRESH || bytes > (DUP_THRESH - 1) * mss) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 6675 §4 IsLost for every unSACKed byte at once: those below the returned sequence number are lost
     * (DupThresh discontiguous ranges, or more than (DupThresh - 1) × MSS bytes, SACKed above them), those above it
     * are not; {@code sndUna} when none is.
     */
    int lostBelow(int sndUna, int mss) {
        int bytes = 0;
        for (int i = count - 1; i >= 0; i--) {
            bytes += right[i] - left[i];
            if (count - i >= DUP_THRESH || bytes > (DUP_THRESH - 1) * mss) {
                return left[i];
            }
        }
        return sndUna;
    }

    /**
     * RFC 6675 §4 SetPipe: bytes believed in the network between {@code sndUna} and {@code sndMax}, in MSS steps:
     * every unSACKed segment not deemed lost counts once, every segment retransmitted (below {@code highRxt})
     * counts once more.
     */
    int pipe(int sndUna, int sndMax, int highRxt, int mss) {
        int pipe = 0;
        for (int s = sndUna; Seq.lt(s, sndMax); ) {
            int len = Math.min(mss, sndMax - s);
            int end = s + len;
            int next = nextRangeStart(s);
            if (isSacked(s)) {
                s = rangeEnd(s);
                continue;
            }
            if (next != s && Seq.lt(next, end)) {
                len = next - s; // stop at the start of a SACKed range
                end = next;
            }
            if (!isLost(s, mss)) {
                pipe += len;
            }
            if (Seq.lt(s, highRxt)) {
                pipe += len;
            }
            s = end;
        }
        return pipe;
    }

    private int nextRangeStart(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.ge(left[i], seq)) {
                return left[i];
            }
        }
        return seq;
    }

    private int rangeEnd(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.le(left[i], seq) && Seq.lt(seq, right[i])) {
                return right[i];
            }
        }
        return seq;
    }

    /**
     * The first byte at or after {@code from} that is not SACKed (the start of the next hole), or {@code from} if
     * it is not SACKed itself.
     */
    int nextHole(int from) {
        return isSacked(from) ? rangeEnd(from) : from;
    }

    /** The start of the first SACKed range at or above {@code seq}, or {@code seq + 2^30} when there is none. */
    int nextSackedFrom(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.gt(right[i], seq)) {
                return Seq.max(left[i], seq);
            }
        }
        return seq + (1 << 30);
    }
}
