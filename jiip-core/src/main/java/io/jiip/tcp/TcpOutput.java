package io.jiip.tcp;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Offload;
import io.jiip.api.PacketOps;
import io.jiip.api.TcpState;
import io.jiip.iface.NetInterface;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;

/**
 * Segment emission: what to send and when (windows, Nagle, SWS avoidance, FIN), and how (header in its own buffer
 * with the payload chained when the NIC gathers, copied behind the header otherwise; checksum in software or
 * marked for the NIC).
 */
final class TcpOutput<P> {
    private static final int HEADERS = Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH;
    /** TSO autosizing: a super-segment carries about this much time's worth of data at the current rate. */
    private static final long TSO_BURST_NANOS = 1_000_000L;

    private final TcpLayer<P> tcp;
    private final NetInterface<P> nif;
    private final PacketOps<P> ops;
    private final SegmentPool segs;
    private final int[] sackLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackRight = new int[TcpOptions.MAX_SACK_BLOCKS];
    /** Set when a super-segment found no large buffer (not counted as a drop: output falls back to the MSS). */
    private boolean tsoBufferMissing;

    TcpOutput(TcpLayer<P> tcp) {
        this.tcp = tcp;
        this.nif = tcp.nif;
        this.ops = tcp.ops;
        this.segs = tcp.segs;
    }

    /**
     * Sends what the windows allow: new data in MSS-sized segments, then our FIN once all data went out.
     *
     * @param push the application is not holding back more data ({@code MORE} not given)
     */
    void output(TcpConnection<P> c, boolean push) {
        TcpState st = c.state;
        if (st != TcpState.ESTABLISHED && st != TcpState.CLOSE_WAIT && st != TcpState.FIN_WAIT_1
                && st != TcpState.CLOSING && st != TcpState.LAST_ACK) {
            return;
        }
        if ((c.inRecovery || c.rtoRecovery) && c.sackPermitted) {
            tcp.recovery.sackTransmit(c); // RFC 6675: pipe, not the data in flight, decides during recovery
            return;
        }
        while (true) {
            int end = c.sendEnd();
            int unsent = Seq.lt(c.sndNxt, end) ? end - c.sndNxt : 0;
            int window = Math.min(c.cwnd, c.sndWnd);
            int usable = window - (c.sndNxt - c.sndUna);
            if (unsent > 0) {
                int goal = maxSegment(c);
                int len = Math.min(Math.min(unsent, goal), usable);
                if (len > c.mss && len < unsent) {
                    len -= len % c.mss; // a super-segment of whole segments, the remainder waits (TSO)
                }
                if (goal > c.mss && len < goal && len < unsent && deferForLargerSegment(c, len, window)) {
                    c.sendDeferred = true; // window-limited, for the controller (as Linux's is_cwnd_limited)
                    break; // the ACK due soon calls output again, with more window
                }
                if (len <= 0 || len < c.mss && !smallSegmentAllowed(c, len, unsent, push)) {
                    if (c.sndMax == c.sndUna && usable < Math.min(unsent, c.mss)) {
                        // Nothing in flight and the peer's window is zero or too small to use: no ACK will come
                        // to restart us, so the persist timer must (probe, or SWS override if the window is open).
                        startPersist(c);
                    }
                    break;
                }
                boolean fin = c.finQueued && len == unsent;
                if (!sendData(c, c.sndNxt, len, fin)) {
                    if (len > c.mss && tsoBufferMissing) {
                        tsoBufferMissing = false;
                        len = Math.min(len, c.mss); // no 64 KiB buffer free: fall back to one segment
                        if (sendData(c, c.sndNxt, len, c.finQueued && len == unsent)) {
                            continue;
                        }
                    }
                    break;
                }
                continue;
            }
            if (c.finQueued && c.sndNxt == c.finSeq) {
                sendData(c, c.sndNxt, 0, true); // the FIN needs no window (RFC 9293 §3.8.6.1 probes aside)
            }
            break;
        }
    }

    /**
     * Payload bytes one segment may carry: the MSS, or with TSO a super-segment of whole MSS-sized segments that the
     * NIC splits, sized to the rate and the window, and at most the 64 KiB IPv4 limit.
     */
    private int maxSegment(TcpConnection<P> c) {
        if (!nif.has(NicFeatures.TCP_TSO | NicFeatures.TCP_TX_CSUM)) {
            return c.mss;
        }
        int limit = 65535 - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH
                - (c.timestamps ? TcpOptions.TIMESTAMPS_ALIGNED_LENGTH : 0);
        // TSO autosizing (the idea of Linux's tcp_tso_autosize): about 1 ms of data at the current rate, window /
        // SRTT, and never more than half the window, so that at least two super-segments are in flight. A lost
        // super-segment is then followed by one whose SACKs reveal the loss; a window sent as one frame makes every
        // loss a tail loss, repaired only by a probe or a timeout.
        long window = Math.min(c.cwnd, c.sndWnd);
        long goal = window / 2;
        if (c.srtt > 0) {
            goal = Math.min(goal, window * TSO_BURST_NANOS / c.srtt);
        }
        int size = (int) Math.min(limit, goal);
        return Math.max(c.mss, size - size % c.mss);
    }

    /**
     * TSO deferral (the idea of Linux's {@code tcp_tso_should_defer}): when the window, not the data, cuts this send
     * to {@code len} bytes, less than a full super-segment, and an ACK is due within half an RTT anyway, wait for it
     * and send one larger frame then. Without this, a window-limited flow sends a small frame per ACK (two segments
     * for a receiver that ACKs every second one): more frames, more per-frame work, and on a path that drops whole
     * frames more losses per byte. Sends now when a third of the window is usable, when less than two segments are
     * in flight (a receiver may delay its ACK of fewer, RFC 5681 §4.2), when the oldest data in flight was sent less
     * than SRTT/2 ago (its ACK would come too late) or more than 2·SRTT ago (it is overdue: no ACK to count on), and
     * outside the plain send path (resending after a timeout, or NewReno recovery).
     */
    private boolean deferForLargerSegment(TcpConnection<P> c, int len, int window) {
        int flight = c.sndMax - c.sndUna;
        if (len >= window / 3 || flight < 2 * c.mss || c.srtt == 0 || c.inRecovery
                || Seq.lt(c.sndNxt, c.sndMax) || c.sendHead == SegmentPool.NONE) {
            return false;
        }
        long age = nif.now() - segs.sentAt(c.sendHead);
        return age >= c.srtt / 2 && age <= 2 * c.srtt;
    }

    /** RFC 9293 §3.8.6.2.1 (sender SWS avoidance) and Nagle (RFC 896, RFC 1122 §4.2.3.4). */
    private static boolean smallSegmentAllowed(TcpConnection<?> c, int len, int unsent, boolean push) {
        if (Seq.lt(c.sndNxt, c.sndMax)) {
            return true; // resending what went out before (after an RTO or a lower path MTU): Nagle is for new data
        }
        boolean idle = c.sndMax == c.sndUna;
        if (len == unsent) {
            return push && (!c.nagle || idle);
        }
        return len >= c.maxSndWnd / 2 && (!c.nagle || idle);
    }

    private void startPersist(TcpConnection<P> c) {
        if (!c.persist) {
            c.persist = true;
            c.retries = 0;
            c.rtoAt = nif.now() + c.rto;
        }
    }

    /**
     * Sends {@code len} bytes of queued data starting at {@code seq} (a retransmission when below sndMax), with FIN
     * if asked. Advances sndNxt/sndMax and arms the retransmission timer.
     */
    boolean sendData(TcpConnection<P> c, int seq, int len, boolean fin) {
        boolean retransmit = Seq.lt(seq, c.sndMax);
        int flags = TcpHeader.FLAG_ACK | (len > 0 ? TcpHeader.FLAG_PSH : 0) | (fin ? TcpHeader.FLAG_FIN : 0);
        if (!emit(c, seq, len, flags, false)) {
            return false;
        }
        int next = seq + len + (fin ? 1 : 0);
        if (Seq.gt(next, c.sndNxt)) {
            c.sndNxt = next;
        }
        if (Seq.gt(next, c.sndMax)) {
            c.sndMax = next;
        }
        if (retransmit) {
            nif.stats.inc(Counter.TCP_RETRANSMITS);
            c.retransmits++;
            if (c.rttTiming && Seq.le(seq, c.rttSeq)) {
                c.rttTiming = false; // Karn: no sample from a retransmitted segment
            }
        } else if (!c.rttTiming && len > 0) {
            c.rttTiming = true;
            c.rttSeq = seq;
            c.rttStart = nif.now();
        }
        if (c.rtoAt == Long.MAX_VALUE || c.persist) {
            c.persist = false;
            c.rtoAt = nif.now() + c.rto;
        }
        if (!retransmit) {
            tcp.recovery.armTailLossProbe(c);
        }
        if (c.unackedSince == Long.MAX_VALUE) {
            c.unackedSince = nif.now();
        }
        return true;
    }

    /** SYN (active open) or SYN-ACK (passive or simultaneous open), with our options. */
    void sendSyn(TcpConnection<P> c) {
        boolean synAck = c.state == TcpState.SYN_RECEIVED;
        emit(c, c.iss, 0, TcpHeader.FLAG_SYN | (synAck ? TcpHeader.FLAG_ACK : 0), true);
        c.sndNxt = c.iss + 1;
        c.sndMax = c.iss + 1;
        if (!c.rttTiming && c.retries == 0) {
            c.rttTiming = true;
            c.rttSeq = c.iss;
            c.rttStart = nif.now();
        }
        c.rtoAt = nif.now() + c.rto;
    }

    /** A segment with no data: ACK (also the zero-window probe and keepalive shapes use {@link #emit}). */
    void sendAck(TcpConnection<P> c) {
        emit(c, c.sndNxt, 0, TcpHeader.FLAG_ACK, false);
    }

    /** An ACK that is not owed but demanded by RFC 5961 (rate limited per context, §7). */
    void sendChallengeAck(TcpConnection<P> c) {
        if (tcp.challengeAcks.tryAcquire(nif.now())) {
            nif.stats.inc(Counter.TCP_CHALLENGE_ACKS);
            sendAck(c);
        } else {
            nif.stats.inc(Counter.TCP_CHALLENGE_ACKS_LIMITED);
        }
    }

    /** Keepalive probe: SEG.SEQ = SND.UNA - 1, no data, so the peer must answer with an ACK (RFC 1122 §4.2.3.6). */
    void sendKeepalive(TcpConnection<P> c) {
        emit(c, c.sndUna - 1, 0, TcpHeader.FLAG_ACK, false);
    }

    /**
     * Zero-window probe: one byte beyond the window (RFC 9293 §3.8.6.1), always the first unacknowledged one, so
     * that repeated probes resend it rather than walk further past the window; a bare ACK if nothing is queued.
     */
    void sendWindowProbe(TcpConnection<P> c) {
        if (Seq.lt(c.sndUna, c.sendEnd())) {
            emit(c, c.sndUna, 1, TcpHeader.FLAG_ACK, false);
            c.sndMax = Seq.max(c.sndMax, c.sndUna + 1);
            c.sndNxt = Seq.max(c.sndNxt, c.sndUna + 1);
        } else {
            sendAck(c);
        }
    }

    /** A RST outside any connection (RFC 9293 §3.10.7.1) or for abort; no options. */
    void sendReset(int dstIp, long dstMac, int srcPort, int dstPort, int seq, int ack, int flags) {
        long mac = dstMac >= 0 ? dstMac : nif.resolve(dstIp);
        if (mac == NetInterface.UNREACHABLE) {
            return;
        }
        P frame = nif.allocIpFrame(HEADERS);
        if (frame == null) {
            return;
        }
        ByteBuffer buf = ops.buffer(frame);
        int ipOff = nif.ipOffset(frame);
        int off = ipOff + Ipv4Header.MIN_LENGTH;
        int offloads = nif.writeIpHeader(buf, ipOff, HEADERS, Ipv4Header.PROTO_TCP, dstIp);
        TcpHeader.write(buf, off, srcPort, dstPort, seq, ack, TcpHeader.MIN_LENGTH, flags, 0);
        offloads |= checksum(buf, off, TcpHeader.MIN_LENGTH, dstIp, null, TcpHeader.MIN_LENGTH);
        nif.markOffloads(frame, offloads, nif.l2Length + Ipv4Header.MIN_LENGTH, 0);
        nif.stats.inc(Counter.TCP_TX);
        nif.stats.inc(Counter.TCP_RESETS_TX);
        nif.transmitIp(frame, dstIp, mac);
    }

    /**
     * Builds and sends one segment of connection {@code c}: {@code len} bytes of queued data from {@code seq}
     * (0 for control segments), the ACK of everything received, our window and options.
     */
    private boolean emit(TcpConnection<P> c, int seq, int len, int flags, boolean syn) {
        long mac = c.remoteMac;
        if (mac < 0) {
            mac = nif.resolve(c.remoteIp); // waiting for ARP since connect
            if (mac >= 0) {
                c.remoteMac = mac;
            } else if (mac == NetInterface.UNREACHABLE) {
                return false;
            }
        }
        int sackBlocks = !syn && c.sackPermitted && (c.oooHead != SegmentPool.NONE || c.dsackPending)
                && (flags & TcpHeader.FLAG_ACK) != 0 ? sackBlocks(c) : 0;
        int optLen = syn ? synOptionsLength(c) : (c.timestamps ? TcpOptions.TIMESTAMPS_ALIGNED_LENGTH : 0)
                + (sackBlocks > 0 ? TcpOptions.sackAlignedLength(sackBlocks) : 0);
        int thlen = TcpHeader.MIN_LENGTH + optLen;
        // Descriptors holding their bytes have no packet to chain (queued while the NIC had no scatter-gather).
        boolean gather = len > 0 && nif.has(NicFeatures.TX_SCATTER_GATHER) && c.inlineSegments == 0;
        int ipLength = Ipv4Header.MIN_LENGTH + thlen + (gather ? 0 : len);
        P frame;
        if (len > c.mss && !gather) {
            frame = ops.alloc(nif.l2Length + ipLength);
            if (frame == null) {
                tsoBufferMissing = true;
                return false;
            }
            ops.length(frame, nif.l2Length + ipLength);
        } else {
            frame = nif.allocIpFrame(ipLength);
            if (frame == null) {
                return false;
            }
        }
        P payload = null;
        if (gather) {
            payload = clonePayload(c, seq, len);
            if (payload == null) {
                ops.free(frame);
                nif.stats.inc(Counter.DROP_TX_NO_BUFFER);
                return false;
            }
        }
        ByteBuffer buf = ops.buffer(frame);
        int ipOff = nif.ipOffset(frame);
        int off = ipOff + Ipv4Header.MIN_LENGTH;
        int total = Ipv4Header.MIN_LENGTH + thlen + len;
        int offloads = nif.writeIpHeader(buf, ipOff, total, Ipv4Header.PROTO_TCP, c.remoteIp);
        boolean ack = (flags & TcpHeader.FLAG_ACK) != 0;
        int window = advertise(c, syn);
        TcpHeader.write(buf, off, c.localPort, c.remotePort, seq, ack ? c.rcvNxt : 0, thlen, flags, window);
        int o = off + TcpHeader.MIN_LENGTH;
        if (syn) {
            o += TcpOptions.writeMss(buf, o, tcp.ourMss(c.remoteIp));
            if (c.windowScaling) {
                o += TcpOptions.writeWindowScale(buf, o, c.rcvShift);
            }
            if (c.sackPermitted) {
                o += TcpOptions.writeSackPermitted(buf, o);
            }
        }
        if (c.timestamps) {
            // RFC 7323 §3.2: TSecr is 0 unless ACK is set (and in our first SYN).
            o += TcpOptions.writeTimestamps(buf, o, tsNow(c), ack ? c.tsRecent : 0);
        }
        if (sackBlocks > 0) {
            o += TcpOptions.writeSack(buf, o, sackLeft, sackRight, sackBlocks);
        }
        boolean tso = len > c.mss; // only output() makes these, and only when the NIC offers TSO
        if (tso) {
            // The NIC computes every segment's checksum; it starts from the pseudo-header sum of the whole.
            TcpHeader.checksum(buf, off, Checksum.fold(Checksum.pseudoHeader(nif.ip, c.remoteIp,
                    Ipv4Header.PROTO_TCP, thlen + len)));
            offloads |= Offload.TCP_SEG | Offload.TCP_CSUM;
        }
        if (gather) {
            if (!tso) {
                offloads |= checksum(buf, off, thlen + len, c.remoteIp, payload, thlen);
            }
            ops.chainAppend(frame, payload);
        } else {
            if (len > 0) {
                copyPayload(c, seq, len, buf, o);
            }
            if (!tso) {
                offloads |= checksum(buf, off, thlen + len, c.remoteIp, null, thlen + len);
            }
        }
        nif.markOffloads(frame, offloads, nif.l2Length + Ipv4Header.MIN_LENGTH, tso ? c.mss : 0);
        nif.stats.inc(Counter.TCP_TX);
        if (ack) {
            c.ackPending = false;
            c.ackNow = false;
            c.fullSegmentsUnacked = 0;
            c.ackAt = Long.MAX_VALUE;
            c.lastAckSent = c.rcvNxt;
            if (sackBlocks > 0) {
                c.dsackPending = false; // a duplicate is reported once
            }
        }
        nif.transmitIp(frame, c.remoteIp, mac);
        return true;
    }

    /**
     * RFC 2018 §4: the blocks of our out-of-order queue, the one holding the most recently received segment
     * first, as many as fit beside the timestamps (3 with, 4 without); before them a D-SACK block for duplicate
     * data received since the last ACK (RFC 2883 §4).
     */
    private int sackBlocks(TcpConnection<P> c) {
        int max = c.timestamps ? 3 : 4;
        int first = 0;
        if (c.dsackPending) {
            sackLeft[0] = c.dsackLeft;
            sackRight[0] = c.dsackRight;
            first = 1;
        }
        int n = first;
        int firstIndex = -1;
        int d = c.oooHead;
        while (d != SegmentPool.NONE) {
            int l = segs.seq(d);
            int r = l + segs.len(d);
            boolean recent = Seq.le(l, c.lastOooSeq) && Seq.lt(c.lastOooSeq, r);
            d = segs.next(d);
            while (d != SegmentPool.NONE && segs.seq(d) == r) { // contiguous entries form one block
                recent |= segs.seq(d) == c.lastOooSeq;
                r += segs.len(d);
                d = segs.next(d);
            }
            if (recent) {
                firstIndex = n < max ? n : max - 1;
            }
            if (n < max) {
                sackLeft[n] = l;
                sackRight[n] = r;
                n++;
            } else if (recent) {
                sackLeft[max - 1] = l; // keep the recent block even when the queue has more holes
                sackRight[max - 1] = r;
            }
        }
        if (firstIndex > first) {
            int l = sackLeft[firstIndex];
            int r = sackRight[firstIndex];
            System.arraycopy(sackLeft, first, sackLeft, first + 1, firstIndex - first);
            System.arraycopy(sackRight, first, sackRight, first + 1, firstIndex - first);
            sackLeft[first] = l;
            sackRight[first] = r;
        }
        return n;
    }

    private int synOptionsLength(TcpConnection<P> c) {
        return TcpOptions.MSS_LENGTH + (c.windowScaling ? TcpOptions.WINDOW_SCALE_ALIGNED_LENGTH : 0)
                + (c.sackPermitted ? TcpOptions.SACK_PERMITTED_ALIGNED_LENGTH : 0)
                + (c.timestamps ? TcpOptions.TIMESTAMPS_ALIGNED_LENGTH : 0);
    }

    int tsNow(TcpConnection<P> c) {
        return tsVal(c, nif.now());
    }

    /** The TSval of a segment of {@code c} sent at {@code nanos}. */
    static int tsVal(TcpConnection<?> c, long nanos) {
        return (int) (nanos / 1_000_000L) + c.tsOffset; // 1 ms ticks (RFC 7323 §5.4), per-connection offset
    }

    /**
     * Fills the checksum of a segment of {@code l4Length} bytes whose first {@code inline} bytes are at
     * {@code off} and the rest in {@code payload}; returns the offload bit when the NIC does it.
     */
    private int checksum(ByteBuffer buf, int off, int l4Length, int dstIp, P payload, int inline) {
        long pseudo = Checksum.pseudoHeader(nif.ip, dstIp, Ipv4Header.PROTO_TCP, l4Length);
        if (nif.has(NicFeatures.TCP_TX_CSUM)) {
            TcpHeader.checksum(buf, off, Checksum.fold(pseudo));
            return Offload.TCP_CSUM;
        }
        long acc = Checksum.add(pseudo, buf, off, inline);
        if (payload != null) {
            acc = nif.checksumChain(acc, payload);
        }
        TcpHeader.checksum(buf, off, Checksum.finish(acc));
        return 0;
    }

    /** The send-queue descriptor holding sequence number {@code seq}. */
    private int findSegment(TcpConnection<P> c, int seq) {
        int d = c.sendHead;
        while (d != SegmentPool.NONE && Seq.ge(seq, segs.end(d))) {
            d = segs.next(d);
        }
        return d;
    }

    /**
     * RFC 8985 §6.1: bytes of descriptor {@code d} from {@code seq} up to {@code upTo} are being sent now; a
     * retransmission when they were sent before (SND.MAX is not yet advanced past them).
     */
    private void markSent(TcpConnection<P> c, int d, int seq, int upTo) {
        if (c.rack) {
            segs.markSent(d, tcp.rack.transmissionTime(nif.now()), Seq.lt(seq, c.sndMax), seq, upTo);
        }
    }

    /**
     * The first send-queue descriptor of the bytes {@code [seq, seq + len)} about to be sent. With RACK they are first
     * made whole descriptors (split where the transmission begins and ends inside one): RACK keeps one transmission
     * time per descriptor (RFC 8985 §6.1), so no descriptor may hold bytes sent at different times, or a SACK of
     * some would date the others wrongly (a later part stamped onto an earlier one makes a retransmission sent in
     * between look lost). Sending whole application packets, the common case, splits nothing.
     */
    private int transmitted(TcpConnection<P> c, int seq, int len) {
        int d = findSegment(c, seq);
        if (!c.rack) {
            return d;
        }
        if (Seq.lt(segs.seq(d), seq) && segs.split(c, d, seq, ops)) {
            d = segs.next(d);
        }
        // Walk by byte counts (small and non-negative), not sequence numbers: the descriptor that holds the last byte.
        int last = d;
        int covered = segs.end(d) - seq;
        while (covered < len) {
            last = segs.next(last);
            if (last == SegmentPool.NONE) {
                return d; // the queue ends first: callers never ask for more than is queued
            }
            covered += segs.len(last);
        }
        if (covered > len) {
            segs.split(c, last, seq + len, ops);
        }
        return d;
    }

    private void copyPayload(TcpConnection<P> c, int seq, int len, ByteBuffer dst, int at) {
        for (int d = transmitted(c, seq, len); len > 0; d = segs.next(d)) {
            int skip = seq - segs.seq(d);
            int n = Math.min(len, segs.len(d) - skip);
            markSent(c, d, seq, seq + n);
            Bytes.copy(segs.bytes(d, ops), segs.data(d) + skip, dst, at, n);
            at += n;
            seq += n;
            len -= n;
        }
    }

    /** Clones (zero-copy) the queued bytes {@code [seq, seq + len)} as a chain; {@code null} without descriptors. */
    private P clonePayload(TcpConnection<P> c, int seq, int len) {
        P head = null;
        int first = transmitted(c, seq, len);
        int from = seq;
        for (int d = first; len > 0; d = segs.next(d)) {
            int skip = seq - segs.seq(d);
            int n = Math.min(len, segs.len(d) - skip);
            @SuppressWarnings("unchecked")
            P p = ops.clone((P) segs.packet[d]);
            if (p == null) {
                if (head != null) {
                    ops.free(head);
                }
                return null;
            }
            ops.trimHead(p, segs.data(d) + skip - ops.offset(p));
            ops.length(p, n);
            if (head == null) {
                head = p;
            } else {
                ops.chainAppend(head, p);
            }
            seq += n;
            len -= n;
        }
        // Only now that the segment will go: a failed clone must leave the transmission records as they were.
        for (int d = first; c.rack && Seq.lt(from, seq); d = segs.next(d)) {
            int upTo = Seq.min(segs.end(d), seq);
            markSent(c, d, from, upTo);
            from = upTo;
        }
        return head;
    }

    // ---- receive window ----

    /**
     * The window field to send, and the new right edge it advertises. Receiver SWS avoidance (RFC 9293
     * §3.8.6.2.2): the right edge moves only by at least min(buffer / 2, MSS), and never moves left.
     */
    private int advertise(TcpConnection<P> c, boolean syn) {
        int space = Math.max(0, tcp.cfg.receiveBuffer() - c.rcvUnconsumed);
        if (syn) {
            int w = Math.min(space, 65535); // never scaled in a SYN (RFC 7323 §2.2)
            c.rcvAdv = c.rcvNxt + w;
            return w;
        }
        int right = c.rcvNxt + space;
        int threshold = Math.min(tcp.cfg.receiveBuffer() / 2, c.mss);
        if (Seq.lt(right, c.rcvAdv) || right - c.rcvAdv < threshold && Seq.gt(right, c.rcvAdv)) {
            right = Seq.max(c.rcvAdv, c.rcvNxt);
        }
        int field = Math.min((right - c.rcvNxt) >>> c.rcvShift, 65535);
        int advertised = c.rcvNxt + (field << c.rcvShift);
        if (Seq.gt(advertised, c.rcvAdv)) {
            c.rcvAdv = advertised;
        }
        return field;
    }

    /** After the application consumed data: is the window opening enough to tell the peer at once? */
    boolean windowUpdateWorthSending(TcpConnection<P> c) {
        int space = Math.max(0, tcp.cfg.receiveBuffer() - c.rcvUnconsumed);
        int grow = (c.rcvNxt + space) - Seq.max(c.rcvAdv, c.rcvNxt);
        return grow >= Math.min(tcp.cfg.receiveBuffer() / 2, 2 * c.mss);
    }
}
