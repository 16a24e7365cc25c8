package io.jiip.tcp;

import io.jiip.api.Counter;
import io.jiip.api.PacketOps;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpState;
import io.jiip.iface.NetInterface;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;

/**
 * "SEGMENT ARRIVES" of RFC 9293 §3.10.7 for existing connections, with the RFC 5961 protections (RST and SYN
 * only exactly at RCV.NXT, challenge ACKs, ACK acceptability) and PAWS (RFC 7323 §5); ACK processing (RTT samples,
 * window updates, the congestion controller) hands loss detection and repair to {@link LossRecovery} (RACK-TLP and
 * SACK, or NewReno by duplicate ACKs without SACK); received data is delivered in order through an out-of-order
 * queue.
 */
final class TcpInput<P> {
    private final TcpLayer<P> tcp;
    private final NetInterface<P> nif;
    private final PacketOps<P> ops;
    private final SegmentPool segs;
    private final Segment seg;

    TcpInput(TcpLayer<P> tcp) {
        this.tcp = tcp;
        this.nif = tcp.nif;
        this.ops = tcp.ops;
        this.segs = tcp.segs;
        this.seg = tcp.seg;
    }

    // ---- TIME-WAIT, RFC 9293 §3.10.7.4, answered from the 4-tuple's record (TimeWaitTable) ----

    /**
     * Processes the current segment for TIME-WAIT record {@code r}: the peer's FIN again is ACKed and restarts
     * 2 MSL; a RST exactly at RCV.NXT ends the record; a new SYN ends it when clearly newer (RFC 6191); anything
     * else but a bare ACK earns a rate-limited challenge ACK.
     *
     * @return {@code true} when a new SYN took the 4-tuple over: the caller hands it to the listener
     */
    boolean timeWaitArrives(int r) {
        Segment s = seg;
        TcpOptions o = s.options;
        TimeWaitTable tw = tcp.timeWait;
        int rcvNxt = tw.rcvNxt(r);
        if (s.has(TcpHeader.FLAG_RST)) {
            // RFC 5961 §3.2, as on a connection. A RST at RCV.NXT ends TIME-WAIT as RFC 9293 says (and Linux does by
            // default) rather than being ignored as RFC 1337 suggests: a blind attacker must hit RCV.NXT exactly,
            // and this RST is how a peer whose new SYN was refused below (it answers our ACK with a RST at its ACK
            // number, RFC 9293 §3.10.7.3) clears the way for its next SYN instead of waiting out 2 MSL.
            if (s.seq == rcvNxt) {
                nif.stats.inc(Counter.TCP_RESETS_RX);
                nif.stats.inc(Counter.TCP_TIME_WAIT_RESET);
                tw.remove(r);
            } else {
                nif.stats.inc(Counter.DROP_TCP_BAD_RST);
                if (Seq.inWindow(s.seq, rcvNxt, tw.rcvWindow(r))) {
                    tcp.timeWaitAck(r, false);
                }
            }
            return false;
        }
        boolean timestamps = tw.timestamps(r) && o.timestamps;
        if (s.has(TcpHeader.FLAG_SYN) && !s.has(TcpHeader.FLAG_ACK) && (timestamps
                ? Seq.gt(o.tsVal, tw.tsRecent(r)) || o.tsVal == tw.tsRecent(r) && Seq.gt(s.seq, rcvNxt)
                : Seq.gt(s.seq, rcvNxt))) {
            // RFC 6191 §2: newer than the old incarnation by its timestamp, or by its sequence number when the
            // timestamp is the same (the peer's clock did not tick) or absent.
            nif.stats.inc(Counter.TCP_TIME_WAIT_REOPENED);
            tw.remove(r);
            return true;
        }
        if (timestamps && Seq.lt(o.tsVal, tw.tsRecent(r))) {
            nif.stats.inc(Counter.DROP_TCP_PAWS); // RFC 7323 §5.3 R1: an old duplicate
            tcp.timeWaitAck(r, false);
            return false;
        }
        if (s.has(TcpHeader.FLAG_SYN)) {
            nif.stats.inc(Counter.DROP_TCP_BAD_SYN); // an old SYN, or a SYN-ACK (RFC 5961 §4.2)
            tcp.timeWaitAck(r, false);
            return false;
        }
        int end = s.seq + s.seqLength();
        if (s.has(TcpHeader.FLAG_FIN) && end == rcvNxt) {
            // The peer's FIN again: our ACK of it was lost. ACK it and wait 2 MSL from now.
            nif.stats.inc(Counter.DROP_TCP_DUPLICATE);
            if (timestamps) {
                tw.tsRecent(r, o.tsVal); // RFC 7323 §4.3: it is at or below Last.ACK.sent, and not older (PAWS)
            }
            tw.restart(r, nif.now() + 2 * tcp.cfg.mslNanos());
            tcp.timeWaitAck(r, true);
            return false;
        }
        if (s.seq == rcvNxt && s.seqLength() == 0 && s.has(TcpHeader.FLAG_ACK)) {
            return false; // a bare ACK at RCV.NXT: nothing to answer
        }
        nif.stats.inc(Seq.le(end, rcvNxt) ? Counter.DROP_TCP_DUPLICATE
                : Seq.inWindow(s.seq, rcvNxt, tw.rcvWindow(r)) ? Counter.DROP_TCP_STATE
                : Counter.DROP_TCP_OUT_OF_WINDOW);
        tcp.timeWaitAck(r, false);
        return false;
    }

    /**
     * Processes the current segment for {@code c}.
     *
     * @return {@code true} when the frame was kept (out-of-order queue); otherwise the caller frees it
     */
    boolean arrives(TcpConnection<P> c, P frame) {
        c.lastReceiveAt = nif.now();
        if (c.state == TcpState.SYN_SENT) {
            synSent(c);
            return false;
        }
        boolean kept = synchronizedArrives(c, frame);
        if (c.state != TcpState.CLOSED) {
            tcp.updateTimer(c);
        }
        return kept;
    }

    // ---- SYN-SENT, RFC 9293 §3.10.7.3 ----

    private void synSent(TcpConnection<P> c) {
        Segment s = seg;
        boolean ackOk = false;
        if (s.has(TcpHeader.FLAG_ACK)) {
            if (Seq.le(s.ack, c.iss) || Seq.gt(s.ack, c.sndMax)) {
                if (!s.has(TcpHeader.FLAG_RST)) {
                    tcp.output.sendReset(s.srcIp, s.srcMac, c.localPort, c.remotePort, s.ack, 0, TcpHeader.FLAG_RST);
                }
                nif.stats.inc(Counter.DROP_TCP_BAD_ACK);
                return;
            }
            ackOk = true;
        }
        if (s.has(TcpHeader.FLAG_RST)) {
            if (ackOk) {
                nif.stats.inc(Counter.TCP_RESETS_RX);
                tcp.close(c, TcpCloseReason.REFUSED);
            } else {
                nif.stats.inc(Counter.DROP_TCP_BAD_RST);
            }
            return;
        }
        if (!s.has(TcpHeader.FLAG_SYN)) {
            nif.stats.inc(Counter.DROP_TCP_STATE);
            return;
        }
        c.irs = s.seq;
        c.rcvNxt = s.seq + 1;
        c.rcvAdv = c.rcvNxt;
        tcp.negotiate(c, s.options);
        c.sndWnd = s.window; // a SYN's window is never scaled
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = s.seq;
        c.sndWl2 = s.ack;
        if (ackOk) {
            sampleRtt(c, s.ack);
            c.sndUna = s.ack;
            c.retries = 0;
            c.rtoAt = Long.MAX_VALUE;
            c.unackedSince = Long.MAX_VALUE;
            established(c);
            tcp.ackLater(c, true);
            int gen = c.generation;
            c.attachment = c.handler.onConnected(nif.stack, c.handle(), c.attachment);
            if (c.alive(gen)) {
                tcp.output.output(c, true);
                tcp.updateTimer(c);
            }
        } else {
            // Simultaneous open: answer with SYN-ACK from the same ISN (RFC 9293 §3.5, figure 8).
            c.state = TcpState.SYN_RECEIVED;
            c.retries = 0;
            tcp.output.sendSyn(c);
            tcp.updateTimer(c);
        }
    }

    private void established(TcpConnection<P> c) {
        c.state = TcpState.ESTABLISHED;
        if (c.keepaliveIdle > 0) {
            c.keepaliveAt = nif.now() + c.keepaliveIdle;
        }
    }

    // ---- synchronized states and SYN-RECEIVED, RFC 9293 §3.10.7.4 ----

    private boolean synchronizedArrives(TcpConnection<P> c, P frame) {
        Segment s = seg;
        TcpOptions o = s.options;
        if (oldOrRepeatedOpening(c)) {
            return false;
        }
        // First: sequence number acceptability (the four cases of §3.10.7.4).
        int window = Math.max(0, c.rcvAdv - c.rcvNxt);
        int segLen = s.seqLength();
        boolean acceptable;
        if (segLen == 0) {
            acceptable = window == 0 ? s.seq == c.rcvNxt : Seq.inWindow(s.seq, c.rcvNxt, window);
        } else {
            acceptable = window > 0 && (Seq.inWindow(s.seq, c.rcvNxt, window)
                    || Seq.inWindow(s.seq + segLen - 1, c.rcvNxt, window));
        }
        boolean zeroWindowAckOnly = !acceptable && window == 0 && s.seq == c.rcvNxt;
        if (!acceptable && !zeroWindowAckOnly) {
            unacceptable(c, segLen);
            return false;
        }
        // Second: RST (RFC 5961 §3.2): only an exact RCV.NXT match resets; in-window earns a challenge ACK.
        if (s.has(TcpHeader.FLAG_RST)) {
            resetArrives(c);
            return false;
        }
        // Fourth: SYN (RFC 5961 §4.2): never acted on in a synchronized state.
        if (s.has(TcpHeader.FLAG_SYN)) {
            nif.stats.inc(Counter.DROP_TCP_BAD_SYN);
            tcp.output.sendChallengeAck(c);
            return false;
        }
        // Fifth: ACK.
        if (!ackAcceptable(c)) {
            return false;
        }
        int gen = c.generation;
        processAck(c);
        if (!c.alive(gen)) {
            return false;
        }
        // RFC 7323 §4.3: remember the timestamp of the segment that our last ACK acknowledged.
        if (c.timestamps && o.timestamps && Seq.le(s.seq, c.lastAckSent)) {
            c.tsRecent = o.tsVal;
        }
        if (zeroWindowAckOnly) {
            if (s.dataLen > 0) {
                nif.stats.inc(Counter.DROP_TCP_OUT_OF_WINDOW);
                tcp.ackLater(c, true);
            }
            return false;
        }
        return textAndFin(c, frame, gen);
    }

    /**
     * Before the window test: PAWS (RFC 7323 §5.3 R1: an old timestamp means an old duplicate), and in SYN-RECEIVED
     * the peer's SYN again, which sits just left of RCV.NXT where the window test would only ACK it. Returns true
     * when the segment was dealt with here.
     */
    private boolean oldOrRepeatedOpening(TcpConnection<P> c) {
        Segment s = seg;
        TcpOptions o = s.options;
        if (c.timestamps && o.timestamps && !s.has(TcpHeader.FLAG_RST) && Seq.lt(o.tsVal, c.tsRecent)) {
            nif.stats.inc(Counter.DROP_TCP_PAWS);
            tcp.ackLater(c, true);
            return true;
        }
        if (c.state == TcpState.SYN_RECEIVED && s.has(TcpHeader.FLAG_SYN) && !s.has(TcpHeader.FLAG_RST)
                && s.seq == c.irs) {
            if (!s.has(TcpHeader.FLAG_ACK)) {
                tcp.output.sendSyn(c); // our SYN-ACK was lost: the peer retransmitted its SYN
                return true;
            }
            if (s.ack == c.sndMax && c.appKnows) {
                // Simultaneous open (RFC 9293 §3.5 figure 8): the peer's SYN-ACK acknowledges our SYN.
                if (c.timestamps && o.timestamps) {
                    c.tsRecent = o.tsVal;
                }
                acceptSynReceived(c);
                return true;
            }
        }
        return false;
    }

    /** A segment outside the receive window (§3.10.7.4 first check): ACK it (unless a RST), count it, drop it. */
    private void unacceptable(TcpConnection<P> c, int segLen) {
        Segment s = seg;
        if (!s.has(TcpHeader.FLAG_RST)) {
            if (c.sackPermitted && s.dataLen > 0 && Seq.le(s.seq + s.dataLen, c.rcvNxt)) {
                // RFC 2883: tell the sender this data arrived twice (a D-SACK block), so that it can tell a
                // needless retransmission, and reordering, from a loss (RFC 8985 §6.2 step 4).
                c.dsackPending = true;
                c.dsackLeft = s.seq;
                c.dsackRight = s.seq + s.dataLen;
            }
            tcp.ackLater(c, true);
        }
        boolean duplicate = Seq.le(s.seq + segLen, c.rcvNxt);
        nif.stats.inc(duplicate ? Counter.DROP_TCP_DUPLICATE : Counter.DROP_TCP_OUT_OF_WINDOW);
        if (duplicate && ackOfDuplicateUsable(c)) {
            // The data is old but the ACK may be news: a peer's tail loss probe resends its last segment, with its
            // newest ACK, and when that ACK is lost the probe is all that carries it. Dropping it (RFC 9293
            // §3.10.7.4 read strictly) would leave our own data to a retransmission timeout; like BSD, the
            // duplicate data is ignored and the ACK processed, within RFC 5961 §5.2's bounds.
            int gen = c.generation;
            processAck(c);
            if (c.alive(gen)) {
                tcp.updateTimer(c);
            }
        }
    }

    /** An in-window RST (§3.10.7.4 second check, RFC 5961 §3.2): at exactly RCV.NXT it resets, else a challenge. */
    private void resetArrives(TcpConnection<P> c) {
        if (seg.seq == c.rcvNxt) {
            nif.stats.inc(Counter.TCP_RESETS_RX);
            if (c.state == TcpState.SYN_RECEIVED && !c.appKnows) {
                tcp.release(c); // passive open: back to LISTEN, nobody to tell
            } else {
                tcp.close(c, TcpCloseReason.RESET_BY_PEER);
            }
        } else {
            nif.stats.inc(Counter.DROP_TCP_BAD_RST);
            tcp.output.sendChallengeAck(c);
        }
    }

    /**
     * The fifth check's gate: a segment without ACK is dropped; in SYN-RECEIVED an ACK of our SYN completes the
     * open (any other is answered with a RST); and the ACK must lie in [SND.UNA - MAX.SND.WND, SND.NXT] (RFC 5961
     * §5.2). Returns whether ACK processing goes on.
     */
    private boolean ackAcceptable(TcpConnection<P> c) {
        Segment s = seg;
        if (!s.has(TcpHeader.FLAG_ACK)) {
            nif.stats.inc(Counter.DROP_TCP_STATE);
            return false;
        }
        if (c.state == TcpState.SYN_RECEIVED) {
            if (!Seq.gt(s.ack, c.sndUna) || Seq.gt(s.ack, c.sndMax)) {
                nif.stats.inc(Counter.DROP_TCP_BAD_ACK);
                tcp.output.sendReset(s.srcIp, s.srcMac, c.localPort, c.remotePort, s.ack, 0, TcpHeader.FLAG_RST);
                return false;
            }
            if (!acceptSynReceived(c)) {
                return false;
            }
        }
        if (Seq.gt(s.ack, c.sndMax) || Seq.lt(s.ack, c.sndUna - c.maxSndWnd)) {
            nif.stats.inc(Counter.DROP_TCP_BAD_ACK);
            tcp.ackLater(c, true);
            return false;
        }
        return true;
    }

    /**
     * The seventh and eighth checks: segment text (data after CLOSE is answered with RST, RFC 1122 §4.2.2.13), then
     * the FIN once everything before it has arrived. Returns whether the frame was kept (queued out of order or
     * delivered in place).
     */
    private boolean textAndFin(TcpConnection<P> c, P frame, int gen) {
        Segment s = seg;
        boolean kept = false;
        if (s.dataLen > 0) {
            TcpState st = c.state;
            if (st == TcpState.ESTABLISHED || st == TcpState.FIN_WAIT_1 || st == TcpState.FIN_WAIT_2) {
                if (c.appClosed) {
                    nif.stats.inc(Counter.DROP_TCP_DATA_AFTER_CLOSE);
                    tcp.output.sendReset(c.remoteIp, c.remoteMac, c.localPort, c.remotePort, c.sndNxt, 0,
                            TcpHeader.FLAG_RST);
                    tcp.close(c, TcpCloseReason.ABORTED);
                    return false;
                }
                kept = receiveData(c, frame);
                if (!c.alive(gen)) {
                    return kept;
                }
            }
        }
        if (s.has(TcpHeader.FLAG_FIN)) {
            int finSeq = s.seq + s.dataLen;
            if (finSeq == c.rcvNxt) {
                receiveFin(c);
            } else if (Seq.gt(finSeq, c.rcvNxt) && !c.finPending) {
                c.finPending = true;
                c.finPendingSeq = finSeq;
            }
        }
        return kept;
    }

    /**
     * An old duplicate segment's ACK may be processed: neither RST nor SYN, with ACK, in a state whose sent data
     * awaits acknowledgment, and the ACK in [SND.UNA - MAX.SND.WND, SND.MAX] (RFC 5961 §5.2).
     */
    private boolean ackOfDuplicateUsable(TcpConnection<P> c) {
        Segment s = seg;
        TcpState st = c.state;
        return s.has(TcpHeader.FLAG_ACK) && !s.has(TcpHeader.FLAG_RST) && !s.has(TcpHeader.FLAG_SYN)
                && st != TcpState.SYN_RECEIVED && st != TcpState.TIME_WAIT && st != TcpState.FIN_WAIT_2
                && !Seq.gt(s.ack, c.sndMax) && !Seq.lt(s.ack, c.sndUna - c.maxSndWnd);
    }

    /** The ACK of our SYN-ACK: the passive (or simultaneous) open completes. */
    private boolean acceptSynReceived(TcpConnection<P> c) {
        Segment s = seg;
        if (c.listener >= 0) {
            tcp.listenHalfOpen[c.listener]--;
            c.listener = -1;
        }
        sampleRtt(c, s.ack);
        c.sndWnd = s.has(TcpHeader.FLAG_SYN) ? s.window : s.window << c.sndShift; // a SYN's window is never scaled
        c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
        c.sndWl1 = s.seq;
        c.sndWl2 = s.ack;
        c.sndUna = s.ack;
        c.retries = 0;
        c.rtoAt = Long.MAX_VALUE;
        c.unackedSince = Long.MAX_VALUE;
        boolean passive = !c.appKnows;
        established(c);
        if (c.finQueued) {
            c.state = TcpState.FIN_WAIT_1; // shut down while the handshake was still in progress
        }
        c.appKnows = true;
        int gen = c.generation;
        if (passive) {
            c.attachment = c.handler.onAccepted(nif.stack, c.handle());
        } else {
            c.attachment = c.handler.onConnected(nif.stack, c.handle(), c.attachment);
        }
        if (!c.alive(gen)) {
            return false;
        }
        tcp.output.output(c, true);
        return true;
    }

    private void sampleRtt(TcpConnection<P> c, int ack) {
        if (c.rttTiming && Seq.gt(ack, c.rttSeq)) {
            timedSample(c);
        }
    }

    /**
     * The timed segment (RFC 6298 §3, Karn's rule) came back: a sample for SRTT, and for RACK's minimum RTT;
     * returns it.
     */
    private long timedSample(TcpConnection<P> c) {
        long rtt = nif.now() - c.rttStart;
        tcp.rtt.sample(c, rtt);
        c.rttTiming = false;
        if (c.rack) {
            // RFC 8985 §6.2 step 1. Only the timed samples (once per round trip, in nanoseconds): the timestamp
            // samples tick in milliseconds, too coarse for a quarter of a sub-millisecond RTT.
            RackLossDetection.sampleMinRtt(c, rtt, nif.now());
        }
        return rtt;
    }

    // ---- ACK processing: RFC 9293 §3.10.7.4 fifth step, RFC 5681, RFC 6582, RFC 6298 ----

    private void processAck(TcpConnection<P> c) {
        Segment s = seg;
        int ack = s.ack;
        int scaledWindow = s.window << c.sndShift;
        if (Seq.gt(ack, c.sndUna)) {
            int acked = ack - c.sndUna;
            int flightBefore = c.inFlight();
            boolean finAcked = c.finQueued && Seq.gt(ack, c.finSeq);
            int dataAcked = acked - (finAcked ? 1 : 0);
            c.sndUna = ack;
            c.queued -= dataAcked; // at once, so that sendEnd() is right for the recovery below
            if (Seq.lt(c.sndNxt, ack)) {
                c.sndNxt = ack;
            }
            long rtt = rttFromAck(c, ack);
            // The congestion controller hears of ACKs of a window-limited flight only (RFC 9438 §5.8); an
            // application-limited flow (requests and responses) leaves its state alone, and its cache lines too.
            boolean windowLimited = c.windowLimited(flightBefore) || c.sendDeferred;
            c.sendDeferred = false; // output, after this ACK, says again
            if (windowLimited) {
                c.appLimited = false;
                // HyStart++ (RFC 9406 §4.2) wants a sample per ACK: without timestamps, from the segment it completes.
                c.cc.observeRtt(ack, c.sndMax, rtt != RttEstimator.NO_SAMPLE ? rtt : completedSegmentRtt(c, ack));
            } else if (!c.appLimited) {
                c.appLimited = true;
                c.cc.onAppLimited(nif.now());
            }
            c.retries = 0;
            c.persist = false;
            boolean hadSacked = c.sacked;
            boolean rack = tcp.recovery.rackBeforeAck(c, ack - acked, ack, hadSacked, s.options);
            if (hadSacked) { // the flag spares a cache miss on the scoreboard in the common, loss-free case
                c.scoreboard.advance(ack);
                c.sacked = c.scoreboard.ranges() > 0;
            }
            tcp.recovery.recordSack(c, s.options);
            boolean rackLoss = rack && tcp.recovery.rackOnAck(c, ack, s.options);
            tcp.recovery.onAdvance(c, acked, dataAcked, flightBefore);
            if (rackLoss) {
                tcp.recovery.onRackLoss(c);
            }
            boolean outstanding = c.sndMax != c.sndUna;
            c.rtoAt = outstanding ? nif.now() + c.rto : Long.MAX_VALUE; // RFC 6298 §5.3
            c.tlpProbing = false;
            c.tlpAt = Long.MAX_VALUE;
            if (outstanding) {
                tcp.recovery.armTailLossProbe(c);
            }
            c.unackedSince = outstanding ? nif.now() : Long.MAX_VALUE;
            updateWindow(c, scaledWindow);
            int gen = c.generation;
            if (dataAcked > 0) {
                releaseAcked(c, dataAcked);
                if (!c.alive(gen)) {
                    return;
                }
            }
            if (finAcked) {
                ourFinAcked(c);
                if (c.state == TcpState.CLOSED) {
                    return;
                }
            }
        } else {
            boolean rack = tcp.recovery.rackBeforeAck(c, c.sndUna, ack, c.sacked, s.options);
            boolean newlySacked = tcp.recovery.recordSack(c, s.options);
            boolean rackLoss = rack && tcp.recovery.rackOnAck(c, ack, s.options);
            boolean outstanding = ack == c.sndUna && c.sndMax != c.sndUna;
            // RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT", or an ACK that newly SACKs data (RFC 6675 §2); an ACK closing
            // the window (the answer to a zero-window probe) says nothing about loss.
            boolean duplicate = outstanding && (newlySacked || s.dataLen == 0 && !s.has(TcpHeader.FLAG_FIN)
                    && scaledWindow == c.sndWnd && scaledWindow != 0);
            updateWindow(c, scaledWindow);
            if (c.persist && c.sndWnd > 0 && c.sndNxt != c.sndUna) {
                c.sndNxt = c.sndUna; // the window reopened: the probe byte it refused goes again, in order
            }
            if (duplicate) {
                tcp.recovery.onDuplicate(c);
            }
            if (rackLoss) {
                tcp.recovery.onRackLoss(c);
            }
        }
        tcp.output.output(c, true);
    }

    /**
     * Feeds the estimator from the timed segment or, when none is being timed, the echoed timestamp; returns the RTT
     * this ACK measured, from either, or {@link RttEstimator#NO_SAMPLE} (HyStart++ wants one per ACK).
     */
    private long rttFromAck(TcpConnection<P> c, int ack) {
        if (c.rttTiming && Seq.gt(ack, c.rttSeq)) {
            return timedSample(c);
        }
        if (c.timestamps && seg.options.timestamps && seg.options.tsEcr != 0) {
            // RFC 7323 §4.1: RTTM from the echoed timestamp, unambiguous even after retransmission.
            long ms = tcp.output.tsNow(c) - seg.options.tsEcr;
            if (ms >= 0 && ms < 120_000) {
                long rtt = Math.max(1, ms) * 1_000_000L;
                if (!c.rttTiming) {
                    tcp.rtt.sample(c, rtt);
                }
                return rtt;
            }
        }
        return RttEstimator.NO_SAMPLE;
    }

    /**
     * The RTT of the newest send-queue segment this ACK completes, from its transmission time (RFC 8985's
     * Segment.xmit_ts), or {@link RttEstimator#NO_SAMPLE} when it was retransmitted (Karn) or none is completed.
     * The walk covers only what {@code releaseAcked} frees next.
     */
    private long completedSegmentRtt(TcpConnection<P> c, int ack) {
        SegmentPool q = tcp.segs;
        long rtt = RttEstimator.NO_SAMPLE;
        for (int d = c.sendHead; d != SegmentPool.NONE && Seq.le(q.end(d), ack); d = q.next(d)) {
            rtt = (q.flags(d) & SegmentPool.RETRANSMITTED) != 0 ? RttEstimator.NO_SAMPLE : nif.now() - q.sentAt(d);
        }
        return rtt;
    }

    /** RFC 9293 §3.10.7.4: take the window from the newest segment (SND.WL1/SND.WL2 rule). */
    private void updateWindow(TcpConnection<P> c, int scaledWindow) {
        Segment s = seg;
        if (Seq.lt(c.sndWl1, s.seq) || c.sndWl1 == s.seq && Seq.le(c.sndWl2, s.ack)) {
            c.sndWnd = scaledWindow;
            c.sndWl1 = s.seq;
            c.sndWl2 = s.ack;
            if (scaledWindow > c.maxSndWnd) {
                c.maxSndWnd = scaledWindow;
            }
        }
    }

    /** Frees send-queue packets wholly acknowledged and tells the application how many bytes went through. */
    private void releaseAcked(TcpConnection<P> c, int bytes) {
        int d = c.sendHead;
        while (d != SegmentPool.NONE && Seq.le(segs.end(d), c.sndUna)) {
            int next = segs.next(d);
            tcp.freeSendSegment(c, d);
            d = next;
        }
        c.sendHead = d;
        if (d == SegmentPool.NONE) {
            c.sendTail = SegmentPool.NONE;
        }
        if (c.handler != null && c.appKnows) {
            c.handler.onAcked(nif.stack, c.handle(), c.attachment, bytes);
        }
    }

    private void ourFinAcked(TcpConnection<P> c) {
        switch (c.state) {
            case FIN_WAIT_1:
                c.state = TcpState.FIN_WAIT_2;
                if (c.appClosed) {
                    c.stateAt = nif.now() + tcp.cfg.finWait2TimeoutNanos();
                }
                break;
            case CLOSING:
                tcp.enterTimeWait(c);
                break;
            case LAST_ACK:
                tcp.close(c, TcpCloseReason.NORMAL);
                break;
            default:
                break;
        }
    }

    private void receiveFin(TcpConnection<P> c) {
        c.finPending = false;
        c.finReceived = true;
        c.rcvNxt++;
        tcp.ackLater(c, true);
        switch (c.state) {
            case SYN_RECEIVED:
            case ESTABLISHED:
                c.state = TcpState.CLOSE_WAIT;
                if (c.handler != null && c.appKnows) {
                    c.handler.onRemoteShutdown(nif.stack, c.handle(), c.attachment);
                }
                break;
            case FIN_WAIT_1:
            case FIN_WAIT_2:
                // A half-closed application (tcpShutdownOutput, not tcpClose) is still reading: it hears of the
                // peer's FIN as in ESTABLISHED, before TIME-WAIT ends the connection with onClosed.
                if (c.handler != null && c.appKnows && !c.appClosed) {
                    int gen = c.generation;
                    c.handler.onRemoteShutdown(nif.stack, c.handle(), c.attachment);
                    if (!c.alive(gen)) {
                        return; // the application aborted from the callback
                    }
                }
                if (c.state == TcpState.FIN_WAIT_2 || c.sndUna == c.sndMax && Seq.gt(c.sndMax, c.finSeq)) {
                    tcp.enterTimeWait(c);
                } else {
                    c.state = TcpState.CLOSING;
                }
                break;
            default:
                break;
        }
    }

    // ---- receiving data ----

    /** Delivers in-order data (and what it releases from the out-of-order queue) or queues it. */
    private boolean receiveData(TcpConnection<P> c, P frame) {
        Segment s = seg;
        int seq = s.seq;
        int off = s.dataOff;
        int len = s.dataLen;
        if (Seq.lt(seq, c.rcvNxt)) {
            int cut = c.rcvNxt - seq;
            seq += cut;
            off += cut;
            len -= cut;
        }
        int right = Seq.max(c.rcvAdv, c.rcvNxt);
        if (Seq.gt(seq + len, right)) {
            len = right - seq;
        }
        if (len <= 0) {
            tcp.ackLater(c, true);
            return false;
        }
        if (seq != c.rcvNxt) {
            // Out of order: a duplicate ACK at once (RFC 5681 §4.2), one per segment even when a run brings many,
            // or the sender never counts the three it needs for fast retransmit. Sent once the segment is queued,
            // so that the first SACK block holds it (RFC 2018 §4): SACK recovery counts SACKed bytes.
            boolean kept = queueOutOfOrder(c, frame, seq, off, len);
            tcp.output.sendAck(c);
            return kept;
        }
        boolean gapFilled = c.oooHead != SegmentPool.NONE;
        c.rcvNxt += len;
        c.fullSegmentsUnacked += len / c.mss; // an LRO/GRO super-segment counts as the segments it merged
        tcp.ackLater(c, gapFilled || c.fullSegmentsUnacked >= 2);
        int gen = c.generation;
        deliver(c, frame, off, len);
        if (c.generation == gen && gapFilled) {
            drainOutOfOrder(c, gen);
        }
        if (c.alive(gen) && c.finPending && c.finPendingSeq == c.rcvNxt) {
            receiveFin(c);
        }
        if (c.alive(gen) && c.ackPending && c.fullSegmentsUnacked >= 2 && !gapFilled) {
            // At least every second full segment (RFC 5681 §4.2) even when one run brings many: one stretch ACK
            // per run would slow the peer's slow start (byte counting with L = 2 MSS per ACK). After delivery, so
            // that a reply sent from the payload callback still carries it.
            tcp.output.sendAck(c);
        }
        return false;
    }

    private void deliver(TcpConnection<P> c, P frame, int off, int len) {
        c.rcvUnconsumed += len;
        if (c.handler != null && c.appKnows) {
            c.handler.onPayload(nif.stack, c.handle(), c.attachment, frame, off, len);
        }
    }

    private void drainOutOfOrder(TcpConnection<P> c, int gen) {
        while (c.oooHead != SegmentPool.NONE && Seq.le(segs.seq(c.oooHead), c.rcvNxt)) {
            int d = c.oooHead;
            c.oooHead = segs.next(d);
            c.oooBytes -= c.oooCharge(segs.len(d));
            tcp.oooMemory -= c.oooCharge(segs.len(d));
            int cut = c.rcvNxt - segs.seq(d);
            int len = segs.len(d) - cut;
            @SuppressWarnings("unchecked")
            P frame = (P) segs.packet[d];
            int data = segs.data(d);
            segs.release(d);
            try {
                if (len > 0) {
                    c.rcvNxt += len;
                    deliver(c, frame, data + cut, len);
                }
            } finally {
                ops.free(frame);
            }
            if (c.generation != gen) {
                return;
            }
        }
    }

    /**
     * Keeps an out-of-order segment (the frame itself, no copy) in sequence order, trimmed so that no two entries
     * overlap; bounded by the connection's window and the context's out-of-order budget.
     */
    private boolean queueOutOfOrder(TcpConnection<P> c, P frame, int seq, int off, int len) {
        int prev = SegmentPool.NONE;
        int d = c.oooHead;
        while (d != SegmentPool.NONE && Seq.le(segs.seq(d), seq)) {
            prev = d;
            d = segs.next(d);
        }
        if (prev != SegmentPool.NONE) {
            int prevEnd = segs.end(prev);
            if (Seq.gt(prevEnd, seq)) {
                int cut = prevEnd - seq;
                seq += cut;
                off += cut;
                len -= cut;
                if (len <= 0) {
                    nif.stats.inc(Counter.DROP_TCP_DUPLICATE);
                    return false;
                }
            }
        }
        // Later entries wholly covered by the new one go; a partial overlap trims the new one's tail.
        while (d != SegmentPool.NONE && Seq.lt(segs.seq(d), seq + len)) {
            int dEnd = segs.end(d);
            if (Seq.le(dEnd, seq + len)) {
                int next = segs.next(d);
                c.oooBytes -= c.oooCharge(segs.len(d));
                tcp.oooMemory -= c.oooCharge(segs.len(d));
                tcp.freeSegment(d);
                d = next;
            } else {
                len = segs.seq(d) - seq;
                break;
            }
        }
        if (prev != SegmentPool.NONE) {
            segs.next(prev, d);
        } else {
            c.oooHead = d;
        }
        // Each held segment pins a whole buffer: charge it at least an MSS, so that a window's worth of tiny
        // segments cannot take every buffer of the pool (and with it the one that would fill the gap).
        int charge = c.oooCharge(len);
        if (c.oooBytes + charge > tcp.cfg.receiveBuffer() || tcp.oooMemory + charge > tcp.cfg.outOfOrderMemory()) {
            nif.stats.inc(Counter.DROP_TCP_OOO_LIMIT);
            return false;
        }
        int n = segs.alloc(frame, seq, off, len);
        if (n == SegmentPool.NONE) {
            nif.stats.inc(Counter.DROP_TCP_OOO_LIMIT);
            return false;
        }
        segs.next(n, d);
        if (prev != SegmentPool.NONE) {
            segs.next(prev, n);
        } else {
            c.oooHead = n;
        }
        c.oooBytes += charge;
        c.lastOooSeq = seq;
        tcp.oooMemory += charge;
        nif.stats.inc(Counter.TCP_OOO_SEGMENTS);
        return true;
    }
}
