package io.jiip.sim;

import io.jiip.api.Counter;
import io.jiip.api.Offload;
import io.jiip.api.RxChecksum;
import io.jiip.api.Stats;
import io.jiip.link.NicEmulation;
import io.jiip.link.Packet;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Watches how fast the TCP senders of a simulation recover from loss, from outside the stacks: every data segment
 * each stack pushes (before any egress drop or segmentation), every ACK it receives, and its
 * {@link Counter#TCP_TIMEOUTS} after each run. It checks speed, where {@link Invariants} check correctness.
 *
 * <p>Per sender flow (one direction of one connection) it keeps what a RACK sender knows (RFC 8985 §6.1): each
 * byte range's last transmission time, and which ranges the receiver reported delivered (cumulatively or by SACK).
 * From that it counts:
 *
 * <ul>
 *   <li><b>loss episodes</b>: from the first sign of loss (an ACK whose SACK blocks leave a hole at SND.UNA, a
 *       retransmission from SND.UNA, or a timeout) until SND.UNA passes what was sent when it began;</li>
 *   <li><b>retransmission timeouts</b>, each attributed to the flow whose SND.UNA the node retransmitted in the run
 *       its timeout counter rose (a timeout that cannot be told apart from another flow's retransmission in the
 *       same run is counted as unattributed and never flagged);</li>
 *   <li><b>needless timeouts</b>: a timeout that fired although the sender had known, for at least
 *       {@link RecoveryThresholds#guard} (two smoothed RTTs of the flow, four RTT variations and a slack), that data
 *       sent <em>after</em> the last transmission of the hole had been delivered. That is RACK's loss condition
 *       (RFC 8985 §6.2): a RACK sender marks the hole lost within a reordering window of such news and its
 *       retransmission is acknowledged one RTT later, or is itself found lost the same way; a timeout can only mean
 *       that SACK information that sufficed was not used. Only flows whose sender runs RACK and negotiated SACK are
 *       judged.
 *       </li>
 * </ul>
 *
 * <p>Read only: attaching an audit does not change a single frame of the run. Not for corrupted links: frames are
 * checked like a NIC would and ignored when bad, but a flow's view is then no better than its sender's.
 */
public final class RecoveryAudit implements FrameObserver {
    private final Simulation sim;
    private final RecoveryThresholds thresholds;
    private final List<NodeAudit> nodes = new ArrayList<>();
    private final Map<Node, NodeAudit> byNode = new IdentityHashMap<>();
    private final TcpOptions options = new TcpOptions();

    private RecoveryAudit(Simulation sim, RecoveryThresholds thresholds) {
        this.sim = sim;
        this.thresholds = thresholds;
    }

    /** Watches every node of {@code sim} built so far; call before {@link Simulation#run}. */
    public static RecoveryAudit attach(Simulation sim, RecoveryThresholds thresholds) {
        RecoveryAudit audit = new RecoveryAudit(sim, thresholds);
        for (Node n : sim.nodes()) {
            NodeAudit na = new NodeAudit(n);
            audit.nodes.add(na);
            audit.byNode.put(n, na);
            n.observe(audit);
            n.afterRun(() -> audit.afterRun(na));
        }
        return audit;
    }

    public RecoveryThresholds thresholds() {
        return thresholds;
    }

    /** The flow {@code from} sends to {@code remoteIp:remotePort} (the first, if several), or null. */
    public Flow flowTo(Node from, int remoteIp, int remotePort) {
        NodeAudit na = byNode.get(from);
        for (Flow f : na == null ? List.<Flow>of() : na.flows) {
            if (f.remoteIp == remoteIp && f.remotePort == remotePort) {
                return f;
            }
        }
        return null;
    }

    // ---- observation ----

    @Override
    public void pushed(Node node, Packet frame, int totalLength) {
        NodeAudit na = byNode.get(node);
        ByteBuffer b = frame.buffer();
        int off = frame.offset();
        int l4 = tcpOffset(b, off, frame.length());
        if (na == null || l4 < 0) {
            return;
        }
        int ip = off + EthernetHeader.LENGTH;
        int thl = TcpHeader.headerLength(b, l4);
        if (thl < TcpHeader.MIN_LENGTH) {
            return;
        }
        int payload = (frame.txOffloads() & Offload.TCP_SEG) != 0
                ? totalLength - (l4 - off) - thl
                : Ipv4Header.totalLength(b, ip) - (l4 - ip) - thl;
        int flags = TcpHeader.flags(b, l4);
        int seq = TcpHeader.seq(b, l4);
        Flow f = na.flow(Ipv4Header.dst(b, ip), TcpHeader.srcPort(b, l4), TcpHeader.dstPort(b, l4), true);
        if ((flags & TcpHeader.FLAG_SYN) != 0) {
            options.parse(b, l4 + TcpHeader.MIN_LENGTH, thl - TcpHeader.MIN_LENGTH);
            f.synSent(seq, options.sackPermitted, na.runs);
            return;
        }
        int len = Math.max(payload, 0) + ((flags & TcpHeader.FLAG_FIN) != 0 ? 1 : 0);
        if (len > 0 && f.synchronized_) {
            if ((flags & TcpHeader.FLAG_FIN) != 0) {
                f.finOffset = f.unwrap(seq) + Math.max(payload, 0);
            }
            f.sent(sim.now(), seq, len, na.runs);
        } else if (len == 0 && (flags & (TcpHeader.FLAG_ACK | TcpHeader.FLAG_RST)) == TcpHeader.FLAG_ACK) {
            // A pure ACK: if the delayed-ACK timer sent it, the peer's flow may have been waiting for it.
            options.parse(b, l4 + TcpHeader.MIN_LENGTH, thl - TcpHeader.MIN_LENGTH);
            f.pureAckRun = na.runs;
            f.pureAckAt = sim.now();
            f.previousPureAckWithSack = f.pureAckWithSack;
            f.pureAckWithSack = holdsOutOfOrderData(TcpHeader.ack(b, l4));
        }
    }

    @Override
    public void received(Node node, Packet frame) {
        NodeAudit na = byNode.get(node);
        ByteBuffer b = frame.buffer();
        int off = frame.offset();
        int l4 = tcpOffset(b, off, frame.length());
        if (na == null || l4 < 0) {
            return;
        }
        int good = RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD;
        if ((NicEmulation.verifyRx(b, off, frame.length(), EthernetHeader.LENGTH) & good) != good) {
            return; // the stack drops it too
        }
        int ip = off + EthernetHeader.LENGTH;
        int thl = TcpHeader.headerLength(b, l4);
        if (thl < TcpHeader.MIN_LENGTH || l4 + thl > off + frame.length()) {
            return;
        }
        int flags = TcpHeader.flags(b, l4);
        Flow f = na.flow(Ipv4Header.src(b, ip), TcpHeader.dstPort(b, l4), TcpHeader.srcPort(b, l4),
                (flags & TcpHeader.FLAG_SYN) != 0);
        if (f == null || options.parse(b, l4 + TcpHeader.MIN_LENGTH, thl - TcpHeader.MIN_LENGTH) != TcpOptions.OK) {
            return;
        }
        if ((flags & TcpHeader.FLAG_SYN) != 0) {
            f.peerSack = options.sackPermitted;
        }
        if ((flags & TcpHeader.FLAG_RST) == 0 && (flags & TcpHeader.FLAG_ACK) != 0 && f.synchronized_) {
            f.acked(sim.now(), TcpHeader.ack(b, l4), options, na.runs);
        }
    }

    /**
     * Whether the SACK blocks just parsed report data above {@code ack}: out-of-order data the receiver holds. A
     * block at or below it is a D-SACK (RFC 2883), a duplicate, not a hole.
     */
    private boolean holdsOutOfOrderData(int ack) {
        for (int i = 0; i < options.sackBlocks; i++) {
            if (options.sackRight[i] - ack > 0) {
                return true;
            }
        }
        return false;
    }

    /** The TCP header's offset in an IPv4 frame (not a fragment), or -1. */
    private static int tcpOffset(ByteBuffer b, int off, int len) {
        if (len < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH
                || (b.getShort(off + 12) & 0xffff) != EthernetHeader.TYPE_IPV4) {
            return -1;
        }
        int ip = off + EthernetHeader.LENGTH;
        if (Ipv4Header.protocol(b, ip) != Ipv4Header.PROTO_TCP
                || (b.getShort(ip + Ipv4Header.Offset.FLAGS_FRAGMENT) & (Ipv4Header.FLAG_MF
                        | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
            return -1;
        }
        int l4 = ip + Ipv4Header.headerLength(b, ip);
        return l4 + TcpHeader.MIN_LENGTH <= off + len ? l4 : -1;
    }

    /**
     * After each run of a node's stack: attributes the timeouts, tail loss probes and delayed ACKs its counters gained
     * to the flows that took or sent them.
     */
    private void afterRun(NodeAudit na) {
        Stats s = na.node.stack().stats();
        long probes = s.get(Counter.TCP_TLP_PROBES);
        long probeDelta = probes - na.probes;
        na.probes = probes;
        if (probeDelta > 0) {
            // A probe fires from the timer (RFC 8985 §7.3): in a run where the flow sent data and heard nothing.
            List<Flow> candidates = new ArrayList<>();
            for (Flow f : na.flows) {
                if (f.lastPushRun == na.runs && f.lastAckRun != na.runs) {
                    candidates.add(f);
                }
            }
            if (candidates.size() <= probeDelta) {
                for (Flow f : candidates) {
                    f.probe(sim.now(), thresholds);
                }
            }
        }
        long delayedAcks = s.get(Counter.TCP_DELAYED_ACKS);
        long ackDelta = delayedAcks - na.delayedAcks;
        na.delayedAcks = delayedAcks;
        if (ackDelta > 0) {
            List<Flow> candidates = new ArrayList<>();
            for (Flow f : na.flows) {
                if (f.pureAckRun == na.runs) {
                    candidates.add(f);
                }
            }
            if (candidates.size() <= ackDelta) {
                for (Flow f : candidates) {
                    Flow sender = peerFlow(na, f);
                    // Holding out-of-order data (SACK blocks), or just after filling a gap (the ACK before had
                    // blocks), the receiver should not have waited (RFC 5681 §4.2): its fault, not excused.
                    if (sender != null && !f.pureAckWithSack && !f.previousPureAckWithSack) {
                        sender.peerDelayedAckAt = f.pureAckAt;
                    }
                }
            }
        }
        long timeouts = s.get(Counter.TCP_TIMEOUTS);
        long delta = timeouts - na.timeouts;
        na.timeouts = timeouts;
        if (delta > 0) {
            List<Flow> candidates = new ArrayList<>();
            for (Flow f : na.flows) {
                if (f.retransmittedUnaInRun == na.runs) {
                    candidates.add(f);
                }
            }
            if (candidates.size() <= delta) {
                for (Flow f : candidates) {
                    if (f.handshakeRetransmitRun == na.runs) {
                        na.handshakeTimeouts++;
                    } else {
                        f.timeout(sim.now(), thresholds);
                    }
                }
                na.unattributedTimeouts += delta - candidates.size();
            } else {
                na.unattributedTimeouts += delta;
            }
        }
        na.runs++;
    }

    /** The flow of the other direction of {@code f}'s connection, as its sender's node sees it, or null. */
    private Flow peerFlow(NodeAudit na, Flow f) {
        for (NodeAudit other : nodes) {
            if (other.node.ip() == f.remoteIp) {
                Flow p = other.flow(na.node.ip(), f.remotePort, f.localPort, false);
                return p != null && p.synchronized_ ? p : null;
            }
        }
        return null;
    }

    // ---- results ----

    /** Every sender flow seen (one direction of a connection that carried data or a SYN), in order of appearance. */
    public List<Flow> flows() {
        List<Flow> all = new ArrayList<>();
        for (NodeAudit na : nodes) {
            all.addAll(na.flows);
        }
        return all;
    }

    /** Timeouts of data flows (attributed), summed. */
    public long timeouts() {
        return sumOverFlows(f -> f.timeouts);
    }

    /** Timeouts that fired although SACK information sufficed, summed over the flows. */
    public long needlessTimeouts() {
        return sumOverFlows(f -> f.needless);
    }

    public long episodes() {
        return sumOverFlows(f -> f.episodes);
    }

    /** Timeouts that repeated an earlier one of the same loss episode with no ACK in between (never counted). */
    public long blindTimeouts() {
        return sumOverFlows(f -> f.blindTimeouts);
    }

    private long sumOverFlows(ToLongFunction<Flow> field) {
        long n = 0;
        for (Flow f : flows()) {
            n += field.applyAsLong(f);
        }
        return n;
    }

    /** Timeouts a node counted that could not be tied to one flow (never flagged). */
    public long unattributedTimeouts() {
        long n = 0;
        for (NodeAudit na : nodes) {
            n += na.unattributedTimeouts;
        }
        return n;
    }

    /** Timeouts of SYNs and SYN-ACKs. */
    public long handshakeTimeouts() {
        long n = 0;
        for (NodeAudit na : nodes) {
            n += na.handshakeTimeouts;
        }
        return n;
    }

    /** The sum of {@code counter} over every node's stack. */
    public long total(Counter counter) {
        long n = 0;
        for (NodeAudit na : nodes) {
            n += na.node.stack().stats().get(counter);
        }
        return n;
    }

    /**
     * Broken recovery invariants, per flow: needless timeouts beyond {@link RecoveryThresholds#maxNeedlessTimeouts},
     * and more timeouts than {@link RecoveryThresholds#allowedTimeouts} for its loss episodes (blind ones, see
     * {@link Flow#blindTimeouts}, not counted).
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Flow f : flows()) {
            long allowed = thresholds.allowedTimeouts(f.episodes);
            if (f.timeouts > allowed) {
                problems.add(String.format(Locale.ROOT, "recovery: %s took %d retransmission timeouts in %d loss "
                        + "episodes (at most %d in one; %d more blind); at most %d allowed", f.name, f.timeouts,
                        f.episodes, f.maxTimeoutsInEpisode, f.blindTimeouts, allowed));
            }
            if (f.needless > thresholds.maxNeedlessTimeouts()) {
                problems.add(String.format(Locale.ROOT, "recovery: %s took %d retransmission timeout(s) where SACK "
                        + "information sufficed (at most %d allowed); first: %s", f.name, f.needless,
                        thresholds.maxNeedlessTimeouts(), f.firstNeedless));
            }
        }
        return problems;
    }

    /** One line per flow that sent data, and the totals. */
    public void report(StringBuilder out) {
        out.append("loss recovery (RecoveryAudit):\n");
        for (Flow f : flows()) {
            if (f.sndMax > 0) {
                out.append("  ").append(f.summary()).append('\n');
            }
        }
        out.append(String.format(Locale.ROOT, "  all: %d loss episodes, %d timeouts (%d needless; %d blind, %d "
                + "unattributed, %d in handshakes besides); stacks: %d timeouts, %d tail loss probes, %d fast "
                + "retransmits, %d retransmitted segments%n", episodes(), timeouts(), needlessTimeouts(),
                blindTimeouts(), unattributedTimeouts(), handshakeTimeouts(), total(Counter.TCP_TIMEOUTS),
                total(Counter.TCP_TLP_PROBES),
                total(Counter.TCP_FAST_RETRANSMITS), total(Counter.TCP_RETRANSMITS)));
    }

    private static final class NodeAudit {
        final Node node;
        final List<Flow> flows = new ArrayList<>();
        final Map<Long, Flow> byKey = new HashMap<>();
        final boolean rack;
        long runs;
        long timeouts;
        long probes;
        long delayedAcks;
        long unattributedTimeouts;
        long handshakeTimeouts;

        NodeAudit(Node node) {
            this.node = node;
            this.rack = node.config().tcp().rack() && node.config().tcp().sack();
        }

        Flow flow(int remoteIp, int localPort, int remotePort, boolean create) {
            long key = (long) remoteIp << 32 | (long) localPort << 16 | remotePort;
            Flow f = byKey.get(key);
            if (f == null && create) {
                f = new Flow(node.name() + ":" + localPort + ">" + Ipv4Address.toString(remoteIp) + ":" + remotePort,
                        rack, remoteIp, localPort, remotePort);
                byKey.put(key, f);
                flows.add(f);
            }
            return f;
        }
    }

    /** A byte range of a flow with the time it was last sent. */
    private static final class Range {
        long end;
        long firstSent;
        long lastSent;
        boolean retransmitted;
        boolean delivered;

        Range(long end, long sent) {
            this.end = end;
            this.firstSent = sent;
            this.lastSent = sent;
        }

        Range split(long at) {
            Range r = new Range(end, firstSent);
            r.lastSent = lastSent;
            r.retransmitted = retransmitted;
            r.delivered = delivered;
            end = at;
            return r;
        }
    }

    /**
     * One sender's view of one connection direction. Sequence numbers are kept as 64-bit offsets from the first
     * data byte (ISN + 1), unwrapped against SND.UNA, so that transfers beyond 4 GiB compare correctly.
     */
    public static final class Flow {
        final String name;
        final boolean rackSender;
        final int remoteIp;
        final int localPort;
        final int remotePort;
        boolean synchronized_;
        boolean ownSack;
        boolean peerSack;
        int firstSeq;
        /** The FIN's stream offset once sent (-1: not yet). */
        long finOffset = -1;
        long una;
        long sndMax;
        final TreeMap<Long, Range> ranges = new TreeMap<>();
        /**
         * (time the newest delivered data was last sent, time the sender learnt it), both increasing; data
         * delivered below the hole counts one nanosecond earlier, so that only a strictly later send shows the
         * hole lost.
         */
        final ArrayDeque<long[]> evidence = new ArrayDeque<>();
        long retransmittedUnaInRun = -1;
        long handshakeRetransmitRun = -1;
        long holeSentBeforeRetransmit = -1;
        long lastActivity;
        /** Before the last retransmission of SND.UNA: when the flow last sent, or last had news. */
        long idleSinceBeforeRetransmit;
        /** The run of the flow's last data push, and how long it had been idle before the first push of that run. */
        long lastPushRun = -1;
        long idleBeforeRunPush;
        long lastPushAt = -1;
        /** When the flow last tried to learn of a loss: a retransmission or a tail loss probe (-1: never). */
        long lastAttemptAt = -1;
        /** {@link #lastAttemptAt} before the run of its latest push (a timeout's own retransmission not counted). */
        long attemptBeforeRunAt = -1;
        long lastAckRun = -1;
        /** When an ACK last told the sender something new: SND.UNA advanced or newly SACKed data. */
        long lastNewsAt = -1;
        /** The last pure ACK this flow's node pushed (it acknowledges the peer's flow). */
        long pureAckRun = -1;
        long pureAckAt;
        boolean pureAckWithSack;
        boolean previousPureAckWithSack;
        /** When the peer's delayed-ACK timer last acknowledged this flow's data (-1: not since the last ACK). */
        long peerDelayedAckAt = -1;
        /**
         * How long the flow sat idle waiting for a timer (the waits the goodput model knows nothing of): before
         * each counted timeout that was not needless, and before each tail loss probe that was not.
         */
        final List<Long> timeoutWaits = new ArrayList<>();
        final List<Long> probeWaits = new ArrayList<>();
        /** The same before blind timeouts (all excused), and the silences the peer's delayed ACK ended. */
        long blindStallNanos;
        final List<Long> delayedAckWaitList = new ArrayList<>();
        /** The first transmission time of the data at SND.UNA when the first push of the latest run went out. */
        long holeSentBeforeRunPush = -1;

        long blindTimeouts;
        long probes;
        long delayedAckWaits;
        long maxRtt;
        long minRtt;
        long srtt;
        long rttvar;
        long rttSum;
        long rttSamples;
        boolean inEpisode;
        long recoveryPoint;
        int episodeTimeouts;
        long episodeStart;
        long episodes;
        long episodesWithTimeout;
        int maxTimeoutsInEpisode;
        long episodeNanos;
        long timeouts;
        long needless;
        String firstNeedless;
        long retransmittedSegments;
        long segments;

        Flow(String name, boolean rackSender, int remoteIp, int localPort, int remotePort) {
            this.name = name;
            this.rackSender = rackSender;
            this.remoteIp = remoteIp;
            this.localPort = localPort;
            this.remotePort = remotePort;
        }

        void synSent(int seq, boolean sack, long run) {
            if (synchronized_ && seq == firstSeq - 1) {
                handshakeRetransmitRun = run;
                retransmittedUnaInRun = run;
                return;
            }
            synchronized_ = true; // a first SYN, or a new connection on the same ports: start afresh
            ownSack = sack;
            firstSeq = seq + 1;
            una = 0;
            sndMax = 0;
            ranges.clear();
            evidence.clear();
            finOffset = -1;
            inEpisode = false;
        }

        private long unwrap(int seq) {
            return una + (seq - (int) (firstSeq + una));
        }

        void sent(long now, int seq, int len, long run) {
            long start = unwrap(seq);
            long end = start + len;
            if (end <= una) {
                return; // wholly acknowledged already (a window probe, or a late copy)
            }
            segments++;
            if (lastPushRun != run) {
                lastPushRun = run;
                idleBeforeRunPush = now - lastActivity;
                attemptBeforeRunAt = lastAttemptAt;
                Map.Entry<Long, Range> hole = ranges.firstEntry();
                holeSentBeforeRunPush = hole == null || hole.getValue().delivered ? -1 : hole.getValue().lastSent;
            }
            long previousPushAt = lastPushAt;
            lastPushAt = now;
            if (start < sndMax) {
                lastAttemptAt = now;
            }
            if (start < sndMax) {
                retransmittedSegments++;
                if (start <= una) {
                    Range hole = ranges.get(una);
                    holeSentBeforeRetransmit = hole == null ? -1 : hole.lastSent;
                    // The retransmission timer's wait: from the flow's last transmission or news (RFC 6298 §5.3
                    // restarts it only then); a segment that arrived with no news (a duplicate SYN-ACK, a
                    // duplicate ACK) does not end it.
                    idleSinceBeforeRetransmit = Math.max(previousPushAt, lastNewsAt);
                    retransmittedUnaInRun = run;
                    startEpisode(now);
                }
            }
            lastActivity = now;
            start = Math.max(start, una);
            if (end > sndMax) {
                ranges.put(sndMax, new Range(end, now));
                sndMax = end;
            }
            split(start);
            split(Math.min(end, sndMax));
            for (Range r : ranges.subMap(start, true, end, false).values()) {
                if (r.lastSent != now || r.firstSent != now) {
                    r.retransmitted = true;
                }
                r.lastSent = now;
            }
        }

        /** Makes {@code at} a range boundary (when it falls inside one). */
        private void split(long at) {
            Map.Entry<Long, Range> e = ranges.floorEntry(at);
            if (e != null && e.getKey() < at && e.getValue().end > at) {
                ranges.put(at, e.getValue().split(at));
            }
        }

        void acked(long now, int ackSeq, TcpOptions o, long run) {
            if (peerDelayedAckAt >= lastActivity) {
                // The peer held in-order data for its delayed-ACK timer (RFC 5681 §4.2 lets it, for one segment)
                // while this flow could send nothing: after a timer's lone segment, or when the ACKs of a
                // recovery were lost (no probe in recovery, RFC 8985 §7).
                delayedAckWaitList.add(now - lastActivity);
                delayedAckWaits++;
            }
            peerDelayedAckAt = -1;
            lastActivity = now;
            lastAckRun = run;
            long ack = unwrap(ackSeq);
            // RFC 2883: a first block below the cumulative ACK reports a duplicate; the delivery of a retransmission
            // it covers was the original's, and gives RACK no time reference (RFC 8985 §6.2 step 2), nor does one
            // reported sooner than a round trip (ambiguous). The echoed timestamp is not used: for a SACKed
            // retransmission it predates both transmissions (RFC 7323 §4.3).
            long dsackLeft = o.sackBlocks > 0 ? unwrap(o.sackLeft[0]) : 0;
            long dsackRight = o.sackBlocks > 0 && unwrap(o.sackRight[0]) <= Math.max(ack, una) ? unwrap(o.sackRight[0])
                    : dsackLeft;
            long newest = -1;
            long newestOnce = -1; // RTT from the newest delivered range sent once (Karn; RFC 8985 §6.2 step 2)
            if (ack > una && ack <= sndMax) {
                split(ack);
                while (!ranges.isEmpty() && ranges.firstKey() < ack) {
                    Map.Entry<Long, Range> e = ranges.pollFirstEntry();
                    Range r = e.getValue();
                    boolean duplicate = dsackLeft <= e.getKey() && r.end <= dsackRight;
                    if (!r.delivered && !(r.retransmitted && (duplicate || ambiguous(now, r)))) {
                        // Below the new hole: news only if sent strictly later (RFC 8985 §6.2, RACK_sent_after)
                        newest = Math.max(newest, r.lastSent - 1);
                        if (!r.retransmitted) {
                            newestOnce = Math.max(newestOnce, r.lastSent);
                        }
                    }
                }
                una = ack;
                lastNewsAt = now;
            }
            boolean hole = false;
            for (int i = 0; i < o.sackBlocks; i++) {
                long l = Math.max(unwrap(o.sackLeft[i]), una);
                long r = Math.min(unwrap(o.sackRight[i]), sndMax);
                if (r <= l) {
                    continue;
                }
                hole = true;
                split(l);
                split(r);
                for (Range x : ranges.subMap(l, true, r, false).values()) {
                    if (!x.delivered) {
                        x.delivered = true;
                        lastNewsAt = now;
                        if (x.retransmitted && ambiguous(now, x)) {
                            continue;
                        }
                        newest = Math.max(newest, x.lastSent); // above the hole: sent at the same time counts
                        if (!x.retransmitted) {
                            newestOnce = Math.max(newestOnce, x.lastSent);
                        }
                    }
                }
            }
            if (newestOnce >= 0) {
                rttSample(now - newestOnce);
            }
            if (newest >= 0 && (evidence.isEmpty() || newest > evidence.peekLast()[0])) {
                evidence.addLast(new long[] {newest, now});
            }
            // News older than the first transmission of the hole can never show it lost again.
            Range first = ranges.isEmpty() ? null : ranges.firstEntry().getValue();
            while (!evidence.isEmpty() && (first == null || evidence.peekFirst()[0] < first.firstSent)) {
                evidence.pollFirst();
            }
            if (hole) {
                startEpisode(now);
            }
            if (inEpisode && una >= recoveryPoint) {
                inEpisode = false;
                episodeNanos += now - episodeStart;
            }
        }

        /**
         * RFC 8985 §6.2 step 2: a retransmission reported delivered sooner than the smallest round trip seen was
         * the earlier transmission's delivery; RACK takes no time from it.
         */
        private boolean ambiguous(long now, Range r) {
            return rttSamples > 0 && now - r.lastSent < minRtt;
        }

        /** RFC 6298 §2 smoothing, and the largest and mean sample. */
        private void rttSample(long rtt) {
            if (rttSamples == 0) {
                srtt = rtt;
                rttvar = rtt / 2;
            } else {
                rttvar += (Math.abs(srtt - rtt) - rttvar) / 4;
                srtt += (rtt - srtt) / 8;
            }
            maxRtt = Math.max(maxRtt, rtt);
            minRtt = rttSamples == 0 ? rtt : Math.min(minRtt, rtt);
            rttSum += rtt;
            rttSamples++;
        }

        private void startEpisode(long now) {
            if (!inEpisode) {
                inEpisode = true;
                episodes++;
                episodeStart = now;
                episodeTimeouts = 0;
                recoveryPoint = sndMax;
            }
        }

        /**
         * A retransmission timeout. It is <em>blind</em> when the flow had done what it could since its last news
         * (an ACK that moved SND.UNA or SACKed new data): it retransmitted or sent a tail loss probe after that news,
         * and nothing new came back. Every frame sent since (or every ACK for them) was lost, so there was nothing
         * to learn and nothing to do but wait for the timer and retransmit, backed off (RFC 6298 §5.5); with burst
         * loss of frames (not of time) a chain of them is one burst swallowing each lone retransmission. Blind
         * timeouts are not counted against the budget, and their stalls are excused. A timeout is never blind when
         * the flow neither retransmitted nor probed since its last news: a lost tail with no probe, or a hole left
         * unrepaired (which, with SACK information, is needless too).
         */
        void timeout(long now, RecoveryThresholds t) {
            long holeSent = holeSentBeforeRetransmit;
            boolean blind = attemptBeforeRunAt >= 0 && lastNewsAt <= attemptBeforeRunAt;
            startEpisode(now);
            boolean needlessOne = isNeedless(now, holeSent, t, true);
            if (needlessOne) {
                needless++;
            }
            if (blind) {
                blindTimeouts++;
                if (!needlessOne) {
                    blindStallNanos += now - idleSinceBeforeRetransmit;
                }
                return;
            }
            timeouts++;
            if (++episodeTimeouts == 1) {
                episodesWithTimeout++;
            }
            maxTimeoutsInEpisode = Math.max(maxTimeoutsInEpisode, episodeTimeouts);
            if (!needlessOne) {
                timeoutWaits.add(now - idleSinceBeforeRetransmit);
            }
        }

        /**
         * A tail loss probe went out: the silence before it is a timer wait, unless the probe was needless (SACK
         * information had shown the hole lost, as for a needless timeout). Not capped at the probe timeout of RFC
         * 8985 §7.2 at the path's RTT: the sender's SRTT may legitimately be far above it (RFC 7323 §4.3 has a
         * receiver echo the timestamp from before a hole, so the sample that fills it spans the whole stall), and
         * PTO is never beyond the RTO; the budget of {@link #excusedStallNanos} bounds how many are excused.
         */
        void probe(long now, RecoveryThresholds t) {
            probes++;
            lastAttemptAt = lastPushAt;
            if (!isNeedless(now, holeSentBeforeRunPush, t, false)) {
                probeWaits.add(idleBeforeRunPush);
            }
        }

        /** RACK's loss condition held long enough before {@code now}; {@code describe}: keep the first as text. */
        private boolean isNeedless(long now, long holeSent, RecoveryThresholds t, boolean describe) {
            if (!rackSender || !ownSack || !peerSack || holeSent < 0) {
                return false;
            }
            long guard = t.guard(srtt, rttvar);
            for (long[] e : evidence) {
                if (e[0] >= holeSent) { // ties: SACKed data lies above the hole, so it was sent after it
                    if (e[1] <= now - guard) {
                        if (describe && firstNeedless == null) {
                            firstNeedless = String.format(Locale.ROOT, "at %s the hole at stream offset %d%s (last "
                                    + "sent at %s) timed out, though data sent at %s was reported delivered at %s, "
                                    + "%s before", Units.formatTime(now), una, una == finOffset ? " (the FIN)" : "",
                                    Units.formatTime(holeSent),
                                    Units.formatTime(e[0]), Units.formatTime(e[1]), Units.formatTime(now - e[1]));
                        }
                        return true;
                    }
                    return false;
                }
            }
            return false;
        }

        /**
         * The time the flow sat idle waiting for timers, from its last transmission or ACK, that a transfer is
         * excused for when judged against a goodput model: before every blind timeout; before its longest counted
         * timeouts, as many as {@link RecoveryThresholds#allowedTimeouts} for its loss episodes; before its
         * longest tail loss probes, as many again plus one per loss episode; and its longest waits for the peer's
         * delayed ACK, as many as for probes plus one per timer event.
         */
        public long excusedStallNanos(RecoveryThresholds t) {
            long allowed = t.allowedTimeouts(episodes);
            return blindStallNanos + longest(timeoutWaits, allowed) + longest(probeWaits, allowed + episodes)
                    + longest(delayedAckWaitList, allowed + episodes + probes + timeouts + blindTimeouts);
        }

        private static long longest(List<Long> waits, long count) {
            List<Long> sorted = new ArrayList<>(waits);
            sorted.sort(Comparator.reverseOrder());
            long sum = 0;
            for (int i = 0; i < Math.min(count, sorted.size()); i++) {
                sum += sorted.get(i);
            }
            return sum;
        }

        public String name() {
            return name;
        }

        /** Bytes sent (offsets: the FIN counts one). */
        public long bytes() {
            return sndMax;
        }

        public long episodes() {
            return episodes;
        }

        public long timeouts() {
            return timeouts;
        }

        /** Timeouts that repeated an earlier one of the episode with no ACK in between; not in {@link #timeouts}. */
        public long blindTimeouts() {
            return blindTimeouts;
        }

        /** Tail loss probes the flow's stack sent. */
        public long probes() {
            return probes;
        }

        /** Silences of the flow that the peer's delayed-ACK timer ended. */
        public long delayedAckWaits() {
            return delayedAckWaits;
        }

        public long needlessTimeouts() {
            return needless;
        }

        /** The first needless timeout, described (null: none). */
        public String firstNeedless() {
            return firstNeedless;
        }

        public int maxTimeoutsInEpisode() {
            return maxTimeoutsInEpisode;
        }

        public long episodesWithTimeout() {
            return episodesWithTimeout;
        }

        /** Mean RTT of the flow's samples (Karn), nanoseconds; 0 without samples. */
        public long meanRtt() {
            return rttSamples == 0 ? 0 : rttSum / rttSamples;
        }

        public long maxRtt() {
            return maxRtt;
        }

        /** Time spent in loss episodes (closed ones). */
        public long episodeNanos() {
            return episodeNanos;
        }

        public long retransmittedSegments() {
            return retransmittedSegments;
        }

        public boolean judged() {
            return rackSender && ownSack && peerSack;
        }

        String summary() {
            return String.format(Locale.ROOT, "%s: %s sent in %d pushes (%d retransmissions), %d loss episodes "
                    + "(%s in them), %d timeouts in %d episodes (at most %d in one), %d needless, %d blind%s; %d "
                    + "tail loss probes, %d waits for a delayed ACK; RTT mean %s, max %s", name,
                    Units.formatBytes(sndMax), segments, retransmittedSegments, episodes,
                    Units.formatTime(episodeNanos),
                    timeouts, episodesWithTimeout, maxTimeoutsInEpisode, needless, blindTimeouts,
                    judged() ? "" : " (not judged: no RACK with SACK)", probes, delayedAckWaits,
                    Units.formatTime(meanRtt()), Units.formatTime(maxRtt));
        }
    }
}
