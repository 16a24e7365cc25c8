package io.jiip.tcp;

import io.jiip.api.Counter;
import io.jiip.iface.NetInterface;
import io.jiip.wire.TcpOptions;

/**
 * Loss detection and recovery: fast retransmit on three duplicate ACKs (RFC 5681 §3.2), then either NewReno
 * (RFC 6582: one hole per partial ACK) or, when SACK was negotiated, the conservative SACK-based recovery of
 * RFC 6675 (the scoreboard decides what is lost, {@code pipe} how much may be sent, NextSeg what). With RACK
 * (RFC 8985 §6, {@link RackLossDetection}) and SACK, RACK decides instead what is lost and when recovery starts;
 * {@code pipe} and NextSeg then follow its marks. The congestion controller only sizes the windows.
 */
final class LossRecovery<P> {
    /** RFC 8985 §7.2 WCDelAckT: the worst-case delayed-ACK time of the peer. */
    private static final long WORST_CASE_DELAYED_ACK = 200_000_000L;
    /**
     * Added to 2·SRTT when more than a segment is in flight (the peer then ACKs at once, RFC 5681 §4.2 / RFC 9293
     * §3.8.6.3): room for the peer's and our own scheduling on a microsecond path, as Linux's two ticks.
     */
    private static final long PTO_ALLOWANCE = 2_000_000L;

    private final TcpLayer<P> tcp;
    private final NetInterface<P> nif;
    private final RackLossDetection rack;
    private final SegmentPool segs;

    LossRecovery(TcpLayer<P> tcp) {
        this.tcp = tcp;
        this.nif = tcp.nif;
        this.rack = tcp.rack;
        this.segs = tcp.segs;
    }

    /** Feeds the SACK blocks of the current segment to the scoreboard; {@code true} if any newly SACKed data. */
    boolean recordSack(TcpConnection<P> c, TcpOptions o) {
        if (!c.sackPermitted || o.sackBlocks == 0) {
            return false;
        }
        boolean fresh = false;
        for (int b = 0; b < o.sackBlocks; b++) {
            int left = o.sackLeft[b];
            int right = o.sackRight[b];
            if (c.scoreboard.add(left, right, c.sndUna, c.sndMax)) {
                fresh = true;
                if (c.rack) {
                    // RACK counts delivery per descriptor: one starts and one ends where the block does.
                    segs.splitAt(c, Seq.max(left, c.sndUna), tcp.ops);
                    segs.splitAt(c, right, tcp.ops);
                }
            }
        }
        c.sacked = c.scoreboard.ranges() > 0;
        return fresh;
    }

    /**
     * Whether RACK takes part in this ACK (RFC 8985 §6.2): only when it carries or clears SACK information, during
     * recovery, or with the reordering timer armed. If so, the reordering it shows is noted now, before the
     * scoreboard takes it in ({@link RackLossDetection#detectReordering}); {@link #rackOnAck} follows.
     *
     * @param ackedFrom SND.UNA before the ACK
     * @param hadSacked the scoreboard holds ranges
     */
    boolean rackBeforeAck(TcpConnection<P> c, int ackedFrom, int ack, boolean hadSacked, TcpOptions o) {
        if (!c.rack || !(hadSacked || o.sackBlocks > 0 || c.inRecovery || c.rtoRecovery
                || c.rackAt != Long.MAX_VALUE)) {
            return false;
        }
        rack.detectReordering(c, ackedFrom, ack, o);
        return true;
    }

    /**
     * RACK's part of an ACK the scoreboard took in, before {@link #onAdvance} or {@link #onDuplicate}.
     *
     * @return whether RACK deems any segment lost; then {@link #onRackLoss} follows the ACK's processing
     */
    boolean rackOnAck(TcpConnection<P> c, int ack, TcpOptions o) {
        return rack.onAck(c, ack, o, nif.now());
    }

    /**
     * RACK deems a segment lost: fast recovery starts (RFC 8985 §6.2 step 5 in place of DupThresh), unless what
     * was outstanding at the last retransmission timeout is not all acknowledged yet: the recovery that follows a
     * timeout repairs RACK's marks itself ({@link #sackTransmit}), within the window the timeout left. The
     * scoreboard tells which segments are missing, so the careful rule of RFC 6582 §3.2 step 1 (the ACK must pass
     * "recover") is not needed: a loss right at the recovery point starts recovery too.
     */
    void onRackLoss(TcpConnection<P> c) {
        if (!c.inRecovery && Seq.ge(c.sndUna, c.recover)) {
            enter(c);
        }
    }

    /** The reordering timer fired (RFC 8985 §6.2 step 5): detect losses again, and repair them. */
    void reorderingTimeout(TcpConnection<P> c) {
        if (!c.rack || c.sndMax == c.sndUna || !c.state.isSynchronized()) {
            return;
        }
        if (rack.detectLoss(c, nif.now())) {
            onRackLoss(c);
            tcp.output.output(c, true);
        }
    }

    /** The cumulative ACK advanced by {@code acked} bytes ({@code dataAcked} of them data). */
    void onAdvance(TcpConnection<P> c, int acked, int dataAcked, int flightBefore) {
        c.dupAcks = 0;
        if (!c.inRecovery) {
            if (c.rack && Seq.lt(c.sndUna - acked, c.recover) && Seq.ge(c.sndUna, c.recover)) {
                c.rtoRecovery = false;
                RackLossDetection.onRecoveryExit(c); // what a retransmission timeout left outstanding is through
            }
            if (!c.appLimited) {
                c.cc.onAck(dataAcked, flightBefore, nif.now(), c.srtt);
            }
            if (Seq.lt(c.recover + (1 << 30), c.sndUna)) {
                c.recover = c.sndUna - 1; // keep "recover" within comparing distance on long transfers
            }
            return;
        }
        if (Seq.ge(c.sndUna, c.recover)) {
            c.inRecovery = false; // RFC 6582 §3.2 step 6 / RFC 6675 §5: the recovery point is acknowledged
            c.cc.onExitRecovery(c.inFlight(), nif.now());
            if (c.rack) {
                RackLossDetection.onRecoveryExit(c);
            }
            return;
        }
        if (!c.sackPermitted) {
            c.cc.onPartialAck(acked); // RFC 6582 §3.2 step 5: the next hole is lost too, retransmit it now
            retransmitFirst(c);
        } else {
            c.partialAck = true;
        }
        if (Seq.lt(c.highRxt, c.sndUna)) {
            c.highRxt = c.sndUna;
        }
    }

    /** A duplicate ACK (RFC 5681 §2, or RFC 6675 §2 when it newly SACKs data). */
    void onDuplicate(TcpConnection<P> c) {
        c.dupAcks++;
        if (!c.inRecovery && !c.rack) { // with RACK, its marks start recovery (onRackLoss)
            boolean lost = c.dupAcks >= SackScoreboard.DUP_THRESH
                    || c.sackPermitted && c.scoreboard.isLost(c.sndUna, c.mss); // RFC 6675 §5 step 1
            if (lost && Seq.gt(c.sndUna, c.recover)) { // RFC 6582 §3.2 step 1: not within the last recovery
                enter(c);
            }
        } else if (!c.sackPermitted) {
            c.cc.onDupAckInRecovery(); // RFC 5681 §3.2 step 4: inflate for the segment that left
        }
    }

    private void enter(TcpConnection<P> c) {
        nif.stats.inc(Counter.TCP_FAST_RETRANSMITS);
        c.inRecovery = true;
        c.recover = c.sndMax;
        c.highRxt = c.sndUna;
        c.rescueDone = false;
        c.cc.onEnterRecovery(c.inFlight(), nif.now());
        retransmitFirst(c);
    }

    private void retransmitFirst(TcpConnection<P> c) {
        if (c.rack && rack.findLost(c)) {
            retransmitLost(c); // RFC 6675 §5 step 4.3 / RFC 8985 §6.3: the first segment deemed lost
            return;
        }
        int len = Math.min(c.mss, c.sendEnd() - c.sndUna);
        if (len > 0) {
            tcp.output.sendData(c, c.sndUna, len, finFollows(c, c.sndUna + len));
            c.highRxt = Seq.max(c.highRxt, c.sndUna + len);
        } else if (c.finQueued && c.sndUna == c.finSeq) {
            tcp.output.sendData(c, c.sndUna, 0, true);
        }
    }

    /**
     * Tail loss probe (RFC 8985 §7.2): when data is outstanding outside recovery, schedule a probe two smoothed
     * RTTs out (plus a delayed-ACK allowance when a single segment is in flight), and never after the RTO.
     */
    void armTailLossProbe(TcpConnection<P> c) {
        if (c.inRecovery || c.rtoRecovery || c.tlpProbing || c.sndMax == c.sndUna || !c.rttSampled
                || !c.state.isSynchronized()) {
            return;
        }
        // RFC 8985 §7.2: 2·SRTT, plus the peer's worst-case delayed ACK when a single segment is in flight (its
        // ACK may be delayed), else a small allowance for scheduling; no floor beyond that, so a microsecond
        // path probes within microseconds plus the allowance, not after a fixed 10 ms.
        long pto = 2 * c.srtt + (c.inFlight() <= c.mss ? WORST_CASE_DELAYED_ACK : PTO_ALLOWANCE);
        // PTO = min(PTO, RTO) (RFC 8985 §7.2): a probe comes first even when the RTO is the nearer deadline, so
        // a lost tail costs a probe rather than the collapse of the window.
        c.tlpAt = Math.min(nif.now() + pto, c.rtoAt); // a tie goes to the probe
    }

    /**
     * The probe timer fired (RFC 8985 §7.3): send one new segment if the windows allow, else retransmit the last
     * one sent, so that its ACK (with SACK) reveals a lost tail without waiting for the RTO.
     */
    void tailLossProbe(TcpConnection<P> c) {
        if (c.inRecovery || c.rtoRecovery || c.sndMax == c.sndUna || !c.state.isSynchronized()) {
            return;
        }
        c.tlpProbing = true;
        nif.stats.inc(Counter.TCP_TLP_PROBES);
        int end = c.sendEnd();
        int unsent = Seq.lt(c.sndNxt, end) ? end - c.sndNxt : 0;
        int usable = c.sndWnd - (c.sndNxt - c.sndUna);
        if (unsent > 0 && usable > 0 && c.sndNxt == c.sndMax) {
            int len = Math.min(Math.min(unsent, c.mss), usable);
            tcp.output.sendData(c, c.sndNxt, len, c.finQueued && len == unsent);
        } else {
            boolean finSent = c.finQueued && Seq.gt(c.sndMax, c.finSeq);
            int dataEnd = finSent ? c.finSeq : c.sndMax;
            int from = Seq.max(c.sndUna, dataEnd - c.mss);
            tcp.output.sendData(c, from, dataEnd - from, finSent);
        }
        c.rtoAt = nif.now() + c.rto; // RFC 8985 §7.3: the RTO is re-armed after the probe
    }

    /**
     * A retransmission timeout (RFC 6298 §5.4 to 5.6; the window collapse of RFC 5681 §3.1 is the controller's)
     * ends fast recovery; what was outstanding becomes the new recovery point (RFC 6582 §4, RFC 6675 §5.1).
     *
     * <p>With RACK, the SACK information stays (RFC 8985 §6.3, as Linux): a receiver that reneged shows it by
     * holding SACKed data at SND.UNA, and only then is it forgotten (RFC 2018 §8). RACK marks lost the first
     * outstanding segment and every one sent at least RACK.rtt + RACK.reo_wnd ago, and the recovery that follows
     * ({@link #retransmitAfterTimeout}, then {@link #sackTransmit} on each ACK) retransmits what is marked, within a
     * window that starts at one segment, skipping what the receiver holds; a lost retransmission is caught by
     * RACK's time rule like any other loss, instead of waiting for the next timeout.
     *
     * <p>Without RACK, the scoreboard is cleared (RFC 6675 §5.1) and the sender goes back to SND.UNA.
     */
    void onTimeout(TcpConnection<P> c) {
        c.cc.onTimeout(c.inFlight(), nif.now());
        c.inRecovery = false;
        c.recover = c.sndMax;
        c.dupAcks = 0;
        c.highRxt = c.sndUna;
        c.tlpAt = Long.MAX_VALUE;
        c.tlpProbing = false;
        c.rackAt = Long.MAX_VALUE;
        if (c.rack) {
            c.rtoRecovery = true;
            if (c.sacked && c.scoreboard.isSacked(c.sndUna)) {
                nif.stats.inc(Counter.TCP_SACK_RENEGING);
                forgetSacks(c);
                rack.forgetDelivered(c);
            }
            rack.markLostOnTimeout(c, nif.now());
            return;
        }
        // RACK.fack goes with the scoreboard: blocks reported again are no news of reordering.
        forgetSacks(c);
    }

    private static void forgetSacks(TcpConnection<?> c) {
        c.scoreboard.clear();
        c.sacked = false;
        c.rackFack = c.sndUna;
    }

    /**
     * The first retransmission after a timeout, with RACK: the first segment {@link #onTimeout} marked lost.
     *
     * @return {@code false} when RACK has nothing to retransmit (only a FIN is outstanding, or no descriptor could
     *     be sent): the caller then goes back to SND.UNA
     */
    boolean retransmitAfterTimeout(TcpConnection<P> c) {
        return c.rack && rack.findLost(c) && retransmitLost(c);
    }

    /**
     * RFC 6675 §5 step 4: while the window (ssthresh during recovery) exceeds {@code pipe} by an MSS, send what
     * NextSeg picks: a lost hole, new data, then any hole.
     */
    void sackTransmit(TcpConnection<P> c) {
        try {
            sackTransmitLoop(c);
        } finally {
            c.partialAck = false;
        }
    }

    private void sackTransmitLoop(TcpConnection<P> c) {
        for (int guard = 0; guard < 1024; guard++) {
            int pipe = c.rack ? rack.pipe(c) : c.scoreboard.pipe(c.sndUna, c.sndMax, c.highRxt, c.mss);
            // In fast recovery the window is ssthresh (RFC 6675 §5 step 4); after a timeout it is the congestion
            // window, which slow start grows again from one segment (RFC 5681 §3.1).
            int window = c.rtoRecovery ? c.cwnd : c.cc.ssthresh();
            if (window - pipe < c.mss && !(pipe == 0 && window > 0)) {
                return;
            }
            int end = c.sendEnd();
            int highestSacked = c.scoreboard.highestSacked(c.sndUna);
            int hole = c.scoreboard.nextHole(Seq.max(c.highRxt, c.sndUna));
            if (c.rack) {
                if (rack.findLost(c)) {
                    if (!retransmitLost(c)) {
                        return;
                    }
                    continue; // rule 1: what RACK deems lost, retransmissions included
                }
            } else if (Seq.lt(hole, highestSacked) && Seq.lt(hole, end) && c.scoreboard.isLost(hole, c.mss)) {
                if (!retransmitHole(c, hole, end)) {
                    return;
                }
                continue; // rule 1: a lost hole
            }
            int unsent = Seq.lt(c.sndNxt, end) ? end - c.sndNxt : 0;
            int usable = c.sndWnd - (c.sndNxt - c.sndUna);
            if (unsent > 0 && usable > 0) {
                int len = Math.min(Math.min(unsent, c.mss), usable);
                if (!tcp.output.sendData(c, c.sndNxt, len, c.finQueued && len == unsent)) {
                    return;
                }
                continue; // rule 2: new data
            }
            // Rule 3, a hole not deemed lost, only without RACK: RACK's reordering timer decides when it is.
            if (!c.rack && Seq.lt(hole, highestSacked) && Seq.lt(hole, end)) {
                if (!retransmitHole(c, hole, end)) {
                    return;
                }
                continue; // rule 3: a hole not yet deemed lost
            }
            if (c.partialAck && c.inRecovery) {
                rescue(c, end); // only when the cumulative ACK moved: the tail is then known to be missing
            }
            return;
        }
    }

    /**
     * NextSeg rule 4 (RFC 6675 §4): once per recovery, retransmit the highest outstanding unSACKed segment, the
     * loss no duplicate ACK can reveal (a lost tail).
     */
    private void rescue(TcpConnection<P> c, int end) {
        if (c.rescueDone && !Seq.gt(c.sndUna, c.rescueRxt)) {
            return;
        }
        int top = Seq.min(c.recover, end);
        // Rule 4 applies to an unSACKed sequence number above HighRxt: a tail already retransmitted is not rescued.
        if (c.scoreboard.isSacked(top - 1) || !Seq.gt(top, c.sndUna) || !Seq.lt(c.highRxt, top)) {
            return;
        }
        int from = Seq.max(c.sndUna, top - c.mss);
        if (tcp.output.sendData(c, from, top - from, false)) {
            c.rescueDone = true;
            c.rescueRxt = c.recover;
        }
    }

    /** Retransmits what {@link RackLossDetection#findLost} chose. */
    private boolean retransmitLost(TcpConnection<P> c) {
        int seq = rack.lostSeq;
        int len = rack.lostLen;
        if (!tcp.output.sendData(c, seq, len, finFollows(c, seq + len))) {
            return false;
        }
        c.highRxt = Seq.max(c.highRxt, seq + len);
        return true;
    }

    /**
     * A retransmission that ends at {@code end} carries our FIN again when the FIN was sent right behind those bytes:
     * the FIN takes sequence space (RFC 9293 §3.4) and was sent no later than them, so what found them lost finds it
     * lost too, and no descriptor records it on its own.
     */
    private static boolean finFollows(TcpConnection<?> c, int end) {
        return c.finQueued && end == c.finSeq && Seq.gt(c.sndMax, c.finSeq);
    }

    private boolean retransmitHole(TcpConnection<P> c, int hole, int end) {
        int holeEnd = c.scoreboard.nextSackedFrom(hole);
        int len = Math.min(c.mss, Math.min(holeEnd, end) - hole);
        if (len <= 0 || !tcp.output.sendData(c, hole, len, finFollows(c, hole + len))) {
            return false;
        }
        c.highRxt = hole + len;
        return true;
    }
}
