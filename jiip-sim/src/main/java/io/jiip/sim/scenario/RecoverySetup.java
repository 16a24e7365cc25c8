package io.jiip.sim.scenario;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.sim.Impairments;
import io.jiip.sim.Link;
import io.jiip.sim.Node;
import io.jiip.sim.RecoveryAudit;
import io.jiip.sim.RecoveryThresholds;
import io.jiip.sim.Simulation;
import io.jiip.sim.Units;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpEnd;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two nodes on a data-centre link (tens of µs of RTT, 10 to 25 Gbit/s) losing frames at random or in bursts, on
 * the wire (single frames) or where the stack hands frames to the NIC (a qdisc or nftables drop in Linux, which
 * loses a whole TSO/GSO super-frame), with TSO on or off; a bulk transfer one way, one each way at once, or
 * request/response rounds. {@link #build} sets it up with a {@link RecoveryAudit}; {@link Built#measure} judges the
 * recovery invariants ({@link RecoveryThresholds}): no needless timeout, few timeouts per loss episode, and each
 * bulk transfer within a fraction of {@link Metrics#recoveryModel}. Used by the {@code dc-loss} scenario and by the
 * soak's recovery mix. A plain mutable specification.
 */
public final class RecoverySetup {
    /** What the two nodes do. */
    public enum Workload {
        /** a sends {@code bytes} to b and closes. */
        BULK,
        /** a sends {@code bytes} to b and b sends {@code bytes} to a, at once (two connections). */
        BIDIR,
        /** a sends {@code request} bytes and waits for {@code response} bytes, {@code rounds} times. */
        RR
    }

    /** Where the frames are lost. */
    public enum DropAt {
        /** single wire frames on the link (after segmentation offload). */
        WIRE,
        /** frames as the stack pushes them, before segmentation: a TSO super-frame with all its segments. */
        EGRESS
    }

    public Workload workload = Workload.BULK;
    public long bytes = 16L << 20;
    /**
     * Bytes per send call of the bulk senders: each is one send descriptor of the stack, as an echo server's
     * 64 KiB GRO reads are (a tail probe of one MSS then covers part of a descriptor).
     */
    public int write = 64 << 10;
    public int rounds = 200;
    public long request = 16 << 10;
    public long response = 16 << 10;
    public long bandwidth = Units.gbps(10);
    public long delay = Units.us(10);
    public int queue = 4000;
    /** Mean loss rate per frame (per pushed frame at the egress). */
    public double loss = 0.01;
    /** Mean burst length in frames: 1 is Bernoulli loss, more is Gilbert-Elliott (a bad state that loses all). */
    public double burst = 1;
    public DropAt dropAt = DropAt.WIRE;
    /** Loss on both directions (data and ACKs), else on a-to-b only. */
    public boolean bothWays = true;
    public boolean tso = true;
    public boolean lro;
    public boolean cubic = true;
    public boolean timestamps = true;
    public boolean delayedAck = true;
    public int receiveBuffer = 1 << 20;
    public int sendBuffer = 4 << 20;
    public long minRto = 200 * Units.MILLISECOND;
    public RecoveryThresholds thresholds = RecoveryThresholds.defaults();

    public RecoverySetup() {
    }

    /** The loss process of one direction. */
    public Impairments impairments() {
        if (loss <= 0) {
            return Impairments.none();
        }
        if (burst <= 1) {
            return Impairments.none().loss(loss);
        }
        double r = 1 / burst; // leaves the bad state after burst frames on average
        double p = Math.min(1, loss * r / (1 - loss)); // so that p / (p + r), the time in the bad state, is the loss
        return Impairments.none().gilbertElliott(p, r, 0, 1);
    }

    /** NIC features of both nodes. */
    public int nicFeatures() {
        int f = NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER;
        if (tso) {
            f |= NicFeatures.TCP_TSO;
        }
        if (lro) {
            f |= NicFeatures.LRO;
        }
        return f;
    }

    /** Payload bytes per segment at MTU 1500. */
    public int mss() {
        return 1500 - Ipv4Header.MIN_LENGTH - TcpHeader.MIN_LENGTH
                - (timestamps ? TcpOptions.TIMESTAMPS_ALIGNED_LENGTH : 0);
    }

    /** The round trip of propagation, plus a full frame serialised one way and an ACK back. */
    public long baseRtt() {
        return 2 * delay + (1514 + 78) * 8L * Units.SECOND / bandwidth;
    }

    /** Builds both nodes, the link, the apps and the audit into {@code sim}. */
    public Built build(Simulation sim) {
        Impairments imp = impairments();
        Node a = node(sim, "a", dropAt == DropAt.EGRESS ? imp : null);
        Node b = node(sim, "b", dropAt == DropAt.EGRESS && bothWays ? imp : null);
        Link.Builder lb = sim.link(a, b).bandwidth(bandwidth).delay(delay).queue(queue);
        if (dropAt == DropAt.WIRE) {
            lb.impairForward(imp);
            if (bothWays) {
                lb.impairBackward(imp);
            }
        }
        lb.build();
        Built built = new Built(this, sim);
        switch (workload) {
            case BULK -> built.transfer(a, b, 5001, bulk(), "a>b");
            case BIDIR -> {
                built.transfer(a, b, 5001, bulk(), "a>b");
                built.transfer(b, a, 5002, bulk(), "b>a");
            }
            case RR -> built.transfer(a, b, 5001, TcpScript.pingPong(rounds, request, response).noDelay(true), "rr");
            default -> throw new IllegalStateException();
        }
        built.audit = RecoveryAudit.attach(sim, thresholds);
        return built;
    }

    /**
     * A bulk transfer without Nagle: classic Nagle holds the last partial segment until everything is acknowledged,
     * and a delayed ACK then stalls it 40 ms, which is not loss recovery (Linux's Minshall variant does not stall).
     */
    private TcpScript bulk() {
        return TcpScript.bulk(bytes).noDelay(true).chunks(write, write);
    }

    private Node node(Simulation sim, String name, Impairments egress) {
        Node.Builder nb = sim.node(name).nicFeatures(nicFeatures()).pool(32768, 16384, 2048).largeSlots(512)
                .tcp(t -> t.receiveBuffer(receiveBuffer).sendBuffer(sendBuffer).timestamps(timestamps)
                        .delayedAck(delayedAck).sack(true).rack(true)
                        .congestionControl(cubic ? CongestionAlgorithm.CUBIC : CongestionAlgorithm.NEW_RENO)
                        .minRtoNanos(minRto).maxRtoNanos(2 * Units.SECOND).maxRetries(100).synRetries(100)
                        .mslNanos(Units.seconds(5)).connections(16).segments(16384));
        if (egress != null) {
            nb.egressLoss(egress);
        }
        return nb.build();
    }

    /** One line: the setup. */
    public String describe() {
        String work = switch (workload) {
            case BULK -> "bulk " + Units.formatBytes(bytes) + " a>b in writes of " + Units.formatBytes(write);
            case BIDIR -> "bulk " + Units.formatBytes(bytes) + " each way at once in writes of "
                    + Units.formatBytes(write);
            case RR -> String.format(Locale.ROOT, "%d rounds of %s / %s", rounds, Units.formatBytes(request),
                    Units.formatBytes(response));
        };
        return String.format(Locale.ROOT, "a --%s, %s one way (base RTT %s), queue %d-- b; %s; loss %.2f%% %s %s "
                + "(%s); TSO %s%s; %s, ts %s, delack %s, rcvbuf %s, min RTO %s", Units.formatRate(bandwidth),
                Units.formatTime(delay), Units.formatTime(baseRtt()), queue, work, loss * 100,
                burst <= 1 ? "random" : String.format(Locale.ROOT, "in bursts of %.1f frames", burst),
                dropAt == DropAt.WIRE ? "on the wire" : "at egress, before segmentation",
                bothWays ? "both ways" : "a>b only", tso ? "on" : "off", lro ? ", LRO on" : "",
                cubic ? "CUBIC" : "NewReno", timestamps ? "on" : "off", delayedAck ? "on" : "off",
                Units.formatBytes(receiveBuffer), Units.formatTime(minRto));
    }

    /** A built setup: the audit and the transfers, measured after the run (before the stacks close). */
    public static final class Built {
        private final RecoverySetup setup;
        private final Simulation sim;
        private final List<Transfer> transfers = new ArrayList<>();
        private RecoveryAudit audit;

        Built(RecoverySetup setup, Simulation sim) {
            this.setup = setup;
            this.sim = sim;
        }

        private void transfer(Node from, Node to, int port, TcpScript script, String label) {
            TcpServerApp server = to.add(new TcpServerApp(port, script));
            TcpClientApp client = from.add(new TcpClientApp(to, port, script).label(label).pairWith(server));
            transfers.add(new Transfer(label, script, from, to, port, client, server));
        }

        public RecoveryAudit audit() {
            return audit;
        }

        /**
         * Measures every transfer and judges the recovery invariants: {@link Outcome#problems} lists each broken
         * one, {@link Outcome#metrics} the numbers (for the loss-recovery table).
         */
        public Outcome measure() {
            Outcome o = new Outcome();
            RecoveryThresholds t = setup.thresholds;
            double model = Metrics.recoveryModel(setup.mss(), setup.baseRtt() / 1e9, setup.loss, setup.bandwidth);
            double worstRatio = Double.POSITIVE_INFINITY;
            double goodputSum = 0;
            for (Transfer x : transfers) {
                TcpEnd c = x.client.ends().isEmpty() ? null : x.client.ends().get(0);
                TcpEnd s = x.server.ends().isEmpty() ? null : x.server.ends().get(0);
                if (c == null || s == null || c.establishedAt() < 0) {
                    o.problems.add("recovery: " + x.label + " never connected");
                    continue;
                }
                boolean rr = x.script.mode() == TcpScript.Mode.PING_PONG;
                long bytes = rr ? (x.script.clientBytes() + x.script.serverBytes()) * x.script.rounds() : s.received();
                long last = rr ? c.lastPayloadAt() : s.lastPayloadAt();
                long elapsed = Math.max(1, last - c.establishedAt());
                double goodput = bytes * 8.0 / (elapsed / 1e9);
                goodputSum += goodput;
                o.metrics.put("goodput_bps_" + x.label, goodput);
                o.metrics.put("seconds_" + x.label, elapsed / 1e9);
                if (rr) {
                    o.lines.add(String.format(Locale.ROOT, "%s: %d rounds in %s (%.0f per second, %s each on "
                            + "average; base RTT %s)", x.label, x.script.rounds(), Units.formatTime(elapsed),
                            x.script.rounds() / (elapsed / 1e9), Units.formatTime(elapsed / x.script.rounds()),
                            Units.formatTime(setup.baseRtt())));
                    continue;
                }
                double ratio = goodput / model;
                worstRatio = Math.min(worstRatio, ratio);
                RecoveryAudit.Flow flow = audit.flowTo(x.from, x.to.ip(), x.port);
                long excused = flow == null ? 0 : flow.excusedStallNanos(t);
                long allowed = t.maxTransferNanos(bytes, model);
                o.lines.add(String.format(Locale.ROOT, "%s: %s in %s, goodput %s = %.3f x model %s (Mathis C=0.87 at "
                        + "base RTT %s, capped by the link); %s of timer waits excused, %s allowed", x.label,
                        Units.formatBytes(bytes), Units.formatTime(elapsed), Units.formatRate(goodput), ratio,
                        Units.formatRate(model), Units.formatTime(setup.baseRtt()), Units.formatTime(excused),
                        Units.formatTime(allowed)));
                if (elapsed - excused > allowed) {
                    o.problems.add(String.format(Locale.ROOT, "recovery: %s took %s for %s (%s without its excused "
                            + "timer waits), more than the %s of %.2f x model %s; goodput %.3f x model",
                            x.label, Units.formatTime(elapsed), Units.formatBytes(bytes),
                            Units.formatTime(elapsed - excused), Units.formatTime(allowed), t.minGoodputRatio(),
                            Units.formatRate(model), ratio));
                }
            }
            o.problems.addAll(audit.problems());
            o.metrics.put("goodput_bps", goodputSum);
            o.metrics.put("model_bps", model);
            if (worstRatio != Double.POSITIVE_INFINITY) {
                o.metrics.put("goodput_ratio", worstRatio);
            }
            o.metrics.put("timeouts", (double) audit.total(Counter.TCP_TIMEOUTS));
            o.metrics.put("tlp_probes", (double) audit.total(Counter.TCP_TLP_PROBES));
            o.metrics.put("fast_retransmits", (double) audit.total(Counter.TCP_FAST_RETRANSMITS));
            o.metrics.put("retransmits", (double) audit.total(Counter.TCP_RETRANSMITS));
            o.metrics.put("episodes", (double) audit.episodes());
            o.metrics.put("attributed_timeouts", (double) audit.timeouts());
            o.metrics.put("needless_timeouts", (double) audit.needlessTimeouts());
            o.metrics.put("unattributed_timeouts", (double) audit.unattributedTimeouts());
            o.metrics.put("recovery_problems", (double) o.problems.size());
            StringBuilder sb = new StringBuilder();
            audit.report(sb);
            for (String line : sb.toString().split("\n")) {
                o.lines.add(line);
            }
            return o;
        }
    }

    private record Transfer(String label, TcpScript script, Node from, Node to, int port, TcpClientApp client,
            TcpServerApp server) {
    }

    /** What {@link Built#measure} found. */
    public static final class Outcome {
        private final List<String> problems = new ArrayList<>();
        private final Map<String, Double> metrics = new LinkedHashMap<>();
        private final List<String> lines = new ArrayList<>();

        Outcome() {
        }

        /** Broken recovery invariants (empty: all hold). */
        public List<String> problems() {
            return problems;
        }

        /**
         * goodput_bps (sum over transfers), model_bps, goodput_ratio (the worst bulk transfer's), timeouts,
         * tlp_probes, fast_retransmits, retransmits (the stacks' counters, summed), episodes, attributed_timeouts,
         * needless_timeouts, unattributed_timeouts (the audit's), recovery_problems (how many invariants broke), and
         * per transfer goodput_bps_LABEL, seconds_LABEL.
         */
        public Map<String, Double> metrics() {
            return metrics;
        }

        /** Report lines. */
        public List<String> lines() {
            return lines;
        }
    }
}
