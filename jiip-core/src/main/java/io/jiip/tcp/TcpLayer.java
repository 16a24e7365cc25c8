package io.jiip.tcp;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.PacketOps;
import io.jiip.api.Result;
import io.jiip.api.RxChecksum;
import io.jiip.api.Stats;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpInfo;
import io.jiip.api.TcpSendFlags;
import io.jiip.api.TcpState;
import io.jiip.iface.NetInterface;
import io.jiip.util.RateLimiter;
import io.jiip.wire.Checksum;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * TCP for one context: the connection table, listeners, demultiplexing, the application calls, connection life
 * cycle and the end-of-run ACK settlement. Segment processing is in {@link TcpInput}, segment emission in
 * {@link TcpOutput}, timers in {@link TcpTimers}.
 */
public final class TcpLayer<P> {
    final NetInterface<P> nif;
    final PacketOps<P> ops;
    final TcpConfig cfg;
    final Stats stats;
    final TcpConnection<P>[] conns;
    private final int[] freeConns;
    private int freeConnCount;
    final FlowTable flows;
    /** TIME-WAIT, apart from the connections: a compact record per 4-tuple, no slot. */
    final TimeWaitTable timeWait;
    /**
     * A connection outside the table that carries what a stateless answer needs: a SYN cookie's SYN-ACK, an ACK
     * from a TIME-WAIT record. Filled just before each use.
     */
    final TcpConnection<P> detached;
    final SegmentPool segs;
    final TimerWheel wheel;
    final RttEstimator rtt;
    final IsnGenerator isn;
    final RateLimiter challengeAcks;
    final Segment seg = new Segment();
    final TcpInput<P> input;
    final TcpOutput<P> output;
    final TcpTimers<P> timers;
    final RackLossDetection rack;
    final LossRecovery<P> recovery;
    final SynCookies<P> cookies;

    private final int[] listenPort;
    private final int[] listenBacklog;
    final int[] listenHalfOpen;
    private final Object[] listenHandler;
    private int nextEphemeral;
    int oooMemory;
    private int pendingAckHead = -1;

    public TcpLayer(NetInterface<P> nif) {
        this.nif = nif;
        this.ops = nif.ops;
        this.cfg = nif.config.tcp();
        this.stats = nif.stats;
        int n = cfg.connections();
        this.conns = TcpConnection.table(n);
        this.freeConns = new int[n];
        for (int i = 0; i < n; i++) {
            freeConns[i] = n - 1 - i;
        }
        this.freeConnCount = n;
        this.flows = new FlowTable(Math.max(1, n));
        this.timeWait = new TimeWaitTable(cfg.timeWaitCapacity());
        this.detached = TcpConnection.<P>table(1)[0];
        this.segs = new SegmentPool(cfg.segments());
        this.wheel = new TimerWheel(Math.max(1, n));
        this.rtt = new RttEstimator(cfg.minRtoNanos(), cfg.maxRtoNanos());
        byte[] key = cfg.isnKey();
        if (key == null) {
            key = new byte[16];
            new SecureRandom().nextBytes(key);
        }
        this.isn = new IsnGenerator(key);
        this.challengeAcks = new RateLimiter(cfg.challengeAcksPerSecond(), Math.max(1, cfg.challengeAcksPerSecond()));
        this.listenPort = new int[cfg.listeners()];
        this.listenBacklog = new int[cfg.listeners()];
        this.listenHalfOpen = new int[cfg.listeners()];
        this.listenHandler = new Object[cfg.listeners()];
        int span = cfg.ephemeralHigh() - cfg.ephemeralLow() + 1;
        this.nextEphemeral = cfg.ephemeralLow() + Math.floorMod(isn.sipHash24(nif.ip, 0x6570686d), span);
        this.rack = new RackLossDetection(segs);
        this.recovery = new LossRecovery<>(this);
        this.input = new TcpInput<>(this);
        this.output = new TcpOutput<>(this);
        this.timers = new TcpTimers<>(this);
        this.cookies = new SynCookies<>(this);
    }

    // ---- demultiplexing ----

    /** Takes ownership of a datagram carrying TCP. */
    public void input(P frame, ByteBuffer buf, int ipOff, int hlen, int totalLength, int verdict) {
        stats.inc(Counter.TCP_RX);
        int off = ipOff + hlen;
        int len = totalLength - hlen;
        if (TcpHeader.check(buf, off, len) != TcpHeader.OK) {
            nif.drop(frame, Counter.DROP_TCP_TRUNCATED);
            return;
        }
        int srcIp = Ipv4Header.src(buf, ipOff);
        if (!nif.isOurs(Ipv4Header.dst(buf, ipOff))) {
            nif.drop(frame, Counter.DROP_TCP_BAD_PORT); // no TCP to broadcast addresses (RFC 1122 §4.2.3.10)
            return;
        }
        if ((verdict & RxChecksum.L4_BAD) != 0 || (verdict & RxChecksum.L4_GOOD) == 0
                && Checksum.fold(Checksum.add(Checksum.pseudoHeader(srcIp, nif.ip, Ipv4Header.PROTO_TCP, len),
                        buf, off, len)) != 0xffff) {
            nif.drop(frame, Counter.DROP_TCP_BAD_CHECKSUM);
            return;
        }
        Segment s = seg;
        s.srcIp = srcIp;
        s.srcPort = TcpHeader.srcPort(buf, off);
        s.dstPort = TcpHeader.dstPort(buf, off);
        if (s.srcPort == 0 || s.dstPort == 0) {
            nif.drop(frame, Counter.DROP_TCP_BAD_PORT);
            return;
        }
        int thlen = TcpHeader.headerLength(buf, off);
        if (s.options.parse(buf, off + TcpHeader.MIN_LENGTH, thlen - TcpHeader.MIN_LENGTH) != TcpOptions.OK) {
            nif.drop(frame, Counter.DROP_TCP_BAD_OPTIONS);
            return;
        }
        s.srcMac = nif.sourceMacOf(buf, ipOff);
        s.seq = TcpHeader.seq(buf, off);
        s.ack = TcpHeader.ack(buf, off);
        s.flags = TcpHeader.flags(buf, off);
        s.window = TcpHeader.window(buf, off);
        s.dataOff = off + thlen;
        s.dataLen = len - thlen;

        long key = FlowTable.key(srcIp, s.srcPort, s.dstPort);
        int id = flows.get(key);
        if (id >= 0) {
            if (!input.arrives(conns[id], frame)) {
                ops.free(frame);
            }
            return;
        }
        int tw = timeWait.find(key);
        if (tw != TimeWaitTable.NONE && !input.timeWaitArrives(tw)) {
            ops.free(frame);
            return;
        } // else a new SYN took the 4-tuple over from TIME-WAIT (RFC 6191): on to the listener
        int l = findListener(s.dstPort);
        if (l >= 0 && s.has(TcpHeader.FLAG_SYN) && !s.has(TcpHeader.FLAG_ACK) && !s.has(TcpHeader.FLAG_RST)) {
            passiveOpen(l);
            ops.free(frame);
            return;
        }
        if (l >= 0 && s.has(TcpHeader.FLAG_ACK) && !s.has(TcpHeader.FLAG_SYN) && !s.has(TcpHeader.FLAG_RST)
                && cookies.mayBeCookie()) {
            @SuppressWarnings("unchecked")
            int r = cookies.complete(l, (TcpEvents<P>) listenHandler[l], frame);
            if (r >= 0) {
                if (r == 0) {
                    ops.free(frame);
                }
                return;
            }
        }
        noConnection();
        ops.free(frame);
    }

    /**
     * RFC 9293 §3.10.7.1: a segment for a closed port (or a listener's non-SYN) is answered with a RST, unless it
     * is a RST itself.
     */
    private void noConnection() {
        Segment s = seg;
        stats.inc(Counter.DROP_TCP_NO_CONNECTION);
        if (s.has(TcpHeader.FLAG_RST)) {
            return;
        }
        if (s.has(TcpHeader.FLAG_ACK)) {
            output.sendReset(s.srcIp, s.srcMac, s.dstPort, s.srcPort, s.ack, 0, TcpHeader.FLAG_RST);
        } else {
            output.sendReset(s.srcIp, s.srcMac, s.dstPort, s.srcPort, 0, s.seq + s.seqLength(),
                    TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK);
        }
    }

    @SuppressWarnings("unchecked")
    private void passiveOpen(int l) {
        Segment s = seg;
        TcpEvents<P> handler = (TcpEvents<P>) listenHandler[l];
        boolean backlogFull = listenHalfOpen[l] >= listenBacklog[l];
        boolean contextFull = !backlogFull && halfOpenCount() >= cfg.halfOpenLimit();
        // The table's last sixteenth, and a full table, take cookies: with TIME-WAIT apart every slot is a live or
        // half-open connection then, and the ACK of the cookie creates the connection as soon as one has closed.
        boolean tableLow = freeConnCount <= conns.length >> 4;
        if (contextFull) {
            stats.inc(Counter.TCP_HALF_OPEN_LIMITED);
        }
        if (backlogFull || contextFull || tableLow && cfg.synCookies()) {
            if (cfg.synCookies()) {
                cookies.sendCookie(l, handler); // RFC 4987 §3.6: no state until the ACK proves the address
            } else {
                stats.inc(backlogFull ? Counter.DROP_TCP_BACKLOG_FULL : Counter.DROP_TCP_HALF_OPEN_LIMIT);
            }
            return;
        }
        if (freeConnCount == 0) {
            stats.inc(Counter.DROP_TCP_TABLE_FULL); // cookies off: counted, and the application is not asked
            return;
        }
        if (!handler.onAccept(nif.stack, s.dstPort, s.srcIp, s.srcPort)) {
            stats.inc(Counter.DROP_TCP_REFUSED);
            output.sendReset(s.srcIp, s.srcMac, s.dstPort, s.srcPort, 0, s.seq + s.seqLength(),
                    TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK);
            return;
        }
        TcpConnection<P> c = allocConnection(s.srcIp, s.srcPort, s.dstPort);
        if (c == null) {
            stats.inc(Counter.DROP_TCP_TABLE_FULL);
            return;
        }
        c.handler = handler;
        c.listener = l;
        listenHalfOpen[l]++;
        c.remoteMac = s.srcMac;
        c.state = TcpState.SYN_RECEIVED;
        c.irs = s.seq;
        c.rcvNxt = s.seq + 1;
        c.sndWnd = s.window; // never scaled in a SYN (RFC 7323 §2.2)
        c.sndWl1 = s.seq;
        c.maxSndWnd = c.sndWnd;
        negotiate(c, s.options);
        stats.inc(Counter.TCP_PASSIVE_OPENS);
        output.sendSyn(c);
        updateTimer(c);
    }

    /** Applies the options of the peer's SYN ({@link #useOptions}). */
    void negotiate(TcpConnection<P> c, TcpOptions o) {
        useOptions(c, o.windowScale, o.timestamps, o.sackPermitted, o.mss > 0 ? o.mss : 536); // RFC 9293 §3.7.1
        if (c.timestamps) {
            c.tsRecent = o.tsVal;
        }
    }

    /**
     * Sets what the connection uses of the peer's options (RFC 9293 §3.7.1, RFC 7323 §2.2 and §3.2, RFC 2018): an
     * option only when both ends offer it ({@code peerWindowScale} -1: none), then the segment size and the
     * congestion controller's start. The peer's SYN tells them, or a SYN cookie's echo.
     */
    void useOptions(TcpConnection<P> c, int peerWindowScale, boolean peerTimestamps, boolean peerSack, int peerMss) {
        c.windowScaling = cfg.windowScaling() && peerWindowScale >= 0;
        c.sndShift = c.windowScaling ? Math.min(14, peerWindowScale) : 0; // RFC 7323 §2.3: cap at 14
        c.rcvShift = c.windowScaling ? ourWindowShift() : 0;
        c.timestamps = cfg.timestamps() && peerTimestamps;
        c.sackPermitted = cfg.sack() && peerSack;
        c.rack = cfg.rack() && c.sackPermitted;
        c.mss = segmentPayload(Math.min(peerMss, ourMss(c.remoteIp)), c.timestamps);
        c.cc.init(c.mss, cfg.hystart(), nif.now());
    }

    /** Payload bytes per segment for an MSS: less the timestamp option every segment carries, at least 64. */
    static int segmentPayload(int mss, boolean timestamps) {
        return Math.max(64, mss - (timestamps ? TcpOptions.TIMESTAMPS_ALIGNED_LENGTH : 0));
    }

    int ourWindowShift() {
        int shift = 0;
        while (shift < 14 && (cfg.receiveBuffer() >> shift) > 65535) {
            shift++;
        }
        return shift;
    }

    /**
     * The connection an ICMP error is about, or -1: it must name a live connection whose data from {@code seq} is
     * still in flight, SND.UNA <= seq < SND.MAX (RFC 5927 §7.2). A blind attacker cannot guess that range, so a
     * forged error can neither shrink our segments nor reach the application.
     */
    public int inFlightConnection(int remoteIp, int remotePort, int localPort, int seq) {
        int id = flows.get(FlowTable.key(remoteIp, remotePort, localPort));
        if (id < 0) {
            return -1;
        }
        TcpConnection<P> c = conns[id];
        return c.state != TcpState.CLOSED && Seq.ge(seq, c.sndUna) && Seq.lt(seq, c.sndMax) ? id : -1;
    }

    /**
     * The path MTU towards connection {@code id}'s peer dropped to {@code mtu}. When its segments no longer fit, it
     * takes the smaller MSS and sends what is in flight again at once (RFC 1191 §6.4): those segments were dropped
     * for their size, so neither the window nor the RTO is touched. During recovery the retransmissions already
     * under way simply use the new size.
     */
    public void pathMtuLowered(int id, int mtu) {
        TcpConnection<P> c = conns[id];
        int mss = segmentPayload(mtu - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH, c.timestamps);
        if (mss >= c.mss) {
            return;
        }
        stats.inc(Counter.TCP_PATH_MTU_REDUCTIONS);
        c.mss = mss;
        if (c.state.isSynchronized() && !c.inRecovery && c.sndMax != c.sndUna) {
            c.sndNxt = c.sndUna;
            c.rttTiming = false; // Karn: what is resent gives no sample
            output.output(c, true);
            updateTimer(c);
        }
    }

    /** MSS we can receive and send towards {@code remoteIp}: path MTU minus IPv4 and TCP headers. */
    int ourMss(int remoteIp) {
        return nif.pathMtu.get(remoteIp, nif.now()) - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH;
    }

    /** Half-open passive connections of all listeners (the per-context budget {@link TcpConfig#halfOpenLimit}). */
    int halfOpenCount() {
        int n = 0;
        for (int h : listenHalfOpen) {
            n += h;
        }
        return n;
    }

    private int findListener(int port) {
        for (int l = 0; l < listenPort.length; l++) {
            if (listenPort[l] == port) {
                return l;
            }
        }
        return -1;
    }

    // ---- connection life cycle ----

    TcpConnection<P> allocConnection(int remoteIp, int remotePort, int localPort) {
        if (freeConnCount == 0) {
            return null;
        }
        TcpConnection<P> c = conns[freeConns[--freeConnCount]];
        c.reset(cfg);
        c.remoteIp = remoteIp;
        c.remotePort = remotePort;
        c.localPort = localPort;
        c.key = FlowTable.key(remoteIp, remotePort, localPort);
        c.iss = isn.isn(nif.ip, localPort, remoteIp, remotePort, nif.now());
        c.tsOffset = tsOffset(c.key);
        c.sndUna = c.iss;
        c.sndNxt = c.iss;
        c.sndMax = c.iss;
        c.recover = c.iss; // RFC 6582 §3.2: recover starts at the ISS
        c.lastReceiveAt = nif.now();
        flows.put(c.key, c.index);
        return c;
    }

    /**
     * Our timestamp clock's offset for a 4-tuple: from the context's secret and the 4-tuple only (RFC 7323 §7.1), so
     * the same for every incarnation of the 4-tuple. TSval then grows from one incarnation to the next, which is
     * what lets the peer's TIME-WAIT tell our new SYN from an old duplicate (RFC 6191 §2); a SYN cookie's
     * connection continues the same clock.
     */
    int tsOffset(long key) {
        return (int) isn.sipHash24(key, 0x74736f6666L);
    }

    /** Frees everything the connection holds and returns its slot; its handle dies with it. */
    void release(TcpConnection<P> c) {
        if (c.state == TcpState.SYN_RECEIVED && c.listener >= 0) {
            listenHalfOpen[c.listener]--;
        }
        flows.remove(c.key);
        wheel.cancel(c.index);
        c.timerAt = Long.MAX_VALUE;
        for (int d = c.sendHead; d != SegmentPool.NONE; ) {
            int next = segs.next(d);
            freeSendSegment(c, d);
            d = next;
        }
        for (int d = c.oooHead; d != SegmentPool.NONE; ) {
            int next = segs.next(d);
            oooMemory -= c.oooCharge(segs.len(d));
            freeSegment(d);
            d = next;
        }
        c.sendHead = c.sendTail = c.oooHead = SegmentPool.NONE;
        c.state = TcpState.CLOSED;
        c.generation = (c.generation + 1) & TcpConnection.GENERATION_MASK;
        c.handler = null;
        c.attachment = null;
        freeConns[freeConnCount++] = c.index;
    }

    /** Frees a descriptor that holds a packet (out-of-order data, or sent data not copied), and the packet. */
    @SuppressWarnings("unchecked")
    void freeSegment(int d) {
        ops.free((P) segs.packet[d]);
        segs.release(d);
    }

    /** Frees a send-queue descriptor of {@code c} and its packet, if it has one. */
    void freeSendSegment(TcpConnection<P> c, int d) {
        if (segs.isInline(d)) {
            c.inlineSegments--;
            segs.release(d);
        } else {
            freeSegment(d);
        }
    }

    /** Tells the application (once) and frees the connection. */
    void close(TcpConnection<P> c, int reason) {
        notifyClosed(c, reason);
        if (reason == TcpCloseReason.TIMEOUT) {
            stats.inc(Counter.TCP_CLOSED_TIMEOUT);
        }
        release(c);
    }

    /** Fires {@code onClosed} if the application knows the connection and was not told yet. */
    void notifyClosed(TcpConnection<P> c, int reason) {
        if (c.appKnows) {
            c.appKnows = false;
            TcpEvents<P> h = c.handler;
            if (h != null) {
                h.onClosed(nif.stack, c.handle(), c.attachment, reason);
            }
        }
    }

    /**
     * Both FINs are through: the application is told ({@code onClosed(NORMAL)}, the handle dies as after any close)
     * and the 4-tuple waits 2 MSL (RFC 9293 §3.10.7.4) as a record in {@link #timeWait}, while the connection's
     * slot, queues and timer go back at once.
     */
    void enterTimeWait(TcpConnection<P> c) {
        c.state = TcpState.TIME_WAIT;
        if (c.ackPending) {
            output.sendAck(c); // the ACK of the peer's FIN: the end-of-run settlement passes freed slots by
        }
        int gen = c.generation;
        notifyClosed(c, TcpCloseReason.NORMAL);
        if (c.generation != gen) {
            return; // the application discarded the context from the callback
        }
        stats.inc(Counter.TCP_TIME_WAIT_ENTERED);
        if (timeWait.isFull()) {
            // The oldest record goes: it has waited longest. TIME-WAIT keeps old duplicates out of a new
            // incarnation of the 4-tuple and ACKs the peer's FIN if it comes again. With timestamps the first is
            // also PAWS's work (RFC 7323 §5, RFC 6191); without the record, a repeated FIN gets a RST, which ends the
            // peer's LAST-ACK all the same. A server must not stop accepting for want of TIME-WAIT room.
            stats.inc(Counter.TCP_TIME_WAIT_RECYCLED);
            if (timeWait.capacity() == 0) {
                release(c);
                return;
            }
            timeWait.remove(timeWait.oldest());
        }
        timeWait.insert(c.key, nif.now() + 2 * cfg.mslNanos(), c.remoteMac, c.sndMax, c.rcvNxt,
                Math.max(0, c.rcvAdv - c.rcvNxt), c.rcvShift, c.timestamps, c.tsRecent, c.tsOffset);
        release(c);
    }

    /**
     * Answers the current segment from TIME-WAIT record {@code r} with an ACK (SND.NXT, RCV.NXT, the last window and
     * a timestamp from the connection's clock): owed for the peer's repeated FIN, else a challenge ACK under the
     * RFC 5961 §7 rate limit.
     */
    void timeWaitAck(int r, boolean owed) {
        TimeWaitTable tw = timeWait;
        TcpConnection<P> c = detached;
        c.reset(cfg);
        long key = tw.key(r);
        c.key = key;
        c.remoteIp = FlowTable.remoteIp(key);
        c.remotePort = FlowTable.remotePort(key);
        c.localPort = FlowTable.localPort(key);
        c.remoteMac = tw.peerMac(r);
        c.state = TcpState.TIME_WAIT;
        c.sndUna = c.sndNxt = c.sndMax = tw.sndNxt(r);
        c.rcvNxt = tw.rcvNxt(r);
        c.rcvShift = tw.windowShift(r);
        c.rcvAdv = c.rcvNxt + tw.rcvWindow(r);
        c.rcvUnconsumed = Math.max(0, cfg.receiveBuffer() - tw.rcvWindow(r)); // advertise the window as it was
        c.timestamps = tw.timestamps(r);
        c.tsRecent = tw.tsRecent(r);
        c.tsOffset = tw.tsOffset(r);
        if (owed) {
            output.sendAck(c);
        } else {
            output.sendChallengeAck(c);
        }
    }

    /**
     * Keeps the wheel's entry for the connection at or before its earliest deadline. A deadline that moved later
     * (the RTO restarting on every ACK, the common case) is only recorded in {@code timerAt}: the early entry, when
     * it fires, brings a visit that finds nothing due and files the connection again ({@link #expireTimers}). With
     * thousands of connections that is one visit per retransmission timeout instead of a cache miss on the wheel per
     * segment.
     */
    void updateTimer(TcpConnection<P> c) {
        long t = Math.min(Math.min(Math.min(c.rtoAt, c.tlpAt), Math.min(c.ackAt, c.rackAt)),
                Math.min(c.keepaliveAt, c.stateAt));
        if (c.userTimeout > 0 && c.unackedSince != Long.MAX_VALUE) {
            t = Math.min(t, c.unackedSince + c.userTimeout);
        }
        if (t < c.timerAt) {
            wheel.schedule(c.index, t); // the entry (if any) is at or before the old timerAt, maybe after t
        }
        c.timerAt = t;
    }

    /** Marks that the connection owes an ACK; settled at the end of the run unless data carries it first. */
    void ackLater(TcpConnection<P> c, boolean now) {
        c.ackPending = true;
        c.ackNow |= now;
        if (!c.inPendingList) {
            c.inPendingList = true;
            c.nextPendingAck = pendingAckHead;
            pendingAckHead = c.index;
        }
    }

    /**
     * End of a run: every connection that owes an ACK and sent no data sends it now, or arms the delayed-ACK timer
     * (RFC 9293 §3.8.6.3: ACK at least every second full segment, at most 500 ms late). This is where iip's
     * piggybacking happens: a reply sent from a payload callback already carried the ACK.
     */
    public void settleAcks() {
        int id = pendingAckHead;
        pendingAckHead = -1;
        while (id >= 0) {
            TcpConnection<P> c = conns[id];
            id = c.nextPendingAck;
            c.inPendingList = false;
            if (!c.ackPending || c.state == TcpState.CLOSED) {
                continue;
            }
            if (c.ackNow || !c.delayedAck) {
                output.sendAck(c);
            } else if (c.ackAt == Long.MAX_VALUE) {
                c.ackAt = nif.now() + cfg.delayedAckNanos();
                updateTimer(c);
            }
        }
    }

    /**
     * TIME-WAIT records expired per run at most: a burst of closes expires as a burst 2 MSL later, spread over
     * runs (the next deadline is then due at once).
     */
    private static final int TIME_WAIT_EXPIRY_BATCH = 256;

    /** Fires due timers and expires TIME-WAIT records; returns a time at or before the next deadline. */
    public long expireTimers() {
        int n = wheel.expire(nif.now());
        int[] ids = wheel.expiredIds();
        for (int i = 0; i < n; i++) {
            TcpConnection<P> c = conns[ids[i]];
            c.timerAt = Long.MAX_VALUE; // no entry now: updateTimer files one at the deadline the connection has
            timers.fire(c);
        }
        if (n > 0) {
            settleAcks();
        }
        int expired = timeWait.expire(nif.now(), TIME_WAIT_EXPIRY_BATCH);
        if (expired > 0) {
            stats.add(Counter.TCP_TIME_WAIT_EXPIRED, expired);
        }
        return Math.min(wheel.nextDeadline(), timeWait.nextExpiry());
    }

    // ---- application calls ----

    /** The live connection a handle names, or {@code null}. */
    TcpConnection<P> lookup(int handle) {
        int index = TcpConnection.indexOf(handle);
        if (handle < 0 || index >= conns.length) {
            return null;
        }
        TcpConnection<P> c = conns[index];
        return c.alive(TcpConnection.generationOf(handle)) && c.appKnows ? c : null;
    }

    public int listen(int port, int backlog, TcpEvents<P> handler) {
        if (port < 1 || port > 65535 || backlog < 1 || handler == null) {
            return Result.INVALID_ARGUMENT;
        }
        if (findListener(port) >= 0) {
            return Result.ADDRESS_IN_USE;
        }
        int l = findListener(0);
        if (l < 0) {
            return Result.NO_SPACE;
        }
        listenPort[l] = port;
        listenBacklog[l] = backlog;
        listenHalfOpen[l] = 0;
        listenHandler[l] = handler;
        return Result.OK;
    }

    public int unlisten(int port) {
        int l = port < 1 ? -1 : findListener(port);
        if (l < 0) {
            return Result.NOT_BOUND;
        }
        listenPort[l] = 0;
        listenHandler[l] = null;
        // Half-open connections of this listener finish or time out on their own; they keep their handler.
        for (TcpConnection<P> c : conns) {
            if (c.listener == l) {
                c.listener = -1;
            }
        }
        return Result.OK;
    }

    /** Active open; returns a handle (>= 0) or a negative {@link Result}. */
    public int connect(int remoteIp, int remotePort, int localPort, TcpEvents<P> handler, Object attachment) {
        if (remoteIp == 0 || nif.isBroadcast(remoteIp) || remotePort < 1 || remotePort > 65535 || localPort < 0
                || localPort > 65535 || handler == null) {
            return Result.INVALID_ARGUMENT;
        }
        long mac = nif.resolve(remoteIp);
        if (mac == NetInterface.UNREACHABLE) {
            return Result.UNRESOLVED;
        }
        if (localPort == 0) {
            localPort = pickEphemeral(remoteIp, remotePort);
            if (localPort == 0) {
                return Result.ADDRESS_IN_USE;
            }
        } else if (inUse(FlowTable.key(remoteIp, remotePort, localPort))) {
            return Result.ADDRESS_IN_USE;
        }
        TcpConnection<P> c = allocConnection(remoteIp, remotePort, localPort);
        if (c == null) {
            return Result.TOO_MANY_CONNECTIONS;
        }
        c.handler = handler;
        c.attachment = attachment;
        c.appKnows = true;
        c.remoteMac = mac;
        c.state = TcpState.SYN_SENT;
        c.windowScaling = cfg.windowScaling();
        c.rcvShift = c.windowScaling ? ourWindowShift() : 0;
        c.timestamps = cfg.timestamps();
        c.sackPermitted = cfg.sack();
        c.mss = ourMss(remoteIp);
        stats.inc(Counter.TCP_ACTIVE_OPENS);
        output.sendSyn(c);
        updateTimer(c);
        return c.handle();
    }

    /** Whether a connection or a TIME-WAIT record holds the 4-tuple. */
    private boolean inUse(long key) {
        return flows.get(key) >= 0 || timeWait.find(key) != TimeWaitTable.NONE;
    }

    private int pickEphemeral(int remoteIp, int remotePort) {
        int low = cfg.ephemeralLow();
        int span = cfg.ephemeralHigh() - low + 1;
        for (int i = 0; i < span; i++) {
            int port = low + Math.floorMod(nextEphemeral - low + i, span);
            if (!inUse(FlowTable.key(remoteIp, remotePort, port)) && findListener(port) < 0) {
                nextEphemeral = port + 1;
                return port;
            }
        }
        return 0;
    }

    /**
     * Queues {@code payload} for sending; zero-copy (the packet stays in the send queue until acknowledged).
     * Allowed from SYN-SENT on, until the application shuts its direction down.
     */
    public int send(int handle, P payload, int flags) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        if (payload == null || ops.chainNext(payload) != null) {
            return Result.INVALID_ARGUMENT;
        }
        if (c.finQueued || c.state != TcpState.ESTABLISHED && c.state != TcpState.CLOSE_WAIT
                && c.state != TcpState.SYN_SENT && c.state != TcpState.SYN_RECEIVED) {
            return Result.WRONG_STATE;
        }
        int len = ops.length(payload);
        if (len == 0) {
            ops.free(payload);
            return Result.OK;
        }
        if (c.queued + (long) len > cfg.sendBuffer()) {
            return Result.WOULD_BLOCK;
        }
        // Without scatter-gather every payload is copied behind the headers anyway; a small one is copied into the
        // send queue too, and its packet goes back at once instead of waiting (cold, with thousands of connections)
        // for the peer's ACK.
        boolean copy = len <= SegmentPool.INLINE_BYTES && !nif.has(NicFeatures.TX_SCATTER_GATHER);
        int d = copy ? segs.allocInline(ops.buffer(payload), ops.offset(payload), c.sendEnd(), len)
                : segs.alloc(payload, c.sendEnd(), ops.offset(payload), len);
        if (d == SegmentPool.NONE) {
            return Result.WOULD_BLOCK;
        }
        if (copy) {
            ops.free(payload);
            c.inlineSegments++;
        }
        if (c.sendTail == SegmentPool.NONE) {
            c.sendHead = d;
        } else {
            segs.next(c.sendTail, d);
        }
        c.sendTail = d;
        c.queued += len;
        if (c.state.isSynchronized()) {
            output.output(c, (flags & TcpSendFlags.MORE) == 0);
            updateTimer(c);
        }
        return Result.OK;
    }

    public int rxConsumed(int handle, int bytes) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        if (bytes < 0) {
            return Result.INVALID_ARGUMENT;
        }
        c.rcvUnconsumed -= Math.min(bytes, c.rcvUnconsumed);
        if (c.state.isSynchronized() && output.windowUpdateWorthSending(c)) {
            if (nif.inRun()) {
                // From a callback: settled once at the end of the run, or carried by a reply sent meanwhile. An
                // ACK sent at once would, while the out-of-order queue drains, acknowledge part of the data only
                // (a partial ACK that makes the peer retransmit in NewReno recovery).
                ackLater(c, true);
            } else {
                output.sendAck(c);
            }
        }
        return Result.OK;
    }

    public int shutdownOutput(int handle) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        return shutdown(c);
    }

    private int shutdown(TcpConnection<P> c) {
        if (c.finQueued) {
            return Result.OK;
        }
        switch (c.state) {
            case SYN_SENT:
                close(c, TcpCloseReason.ABORTED); // RFC 9293 §3.10.4: nothing sent yet, delete the TCB
                return Result.OK;
            case SYN_RECEIVED:
                c.finQueued = true; // RFC 9293 §3.10.4: queued until ESTABLISHED, then FIN-WAIT-1
                c.finSeq = c.sendEnd();
                return Result.OK;
            case ESTABLISHED:
                c.state = TcpState.FIN_WAIT_1;
                break;
            case CLOSE_WAIT:
                c.state = TcpState.LAST_ACK;
                break;
            default:
                return Result.WRONG_STATE;
        }
        c.finQueued = true;
        c.finSeq = c.sendEnd();
        output.output(c, true);
        updateTimer(c);
        return Result.OK;
    }

    /**
     * Closes both directions: our FIN follows queued data; data that arrives afterwards is answered with RST
     * (RFC 1122 §4.2.2.13). {@code onClosed} fires when the exchange completes.
     */
    public int close(int handle) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        c.appClosed = true;
        if (c.state == TcpState.FIN_WAIT_2) {
            c.stateAt = nif.now() + cfg.finWait2TimeoutNanos();
            updateTimer(c);
            return Result.OK;
        }
        int r = shutdown(c);
        return r == Result.WRONG_STATE ? Result.OK : r; // already closing: closing is idempotent
    }

    /** Sends RST and forgets the connection; {@code onClosed(ABORTED)} fires before this returns. */
    public int abort(int handle) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        if (c.state != TcpState.SYN_SENT) {
            output.sendReset(c.remoteIp, c.remoteMac, c.localPort, c.remotePort, c.sndNxt, 0, TcpHeader.FLAG_RST);
        }
        close(c, TcpCloseReason.ABORTED);
        return Result.OK;
    }

    public int setNoDelay(int handle, boolean noDelay) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        c.nagle = !noDelay;
        return Result.OK;
    }

    public int setDelayedAck(int handle, boolean on) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        c.delayedAck = on;
        return Result.OK;
    }

    public int setKeepalive(int handle, long idleNanos, long intervalNanos, int count) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        if (idleNanos < 0 || intervalNanos <= 0 || count < 1) {
            return Result.INVALID_ARGUMENT;
        }
        c.keepaliveIdle = idleNanos;
        c.keepaliveInterval = intervalNanos;
        c.keepaliveCount = count;
        c.keepaliveProbes = 0;
        c.keepaliveAt = idleNanos > 0 && c.state.isSynchronized() ? c.lastReceiveAt + idleNanos : Long.MAX_VALUE;
        updateTimer(c);
        return Result.OK;
    }

    public int setCongestionControl(int handle, CongestionAlgorithm algorithm) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        if (algorithm == null) {
            return Result.INVALID_ARGUMENT;
        }
        CongestionControl next = algorithm == CongestionAlgorithm.CUBIC ? c.cubic : c.newReno;
        if (next != c.cc) {
            c.cc = next;
            next.init(c.mss, cfg.hystart(), nif.now()); // a fresh start: RFC 6928 initial window, slow start
            c.inRecovery = false;
            c.recover = c.sndMax;
        }
        return Result.OK;
    }

    public int setUserTimeout(int handle, long nanos) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        if (nanos < 0) {
            return Result.INVALID_ARGUMENT;
        }
        c.userTimeout = nanos;
        updateTimer(c);
        return Result.OK;
    }

    /** The state of a connection, or {@code null} for a dead handle. */
    public TcpState state(int handle) {
        TcpConnection<P> c = lookup(handle);
        return c == null ? null : c.state;
    }

    public int info(int handle, TcpInfo out) {
        TcpConnection<P> c = lookup(handle);
        if (c == null) {
            return Result.BAD_HANDLE;
        }
        out.state = c.state;
        out.cwnd = c.cc.cwnd();
        out.ssthresh = c.cc.ssthresh();
        out.srttNanos = c.srtt;
        out.rttvarNanos = c.rttvar;
        out.rtoNanos = c.rto;
        out.bytesInFlight = c.inFlight();
        out.bytesQueued = c.queued;
        out.sendWindow = c.sndWnd;
        out.receiveWindow = Math.max(0, c.rcvAdv - c.rcvNxt);
        out.mss = c.mss;
        out.windowScaling = c.windowScaling;
        out.timestamps = c.timestamps;
        out.sackPermitted = c.sackPermitted;
        out.retransmits = c.retransmits;
        out.inRecovery = c.inRecovery;
        return Result.OK;
    }

    /** Connections in use, every state but TIME-WAIT included. */
    public int connectionCount() {
        return conns.length - freeConnCount;
    }

    /** 4-tuples in TIME-WAIT (records in {@link #timeWait}). */
    public int timeWaitCount() {
        return timeWait.size();
    }

    /** Frees every connection and TIME-WAIT record without telling anyone (the context is being discarded). */
    public void clear() {
        for (TcpConnection<P> c : conns) {
            if (c.state != TcpState.CLOSED) {
                release(c);
            }
        }
        timeWait.clear();
    }
}
