package io.jiip.tcp;

import io.jiip.wire.TcpOptions;

/**
 * RACK, the time-based loss detection of RFC 8985 §6: a segment is deemed lost once a segment sent sufficiently
 * later (one round-trip time plus a reordering window) was delivered. Unlike the DupThresh count of RFC 6675 it
 * works for small flights and for retransmissions, which get a fresh transmission time (a lost retransmission is
 * detected again), and its window adapts to reordering.
 *
 * <p>The "segments" of RFC 8985 are the send-queue descriptors of {@link SegmentPool} (one per application
 * packet), which carry the transmission time, the retransmitted, lost and delivered flags. A descriptor counts as
 * delivered once all its bytes are cumulatively or selectively acknowledged, and its lost bytes are retransmitted
 * in order ({@link SegmentPool#lostFrom}). Per-connection state is in {@link TcpConnection} ({@code rack*}).
 *
 * <p>The state is touched only by ACKs that carry or clear SACK information, during recovery and by the
 * reordering timer: an ACK that only moves the cumulative acknowledgment cannot reveal a loss (everything sent
 * before what it acknowledges is acknowledged too), so the loss-free path stays as cheap as without RACK.
 */
final class RackLossDetection {
    /** RFC 8985 §6.2 step 1: how long a minimum RTT sample is remembered (as Linux's tcp_min_rtt_wlen). */
    static final long MIN_RTT_WINDOW = 300_000_000_000L;
    /**
     * RFC 8985 §6.2 step 2: a retransmission's ACK is taken for the original's only when it comes back more than
     * min_RTT / 2^shift (an eighth) under min_RTT, the estimate's allowance for receiver batching in its samples.
     */
    static final int MIN_RTT_SLACK_SHIFT = 3;
    /** RFC 8985 §6.2 step 4: recoveries without a D-SACK after which the reordering window shrinks back. */
    static final int REO_WND_PERSIST = 16;
    /** A bound on RACK.reo_wnd_mult; the window never exceeds SRTT anyway. */
    static final int MAX_REO_WND_MULT = 64;

    private final SegmentPool segs;
    /** The last transmission time handed out by {@link #transmissionTime}. */
    private long lastTransmission = Long.MIN_VALUE;

    /** The bytes {@link #findLost} chose to retransmit. */
    int lostSeq;
    int lostLen;

    RackLossDetection(SegmentPool segs) {
        this.segs = segs;
    }

    /**
     * Segment.xmit_ts for a transmission at {@code now}: the clock, but strictly later than every earlier
     * transmission of this context. The clock is read once per run, so a burst shares one reading; RFC 8985 then
     * breaks ties by sequence number, which puts a retransmission before the higher segments sent earlier in the
     * same run, and a lost retransmission would be "detected" by their SACKs at once. Distinct times keep the
     * order of transmission, at the cost of running a few nanoseconds ahead of the clock during a burst.
     */
    long transmissionTime(long now) {
        long t = Math.max(now, lastTransmission + 1);
        lastTransmission = t;
        return t;
    }

    /** RFC 8985 §6.2 step 1: RACK.min_RTT, the smallest RTT sample of the last {@link #MIN_RTT_WINDOW}. */
    static void sampleMinRtt(TcpConnection<?> c, long rtt, long now) {
        long sample = Math.max(1, rtt);
        if (c.rackMinRtt == 0 || sample <= c.rackMinRtt || now - c.rackMinRttAt > MIN_RTT_WINDOW) {
            c.rackMinRtt = sample;
            c.rackMinRttAt = now;
        }
    }

    /**
     * RFC 2883 §4: the first SACK block of an ACK reports a duplicate segment (D-SACK) when it lies at or below the
     * cumulative acknowledgment {@code ack}, or within the second block.
     */
    static boolean hasDsack(TcpOptions o, int ack) {
        if (o.sackBlocks == 0 || !Seq.lt(o.sackLeft[0], o.sackRight[0])) {
            return false;
        }
        if (Seq.le(o.sackRight[0], ack)) {
            return true;
        }
        return o.sackBlocks > 1 && Seq.ge(o.sackLeft[0], o.sackLeft[1]) && Seq.le(o.sackRight[0], o.sackRight[1]);
    }

    /** RFC 8985 §6.2: segment 1 (sent at {@code t1}, ending at {@code end1}) was sent after segment 2. */
    static boolean sentAfter(long t1, int end1, long t2, int end2) {
        return t1 > t2 || t1 == t2 && Seq.gt(end1, end2);
    }

    /** Fast recovery, or the data outstanding at a retransmission timeout is not all acknowledged yet. */
    static boolean inRecovery(TcpConnection<?> c) {
        return c.inRecovery || Seq.lt(c.sndUna, c.recover); // the second covers rtoRecovery
    }

    /**
     * Processes an ACK (RFC 8985 §6.2 steps 2, 4 and 5; step 3 is {@link #detectReordering}): notes the segments it
     * newly delivers and the D-SACK it may carry, then marks losses and arms the reordering timer.
     * {@code c.sndUna}, the scoreboard and {@code c.sacked} already reflect the ACK.
     *
     * @return whether any segment is deemed lost (and not yet retransmitted)
     */
    boolean onAck(TcpConnection<?> c, int ack, TcpOptions o, long now) {
        updateDelivered(c, o, now);
        updateReorderingWindow(c, hasDsack(o, ack));
        return detectLoss(c, now);
    }

    /**
     * RFC 8985 §6.2 step 3, byte by byte: bytes of a segment never retransmitted that this ACK delivers below the
     * highest byte delivered before it (RACK.fack) arrived out of order. Bytes, not whole descriptors, so that a
     * segment overtaken by others of the same application packet counts too. Called before the scoreboard takes
     * the ACK in, as the scoreboard then tells what was delivered before; moves RACK.fack up.
     *
     * <p>Only evidence of a late arrival counts: the first SACK block, which holds the segment that triggered the
     * ACK (RFC 2018 §4), and a cumulative advance that acknowledges no retransmitted data. Other blocks, and the
     * cumulative ACK after a retransmission filled a hole, may reveal data SACKed long before in blocks a receiver
     * with more holes than blocks did not report (or in ACKs that were lost).
     *
     * @param ackedFrom SND.UNA before the ACK
     * @param ack the ACK's cumulative acknowledgment (below {@code ackedFrom} for an old ACK)
     */
    void detectReordering(TcpConnection<?> c, int ackedFrom, int ack, TcpOptions o) {
        if (!Seq.inWindow(c.rackFack, ackedFrom, c.sndMax - ackedFrom + 1)) {
            c.rackFack = ackedFrom; // not kept up while nothing was SACKed: nothing above SND.UNA was delivered
        }
        int fack = c.rackFack;
        int una = Seq.max(ackedFrom, ack);
        if (!c.rackReorderingSeen && Seq.lt(ackedFrom, una) && !retransmittedWithin(ackedFrom, una, c)
                && deliveredLate(c, ackedFrom, Seq.min(una, fack))) {
            c.rackReorderingSeen = true;
        }
        int highest = Seq.max(fack, una);
        for (int b = 0; b < o.sackBlocks; b++) {
            int left = Seq.max(o.sackLeft[b], una);
            int right = o.sackRight[b];
            if (!Seq.lt(left, right) || Seq.gt(right, c.sndMax)) {
                continue; // a D-SACK, or bogus
            }
            if (b == 0 && !c.rackReorderingSeen && deliveredLate(c, left, Seq.min(right, fack))) {
                c.rackReorderingSeen = true;
            }
            highest = Seq.max(highest, right);
        }
        c.rackFack = highest;
    }

    /** Some descriptor with bytes in {@code [from, to)} was retransmitted. */
    private boolean retransmittedWithin(int from, int to, TcpConnection<?> c) {
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), to); d = segs.next(d)) {
            if (Seq.gt(segs.end(d), from) && (segs.flags(d) & SegmentPool.RETRANSMITTED) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Bytes of {@code [from, to)} not SACKed before belong to a descriptor never retransmitted. */
    private boolean deliveredLate(TcpConnection<?> c, int from, int to) {
        if (!Seq.lt(from, to) || to - from <= c.scoreboard.sackedWithin(from, to)) {
            return false;
        }
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), to); d = segs.next(d)) {
            int l = Seq.max(segs.seq(d), from);
            int r = Seq.min(segs.end(d), to);
            if (Seq.lt(l, r) && (segs.flags(d) & SegmentPool.RETRANSMITTED) == 0
                    && r - l > c.scoreboard.sackedWithin(l, r)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 8985 §6.2 step 2: among the segments this ACK delivers whose RTT sample is unambiguous, the most recently
     * sent one becomes RACK.xmit_ts/end_seq, with its RTT as RACK.rtt.
     */
    private void updateDelivered(TcpConnection<?> c, TcpOptions o, long now) {
        int una = c.sndUna;
        int limit = una; // a segment this ACK delivers ends at or below the cumulative ACK or in one of its blocks
        for (int b = 0; b < o.sackBlocks; b++) {
            int right = o.sackRight[b];
            if (Seq.gt(right, limit) && Seq.le(right, c.sndMax)) {
                limit = right;
            }
        }
        boolean echo = c.timestamps && o.timestamps && o.tsEcr != 0;
        boolean found = false;
        long newestSent = 0;
        int newestEnd = 0;
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), limit); d = segs.next(d)) {
            int flags = segs.flags(d);
            if ((flags & SegmentPool.DELIVERED) != 0) {
                continue;
            }
            int end = segs.end(d);
            if (Seq.gt(end, una) && !c.scoreboard.covers(Seq.max(segs.seq(d), una), end)) {
                continue;
            }
            segs.flags(d, flags | SegmentPool.DELIVERED);
            boolean retransmitted = (flags & SegmentPool.RETRANSMITTED) != 0;
            long sent = segs.sentAt(d);
            long rtt = now - sent;
            // RFC 8985 §6.2 step 2: a retransmitted segment's ACK may answer an earlier transmission. Ignore it if
            // it came back faster than any round trip, or, when the cumulative ACK delivered it, if the echoed
            // timestamp predates the retransmission. A receiver echoes the timestamp of in-order data only
            // (RFC 7323 §4.3), so the echo of an ACK that SACKs a retransmission (a tail loss probe beyond a hole)
            // is older than it whichever transmission arrived: it tells nothing there. "Faster than any round trip"
            // allows for min_RTT's own excess: its samples come from flights, whose ACKs wait for the receiver's
            // batching (LRO, every second segment), so a lone probe can come back a few per cent under it; taken
            // for the original's ACK, the probe's SACK would teach RACK nothing and the RTO would follow.
            boolean cumulative = Seq.le(end, una);
            if (retransmitted && (echo && cumulative && Seq.lt(o.tsEcr, TcpOutput.tsVal(c, sent))
                    || rtt < c.rackMinRtt - (c.rackMinRtt >> MIN_RTT_SLACK_SHIFT))) {
                continue;
            }
            if (!retransmitted) {
                sampleMinRtt(c, rtt, now); // RFC 8985 §6.2 step 1: an unambiguous sample
            }
            if (!found || sentAfter(sent, end, newestSent, newestEnd)) {
                found = true;
                newestSent = sent;
                newestEnd = end;
            }
        }
        if (found) {
            c.rackRtt = now - newestSent;
            if (!c.rackHasReference || sentAfter(newestSent, newestEnd, c.rackXmitTs, c.rackEndSeq)) {
                c.rackXmitTs = newestSent;
                c.rackEndSeq = newestEnd;
                c.rackHasReference = true;
            }
        }
    }

    /**
     * RFC 8985 §6.2 step 4: a D-SACK shows a spurious retransmission, so the window grows by a quarter of the
     * minimum RTT, at most once per round trip, and stays grown for {@link #REO_WND_PERSIST} recoveries. It does
     * not by itself count as reordering seen (step 3 decides that): tail loss probes, timeouts and lost ACKs make
     * needless retransmissions too, and taking each for reordering would turn DupThresh off for good.
     */
    private static void updateReorderingWindow(TcpConnection<?> c, boolean dsack) {
        if (c.rackDsackRoundActive && (Seq.ge(c.sndUna, c.rackDsackRound) || Seq.gt(c.rackDsackRound, c.sndMax))) {
            c.rackDsackRoundActive = false;
        }
        if (dsack) {
            if (!c.rackDsackRoundActive) {
                c.rackDsackRoundActive = true;
                c.rackDsackRound = c.sndMax; // RFC 8985 SND.NXT: the next new byte
                c.rackReoWndMult = Math.min(MAX_REO_WND_MULT, c.rackReoWndMult + 1);
                c.rackReoWndPersist = REO_WND_PERSIST;
            }
        }
    }

    /** RFC 8985 §6.2 step 4: leaving fast or RTO recovery; the grown window decays after 16 of them. */
    static void onRecoveryExit(TcpConnection<?> c) {
        c.rackReoWndPersist = Math.max(0, c.rackReoWndPersist - 1);
        if (c.rackReoWndPersist == 0) {
            c.rackReoWndMult = 1;
        }
    }

    /**
     * RFC 8985 §6.2 step 4, RACK.reo_wnd: none while no reordering was seen and the sender is in recovery or
     * DupThresh segments were SACKed (losses are then repaired as promptly as by DupThresh); otherwise a quarter of
     * the minimum RTT times RACK.reo_wnd_mult, bounded by SRTT.
     */
    static long reorderingWindow(TcpConnection<?> c) {
        if (!c.rackReorderingSeen && (inRecovery(c) || c.scoreboard.ranges() >= SackScoreboard.DUP_THRESH
                || c.scoreboard.sackedBytes() >= SackScoreboard.DUP_THRESH * c.mss)) {
            return 0;
        }
        return Math.min(c.rackReoWndMult * c.rackMinRtt / 4, c.srtt);
    }

    /**
     * RFC 8985 §6.2 step 5: every outstanding segment sent RACK.rtt + RACK.reo_wnd or longer before the most
     * recently sent delivered one is lost; for the others sent before it the reordering timer is armed
     * ({@code c.rackAt}) for when the last of them would be. While no reordering was seen, bytes not retransmitted
     * in the current recovery are also lost by the DupThresh rule of RFC 6675 (IsLost), which RFC 8985 keeps for
     * that case; it also covers losses followed only by bytes of the same descriptor.
     *
     * @return whether any bytes are deemed lost (and not yet retransmitted)
     */
    boolean detectLoss(TcpConnection<?> c, long now) {
        long window = reorderingWindow(c);
        int una = c.sndUna;
        boolean dupThresh = !c.rackReorderingSeen && c.sacked;
        int lostBelow = dupThresh ? c.scoreboard.lostBelow(una, c.mss) : una;
        // RFC 6675 NextSeg: in recovery, holes below HighRxt were retransmitted already; only the time rule can
        // tell whether those retransmissions were lost.
        int countFrom = c.inRecovery || c.rtoRecovery ? Seq.max(una, c.highRxt) : una;
        long timeout = 0;
        boolean lost = false;
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), c.sndMax); d = segs.next(d)) {
            int flags = segs.flags(d);
            if ((flags & SegmentPool.DELIVERED) != 0) {
                continue;
            }
            if ((flags & SegmentPool.LOST) != 0) {
                lost = true;
                continue;
            }
            int end = segs.end(d);
            if (Seq.le(end, una)) {
                continue;
            }
            long sent = segs.sentAt(d);
            if (c.rackHasReference && sentAfter(c.rackXmitTs, c.rackEndSeq, sent, end)) {
                long remaining = sent + c.rackRtt + window - now;
                if (remaining <= 0) {
                    segs.markLost(d);
                    lost = true;
                    continue;
                }
                timeout = Math.max(timeout, remaining);
            }
            int hole = c.scoreboard.nextHole(Seq.max(segs.seq(d), countFrom));
            boolean holeLost = Seq.lt(hole, end) && Seq.lt(hole, lostBelow);
            if ((flags & SegmentPool.LOST_BY_COUNT) == 0) {
                if (holeLost) {
                    segs.markLostByCount(d, hole);
                    lost = true;
                }
                continue;
            }
            if (holeLost && Seq.lt(hole, segs.lostFrom(d))) {
                segs.lostFrom(d, hole); // a retransmission from before this recovery is lost by the count too
            }
            lost |= Seq.lt(c.scoreboard.nextHole(Seq.max(segs.lostFrom(d), una)), lostBelow);
        }
        c.rackAt = timeout > 0 ? now + timeout : Long.MAX_VALUE;
        return lost;
    }

    /**
     * RFC 8985 §6.3, on a retransmission timeout: the first outstanding segment not known delivered is lost (it was
     * sent an RTO ago), and so is every other one sent at least RACK.rtt + RACK.reo_wnd ago (SRTT before RACK has
     * a sample); the rest was sent too recently to tell, and RACK's time rule decides on them as ACKs come.
     */
    void markLostOnTimeout(TcpConnection<?> c, long now) {
        long window = (c.rackHasReference ? c.rackRtt : c.srtt) + reorderingWindow(c);
        boolean first = true;
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), c.sndMax); d = segs.next(d)) {
            int end = segs.end(d);
            if ((segs.flags(d) & SegmentPool.DELIVERED) != 0 || Seq.le(end, c.sndUna)
                    || c.scoreboard.covers(Seq.max(segs.seq(d), c.sndUna), end)) {
                continue;
            }
            if (first || now - segs.sentAt(d) >= window) {
                segs.markLost(d);
            }
            first = false;
        }
    }

    /** The receiver reneged (RFC 2018 §8): nothing above SND.UNA counts as delivered any more. */
    void forgetDelivered(TcpConnection<?> c) {
        for (int d = c.sendHead; d != SegmentPool.NONE; d = segs.next(d)) {
            segs.flags(d, segs.flags(d) & ~SegmentPool.DELIVERED);
        }
    }

    /**
     * NextSeg rule 1 with RACK (RFC 8985 §6.3, RFC 6675 §4): the lowest lost bytes not yet retransmitted, up to an
     * MSS and never across SACKed data, into {@link #lostSeq} and {@link #lostLen}.
     *
     * @return {@code false} when nothing is left to retransmit
     */
    boolean findLost(TcpConnection<?> c) {
        int dataEnd = Seq.min(c.sndMax, c.sendEnd());
        int lostBelow = c.sacked ? c.scoreboard.lostBelow(c.sndUna, c.mss) : c.sndUna;
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), dataEnd); d = segs.next(d)) {
            int flags = segs.flags(d);
            if ((flags & SegmentPool.ANY_LOSS) == 0 || (flags & SegmentPool.DELIVERED) != 0) {
                continue;
            }
            int end = Seq.min(segs.end(d), dataEnd);
            int from = c.scoreboard.nextHole(Seq.max(segs.lostFrom(d), c.sndUna));
            if (!Seq.lt(from, end)) {
                if (Seq.le(segs.end(d), dataEnd)) {
                    segs.flags(d, flags & ~SegmentPool.ANY_LOSS); // its lost bytes were SACKed meanwhile
                }
                continue;
            }
            if ((flags & SegmentPool.LOST) == 0 && !Seq.lt(from, lostBelow)) {
                continue; // the DupThresh rule does not (yet) reach these bytes
            }
            segs.lostFrom(d, from); // what lies before was acknowledged meanwhile
            int to = Seq.min(end, c.scoreboard.nextSackedFrom(from));
            // Fill the segment from the wholly lost descriptors that follow, as long as the bytes are contiguous.
            for (int n = segs.next(d); to - from < c.mss && to == segs.end(d) && n != SegmentPool.NONE
                    && isLostAt(c, n, to, lostBelow) && Seq.lt(to, dataEnd); n = segs.next(n)) {
                d = n;
                to = Seq.min(Seq.min(segs.end(n), dataEnd), c.scoreboard.nextSackedFrom(to));
            }
            lostSeq = from;
            lostLen = Math.min(c.mss, to - from);
            return true;
        }
        return false;
    }

    /** Descriptor {@code d}, not delivered, is lost from its first lost byte {@code seq} on, not yet resent. */
    private boolean isLostAt(TcpConnection<?> c, int d, int seq, int lostBelow) {
        int flags = segs.flags(d);
        if ((flags & SegmentPool.DELIVERED) != 0 || segs.lostFrom(d) != seq) {
            return false;
        }
        return (flags & SegmentPool.LOST) != 0 || (flags & SegmentPool.LOST_BY_COUNT) != 0 && Seq.lt(seq, lostBelow);
    }

    /**
     * RFC 6675 §4 SetPipe with RACK's losses: the unSACKed bytes outstanding, less those deemed lost and not
     * retransmitted since (a retransmission is then in flight instead of the original).
     */
    int pipe(TcpConnection<?> c) {
        int una = c.sndUna;
        int dataEnd = Seq.min(c.sndMax, c.sendEnd());
        int lostBelow = c.sacked ? c.scoreboard.lostBelow(una, c.mss) : una;
        int pipe = 0;
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.lt(segs.seq(d), dataEnd); d = segs.next(d)) {
            int flags = segs.flags(d);
            if ((flags & SegmentPool.DELIVERED) != 0) {
                continue;
            }
            int l = Seq.max(segs.seq(d), una);
            int r = Seq.min(segs.end(d), dataEnd);
            if (!Seq.lt(l, r)) {
                continue;
            }
            int inFlight = r - l - c.scoreboard.sackedWithin(l, r);
            if ((flags & SegmentPool.ANY_LOSS) != 0) {
                int lostFrom = Seq.max(segs.lostFrom(d), l);
                int lostTo = (flags & SegmentPool.LOST) != 0 ? r : Seq.min(r, lostBelow);
                if (Seq.lt(lostFrom, lostTo)) {
                    inFlight -= lostTo - lostFrom - c.scoreboard.sackedWithin(lostFrom, lostTo);
                }
            }
            pipe += inFlight;
        }
        return pipe;
    }
}
