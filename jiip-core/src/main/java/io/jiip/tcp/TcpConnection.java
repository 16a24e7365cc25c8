package io.jiip.tcp;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpState;

/**
 * The state of one connection (the TCB of RFC 9293 §3.3.1). Preallocated in a table at construction and recycled;
 * {@code generation} makes every incarnation's handle distinct. Plain fields, read and written by the TCP layer's
 * concerns ({@link TcpLayer}, {@link TcpInput}, {@link TcpOutput}, {@link TcpTimers}, {@link LossRecovery}).
 */
abstract class TcpConnectionHotFields<P> extends CongestionWindow {
    // A segment of an established connection reads and writes these (and the window they extend); the colder rest
    // is in TcpConnection. HotSpot lays out a superclass's fields before its subclass's, so these share the object's
    // first cache lines (about five) instead of being spread over all of it: with 10,000 connections no TCB stays
    // cached between two segments, and every line touched is a miss.
    final int index;
    int generation;
    TcpState state = TcpState.CLOSED;
    TcpEvents<P> handler;
    Object attachment;
    /** The application has seen this connection (accepted, connected, or a connect call it made). */
    boolean appKnows;
    /** {@code close()} was called: the application takes no more data. */
    boolean appClosed;

    int remoteIp;
    int remotePort;
    int localPort;
    long remoteMac;

    // send sequence space, RFC 9293 §3.3.1
    int sndUna;
    int sndNxt;
    /** Highest sequence number sent plus one (sndNxt may be rewound for retransmission). */
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    int maxSndWnd;
    int sndShift;
    int sendHead = SegmentPool.NONE;
    int sendTail = SegmentPool.NONE;
    /** Bytes in the send queue (acknowledged bytes leave it). */
    int queued;
    /** Send-queue descriptors holding their bytes themselves ({@link SegmentPool#INLINE}): no scatter-gather then. */
    int inlineSegments;
    boolean finQueued;
    /** Sequence number of our FIN once queued (end of data). */
    int finSeq;

    // receive sequence space
    int rcvNxt;
    /** Right edge of the window we last advertised; never moves left (RFC 9293 §3.8.6). */
    int rcvAdv;
    int rcvShift;
    int rcvUnconsumed;
    int oooHead = SegmentPool.NONE;
    boolean finReceived;
    /** A FIN that arrived ahead of missing data waits here until rcvNxt reaches it. */
    boolean finPending;

    // options (RFC 7323, RFC 2018)
    boolean timestamps;
    boolean sackPermitted;
    boolean windowScaling;
    /** RACK loss detection (RFC 8985 §6) is on: configured, and SACK was negotiated. */
    boolean rack;
    int tsRecent;
    int tsOffset;
    int lastAckSent;

    // RTT (RFC 6298 state, kept by the context's RttEstimator) and congestion
    long srtt;
    long rttvar;
    long rto;
    boolean rttSampled;
    CongestionControl cc;
    /** The scoreboard holds ranges (kept here so that loss-free ACKs need not look at it). */
    boolean sacked;
    /** The ACK being processed advanced SND.UNA during SACK recovery (allows the rescue retransmission). */
    boolean partialAck;
    boolean rttTiming;
    int rttSeq;
    long rttStart;
    int dupAcks;
    boolean inRecovery;
    /**
     * With RACK: the recovery after a retransmission timeout, until SND.UNA passes {@link #recover}; what RACK
     * marks lost is retransmitted within the congestion window ({@link LossRecovery#onTimeout}).
     */
    boolean rtoRecovery;
    int recover;
    /** The last ACK found the flow application-limited ({@link CongestionWindow#windowLimited}). */
    boolean appLimited;
    /**
     * The last {@code output} held data back to send a larger super-segment on the next ACK (TSO deferral): the
     * window limited that flight, even though it left room unused, so the ACK counts as window-limited.
     */
    boolean sendDeferred;

    // timers: absolute deadlines, Long.MAX_VALUE = off; the wheel holds their minimum
    long rtoAt = Long.MAX_VALUE;
    /** Tail loss probe deadline (RFC 8985 §7), and whether a probe is out since the last ACK advance. */
    long tlpAt = Long.MAX_VALUE;
    boolean tlpProbing;
    /** RACK reordering timer (RFC 8985 §6.2 step 5): detect losses again once the window has passed. */
    long rackAt = Long.MAX_VALUE;
    boolean persist;
    long ackAt = Long.MAX_VALUE;
    long keepaliveAt = Long.MAX_VALUE;
    long stateAt = Long.MAX_VALUE;
    long lastReceiveAt;
    /** When the oldest unacknowledged data was first sent (user timeout), or Long.MAX_VALUE. */
    long unackedSince = Long.MAX_VALUE;
    long userTimeout;
    /** The earliest of the deadlines above as last computed; the wheel's entry is at or before it (TcpLayer). */
    long timerAt = Long.MAX_VALUE;

    // ACK state
    boolean ackPending;
    boolean ackNow;
    /** A duplicate segment arrived: the next ACK reports it in a D-SACK block (RFC 2883), {@code dsackLeft..}. */
    boolean dsackPending;
    int fullSegmentsUnacked;
    /** Intrusive list of connections with an ACK to settle at the end of the run. */
    int nextPendingAck = -1;
    boolean inPendingList;

    /** Retransmissions since the last ACK that advanced SND.UNA (every such ACK clears it). */
    int retries;
    /**
     * RACK.min_RTT, windowed: the smallest sample of the last {@link RackLossDetection#MIN_RTT_WINDOW}. Updated by
     * every timed RTT sample, so kept here rather than with the rest of RACK's state.
     */
    long rackMinRtt;
    long rackMinRttAt;

    // per-connection options
    boolean nagle;
    boolean delayedAck;

    TcpConnectionHotFields(int index) {
        this.index = index;
    }

    /**
     * Reads one field in each cache line of the hot fields (here and in {@link CongestionWindow}) and returns their
     * sum, for {@link BatchWarmer} to sink: every line is then loaded, with eleven loads rather than eighty, so the
     * warm-up's own cost stays small. Which fields share a line is the JVM's choice: HotSpot puts longs first, then
     * ints, booleans and references, so a new or retyped field moves the rest. {@code BatchWarmerTest} reads the
     * actual offsets and fails when a line holding a hot field has no field read here: add one of that line then.
     */
    final long touchHotLines() {
        return mss + rto + rtoAt + unackedSince + sndUna + rcvNxt + lastAckSent + nextPendingAck
                + (ackPending ? 1 : 0) + state.ordinal() + (cc != null ? 1 : 0);
    }
}

/**
 * The state of one connection (the TCB of RFC 9293 §3.3.1). Preallocated in a table at construction and recycled;
 * {@code generation} makes every incarnation's handle distinct. Plain fields, read and written by the TCP layer's
 * concerns ({@link TcpInput}, {@link TcpOutput}, {@link TcpTimers}); those of the per-segment path are declared in
 * {@link TcpConnectionHotFields}.
 */
final class TcpConnection<P> extends TcpConnectionHotFields<P> {
    /** A handle is {@code generation << INDEX_BITS | index}: the generation takes the bits left below the sign. */
    static final int INDEX_BITS = 20;
    static final int INDEX_MASK = (1 << INDEX_BITS) - 1;
    /** Generations wrap within this mask, so that handles stay non-negative (negative results are errors). */
    static final int GENERATION_MASK = (1 << (Integer.SIZE - 1 - INDEX_BITS)) - 1;

    int listener = -1;
    long key;
    int iss;
    int irs;
    /** Out-of-order queue charge: {@link #oooCharge} of each held segment. */
    int oooBytes;
    /** Start of the most recently queued out-of-order segment: its block goes first in our SACK option. */
    int lastOooSeq;
    int finPendingSeq;
    /** The duplicate data a pending D-SACK block reports. */
    int dsackLeft;
    int dsackRight;

    // Set once, by table(): allocated after every connection of the table.
    NewReno newReno;
    Cubic cubic;
    SackScoreboard scoreboard;
    /** RFC 6675 HighRxt: the highest sequence number retransmitted in the current recovery. */
    int highRxt;
    /** RFC 6675 RescueRxt, valid once a rescue retransmission was made in this recovery. */
    int rescueRxt;
    boolean rescueDone;
    long retransmits;

    // RACK (RFC 8985 §6): read and written only on ACKs that carry or clear SACK information, during recovery,
    // and by the reordering timer; loss-free ACKs leave it alone.
    /** RACK.xmit_ts and RACK.end_seq: the most recently sent segment known to be delivered. */
    long rackXmitTs;
    int rackEndSeq;
    /** Whether RACK.xmit_ts/end_seq name a segment yet. */
    boolean rackHasReference;
    /** RACK.rtt: the round-trip time of that segment. */
    long rackRtt;
    /** RACK.fack: the highest sequence number delivered, to tell reordering. */
    int rackFack;
    boolean rackReorderingSeen;
    /** RACK.reo_wnd_mult and RACK.reo_wnd_persist (RFC 8985 §6.2 step 4). */
    int rackReoWndMult;
    int rackReoWndPersist;
    /** RACK.dsack_round: SND.NXT when the window last grew; it grows once per round trip. */
    int rackDsackRound;
    boolean rackDsackRoundActive;

    int keepaliveProbes;
    long keepaliveIdle;
    long keepaliveInterval;
    int keepaliveCount;

    private TcpConnection(int index) {
        super(index);
    }

    /**
     * A table of {@code n} connections, indices 0 to n - 1. All the connections are allocated first and their
     * congestion controllers and scoreboards after them, so that the connections lie side by side in memory (a
     * copying collector that scans the table moves them in its order): connections used in turn, as the traffic of
     * thousands of connections often is, are then a regular stride apart, which the CPU's prefetcher follows.
     */
    @SuppressWarnings("unchecked")
    static <P> TcpConnection<P>[] table(int n) {
        TcpConnection<P>[] table = (TcpConnection<P>[]) new TcpConnection<?>[n];
        for (int i = 0; i < n; i++) {
            table[i] = new TcpConnection<>(i);
        }
        for (TcpConnection<P> c : table) {
            c.cubic = new Cubic(c);
            c.newReno = new NewReno(c);
            c.scoreboard = new SackScoreboard(16);
            c.cc = c.newReno;
        }
        return table;
    }

    /** Clears everything for a new incarnation (the generation is bumped on release, not here). */
    void reset(TcpConfig cfg) {
        state = TcpState.CLOSED;
        handler = null;
        attachment = null;
        appKnows = false;
        appClosed = false;
        listener = -1;
        sndUna = sndNxt = sndMax = sndWnd = sndWl1 = sndWl2 = maxSndWnd = sndShift = 0;
        sendHead = sendTail = SegmentPool.NONE;
        queued = 0;
        inlineSegments = 0;
        finQueued = false;
        rcvNxt = rcvAdv = rcvShift = rcvUnconsumed = oooBytes = 0;
        oooHead = SegmentPool.NONE;
        finReceived = false;
        finPending = false;
        timestamps = sackPermitted = windowScaling = rack = false;
        tsRecent = 0;
        lastAckSent = 0;
        srtt = rttvar = 0;
        rttSampled = false;
        rto = cfg.initialRtoNanos(); // RFC 6298 §2.1: 1 s before any sample
        cc = cfg.congestionControl() == CongestionAlgorithm.CUBIC ? cubic : newReno;
        scoreboard.clear();
        sacked = false;
        highRxt = 0;
        rttTiming = false;
        dupAcks = 0;
        inRecovery = false;
        rtoRecovery = false;
        appLimited = false;
        sendDeferred = false;
        retransmits = 0;
        rtoAt = ackAt = keepaliveAt = stateAt = tlpAt = rackAt = timerAt = Long.MAX_VALUE;
        rackXmitTs = rackRtt = rackMinRtt = rackMinRttAt = 0;
        rackEndSeq = rackFack = rackDsackRound = 0;
        rackHasReference = rackReorderingSeen = rackDsackRoundActive = false;
        rackReoWndMult = 1;
        rackReoWndPersist = 0;
        tlpProbing = false;
        persist = false;
        retries = 0;
        keepaliveProbes = 0;
        unackedSince = Long.MAX_VALUE;
        ackPending = ackNow = dsackPending = false;
        fullSegmentsUnacked = 0;
        nagle = cfg.nagle();
        delayedAck = cfg.delayedAck();
        keepaliveIdle = cfg.keepaliveIdleNanos();
        keepaliveInterval = cfg.keepaliveIntervalNanos();
        keepaliveCount = cfg.keepaliveCount();
        userTimeout = cfg.userTimeoutNanos();
    }

    int handle() {
        return (generation << INDEX_BITS) | index;
    }

    /**
     * Whether the incarnation {@code gen} (this connection's {@code generation} when it was read) is still open. An
     * application callback may close the connection, or close it and open a new incarnation in the same slot (a new
     * generation): code that goes on with a connection after a callback checks this first.
     */
    boolean alive(int gen) {
        return generation == gen && state != TcpState.CLOSED;
    }

    static int indexOf(int handle) {
        return handle & INDEX_MASK;
    }

    static int generationOf(int handle) {
        return handle >>> INDEX_BITS;
    }

    /** What holding an out-of-order segment of {@code len} data bytes costs: at least an MSS (its buffer). */
    int oooCharge(int len) {
        return Math.max(len, mss);
    }

    /** Bytes sent and not yet acknowledged (a FIN in flight counts as one). */
    int inFlight() {
        return sndMax - sndUna;
    }

    /** Sequence number just after the last queued data byte. */
    int sendEnd() {
        // Until our SYN is acknowledged the data starts behind it; a comparison with the ISS would break after
        // 2 GiB of transfer, when SND.UNA is more than half the sequence space away from it.
        boolean synAcked = state != TcpState.SYN_SENT && state != TcpState.SYN_RECEIVED;
        return (synAcked ? sndUna : iss + 1) + queued;
    }
}
