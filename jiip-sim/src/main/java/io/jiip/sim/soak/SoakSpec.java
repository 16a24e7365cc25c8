package io.jiip.sim.soak;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.NicFeatures;
import io.jiip.sim.Attachable;
import io.jiip.sim.Impairments;
import io.jiip.sim.Link;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Switch;
import io.jiip.sim.Units;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import io.jiip.sim.app.UdpSender;
import io.jiip.sim.app.UdpSink;
import io.jiip.sim.scenario.RecoverySetup;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One randomized soak scenario, drawn entirely from its seed: a topology (two nodes on a link, or three to five on
 * a switch), link rates, delays and queues, impairments (loss up to 20 %, Gilbert-Elliott bursts, reordering,
 * duplication, corruption, jitter, link flaps), per-node TCP settings and NIC offloads, and a mix of TCP flows
 * (bulk, ping-pong, half-close, abort either way) and UDP streams. {@link #build} turns it into a
 * {@link Simulation} with the same seed; {@link #toString} describes it.
 */
public final class SoakSpec {
    final long seed;
    final boolean injectBug;
    final List<NodeSpec> nodes = new ArrayList<>();
    final List<LinkSpec> links = new ArrayList<>();
    final List<FlowSpec> flows = new ArrayList<>();
    final List<UdpSpec> udp = new ArrayList<>();
    boolean switched;
    /** A data-centre loss-recovery scenario instead of the above (the recovery mix), or null. */
    RecoverySetup recovery;
    RecoverySetup.Built recoveryBuilt;

    static final class NodeSpec {
        String name;
        int mtu = 1500;
        int features;
        int receiveBuffer;
        int sendBuffer;
        boolean nagle;
        boolean delayedAck;
        boolean timestamps;
        boolean windowScaling;
        boolean sack;
        boolean rack;
        boolean cubic;
        long rxCoalesce;
        long msl;
        long minRto;
        int slots;
    }

    static final class LinkSpec {
        int a;
        int b = -1; // -1: the switch
        long bandwidth;
        long delay;
        int queue;
        Impairments forward = Impairments.none();
        Impairments backward = Impairments.none();
        final List<long[]> flaps = new ArrayList<>();
    }

    static final class FlowSpec {
        int client;
        int server;
        int port;
        long start;
        int connections = 1;
        TcpScript script;
        long bugAt = -1;
    }

    static final class UdpSpec {
        int from;
        int to;
        int port;
        int count;
        int size;
        long interval;
        long start;
    }

    private SoakSpec(long seed, boolean injectBug) {
        this.seed = seed;
        this.injectBug = injectBug;
    }

    /** Draws the scenario of {@code seed}; with {@code injectBug}, about half the scenarios get a broken sink. */
    public static SoakSpec generate(long seed, boolean injectBug) {
        return generate(seed, injectBug, false);
    }

    /**
     * As {@link #generate(long, boolean)}; with {@code recoveryMix}, half the scenarios are instead a data-centre
     * loss-recovery setup ({@link #recovery}) judged by the recovery invariants too. The choice and the setup draw
     * from a stream of their own, so the other half are the scenarios the seed gives without the mix.
     */
    public static SoakSpec generate(long seed, boolean injectBug, boolean recoveryMix) {
        SplittableRandom mix = new SplittableRandom(seed ^ 0x4443_5254_4f4cL);
        if (recoveryMix && mix.nextInt(2) == 0) {
            SoakSpec s = new SoakSpec(seed, false);
            s.recovery = recovery(mix);
            return s;
        }
        SoakSpec s = new SoakSpec(seed, injectBug);
        SplittableRandom r = new SplittableRandom(seed);
        int n = r.nextInt(2) == 0 ? 2 : 3 + r.nextInt(3);
        s.switched = n > 2;
        for (int i = 0; i < n; i++) {
            s.nodes.add(node(r, "n" + i));
        }
        // Settings added after seeds were published draw from a stream of their own: a seed keeps its scenario.
        SplittableRandom later = new SplittableRandom(seed ^ 0x5241_434bL);
        for (NodeSpec node : s.nodes) {
            node.rack = later.nextInt(4) != 0; // RFC 8985 RACK, on by default; only with SACK
        }
        if (s.switched) {
            for (int i = 0; i < n; i++) {
                s.links.add(link(r, i, -1));
            }
        } else {
            s.links.add(link(r, 0, 1));
        }
        int flows = 1 + r.nextInt(4);
        for (int i = 0; i < flows; i++) {
            s.flows.add(flow(r, s, i));
        }
        if (r.nextDouble() < 0.3) {
            s.udp.add(udp(r, s, 0));
        }
        for (FlowSpec f : s.flows) {
            NodeSpec c = s.nodes.get(f.client);
            NodeSpec v = s.nodes.get(f.server);
            int perNode = 2 * f.connections;
            c.slots = Math.max(c.slots, 0) + slotsFor(c, f.script, perNode);
            v.slots = Math.max(v.slots, 0) + slotsFor(v, f.script, perNode);
        }
        if (injectBug && r.nextInt(2) == 0) {
            for (FlowSpec f : s.flows) {
                long expected = f.script.mode() == TcpScript.Mode.PING_PONG ? f.script.clientBytes() * f.script.rounds()
                        : f.script.clientBytes();
                if (!isAbort(f.script) && expected > 0) {
                    f.bugAt = r.nextLong(expected);
                    break;
                }
            }
        }
        return s;
    }

    private static boolean isAbort(TcpScript s) {
        return s.mode() == TcpScript.Mode.ABORT_CLIENT || s.mode() == TcpScript.Mode.ABORT_SERVER;
    }

    /** A data-centre setup: 10 to 25 Gbit/s, 5 to 25 µs each way, 0.1 % to 5 % loss, every knob of the mix. */
    private static RecoverySetup recovery(SplittableRandom r) {
        RecoverySetup s = new RecoverySetup();
        double w = r.nextDouble();
        s.workload = w < 0.5 ? RecoverySetup.Workload.BULK : w < 0.75 ? RecoverySetup.Workload.BIDIR
                : RecoverySetup.Workload.RR;
        s.bytes = Math.round(logUniform(r, 256 << 10, 4 << 20));
        s.write = new int[] {1448, 16 << 10, 64 << 10}[r.nextInt(3)];
        s.rounds = 10 + r.nextInt(91);
        s.request = Math.round(logUniform(r, 100, 64 << 10));
        s.response = Math.round(logUniform(r, 100, 64 << 10));
        s.bandwidth = Units.gbps(10 + 15 * r.nextDouble());
        s.delay = Math.round(logUniform(r, 5e3, 25e3));
        s.loss = logUniform(r, 0.001, 0.05);
        s.burst = r.nextInt(2) == 0 ? 1 : 2 + 8 * r.nextDouble();
        s.dropAt = r.nextInt(2) == 0 ? RecoverySetup.DropAt.WIRE : RecoverySetup.DropAt.EGRESS;
        s.bothWays = r.nextDouble() < 0.7;
        s.tso = r.nextInt(2) == 0;
        s.lro = r.nextInt(4) == 0;
        s.cubic = r.nextInt(2) == 0;
        s.timestamps = r.nextInt(5) != 0;
        s.delayedAck = r.nextInt(4) != 0;
        s.receiveBuffer = new int[] {256 << 10, 1 << 20, 4 << 20}[r.nextInt(3)];
        return s;
    }

    private static int slotsFor(NodeSpec n, TcpScript s, int factor) {
        return factor * (n.sendBuffer / 256 + n.receiveBuffer / 256) + 64;
    }

    private static final int[] BUFFERS = {8 << 10, 16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10};

    private static NodeSpec node(SplittableRandom r, String name) {
        NodeSpec n = new NodeSpec();
        n.name = name;
        if (r.nextDouble() < 0.2) {
            n.mtu = 576 + r.nextInt(1500 - 576 + 1);
        }
        int f = 0;
        if (r.nextInt(2) == 0) {
            int[] bits = {NicFeatures.IPV4_RX_CSUM, NicFeatures.IPV4_TX_CSUM, NicFeatures.TCP_RX_CSUM,
                NicFeatures.TCP_TX_CSUM, NicFeatures.UDP_RX_CSUM, NicFeatures.UDP_TX_CSUM};
            for (int b : bits) {
                if (r.nextInt(3) != 0) {
                    f |= b;
                }
            }
        }
        if (r.nextInt(2) == 0) {
            f |= NicFeatures.TX_SCATTER_GATHER;
        }
        if ((f & NicFeatures.TCP_TX_CSUM) != 0 && r.nextInt(2) == 0) {
            f |= NicFeatures.TCP_TSO;
        }
        if ((f & NicFeatures.UDP_TX_CSUM) != 0 && r.nextInt(2) == 0) {
            f |= NicFeatures.UDP_GSO;
        }
        if ((f & (NicFeatures.IPV4_RX_CSUM | NicFeatures.TCP_RX_CSUM)) != 0 && r.nextInt(2) == 0) {
            f |= NicFeatures.LRO;
        }
        n.features = f;
        n.receiveBuffer = BUFFERS[r.nextInt(BUFFERS.length)];
        n.sendBuffer = BUFFERS[r.nextInt(BUFFERS.length)];
        n.nagle = r.nextInt(4) != 0;
        n.delayedAck = r.nextInt(4) != 0;
        n.timestamps = r.nextInt(5) != 0;
        n.windowScaling = r.nextInt(5) != 0;
        n.sack = r.nextInt(2) == 0;
        n.cubic = r.nextInt(2) == 0;
        n.rxCoalesce = r.nextInt(2) == 0 ? 0 : Units.us(5 + r.nextInt(200));
        // TIME-WAIT (2 MSL) must outlast the peer's FIN retransmissions (30 tries at the 2 s RTO cap), or a lost
        // last ACK legitimately ends the peer with RESET_BY_PEER; simulated time costs nothing.
        n.msl = Units.seconds(30 + r.nextInt(31));
        n.minRto = Units.ms(50 + r.nextInt(250));
        return n;
    }

    private static double logUniform(SplittableRandom r, double lo, double hi) {
        return Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    private static LinkSpec link(SplittableRandom r, int a, int b) {
        LinkSpec l = new LinkSpec();
        l.a = a;
        l.b = b;
        l.bandwidth = Math.round(logUniform(r, 1e6, 1e9));
        l.delay = Math.round(logUniform(r, 10e3, 50e6));
        int maxQueue = (int) Math.max(4, l.bandwidth / 8 / 1514); // at most about 1 s of queueing
        l.queue = Math.min(maxQueue, 4 + r.nextInt(300));
        if (r.nextDouble() < 0.7) {
            l.forward = impairments(r);
            l.backward = r.nextInt(2) == 0 ? l.forward : impairments(r);
        }
        if (r.nextDouble() < 0.2) {
            int flaps = 1 + r.nextInt(2);
            for (int i = 0; i < flaps; i++) {
                long at = Math.round(logUniform(r, 1e6, 3e9));
                long duration = Math.round(logUniform(r, 1e6, 2e9));
                l.flaps.add(new long[] {at, duration});
            }
        }
        return l;
    }

    private static Impairments impairments(SplittableRandom r) {
        Impairments i = Impairments.none();
        if (r.nextDouble() < 0.7) {
            if (r.nextDouble() < 0.7) {
                double u = r.nextDouble();
                i.loss(0.2 * u * u);
            } else {
                double p = 0.001 + 0.05 * r.nextDouble();
                double rr = 0.3 + 0.4 * r.nextDouble();
                double bad = 0.3 + 0.4 * r.nextDouble();
                double good = 0.01 * r.nextDouble();
                double pBad = p / (p + rr);
                double mean = pBad * bad + (1 - pBad) * good;
                if (mean > 0.2) {
                    p = p * 0.2 / mean;
                }
                i.gilbertElliott(p, rr, good, bad);
            }
        }
        if (r.nextDouble() < 0.3) {
            i.duplicate(0.05 * r.nextDouble());
        }
        if (r.nextDouble() < 0.3) {
            i.reorder(0.1 * r.nextDouble(), 1 + Math.round(logUniform(r, 10e3, 10e6)));
        }
        if (r.nextDouble() < 0.3) {
            i.corrupt(0.05 * r.nextDouble());
        }
        if (r.nextDouble() < 0.3) {
            i.jitter(Math.round(logUniform(r, 1e3, 5e6)));
        }
        return i;
    }

    private static long size(SplittableRandom r, long max) {
        double u = r.nextDouble();
        if (u < 0.05) {
            return 0;
        }
        if (u < 0.1) {
            return 1;
        }
        return Math.round(logUniform(r, 2, max));
    }

    private static FlowSpec flow(SplittableRandom r, SoakSpec s, int index) {
        FlowSpec f = new FlowSpec();
        int n = s.nodes.size();
        f.client = r.nextInt(n);
        f.server = (f.client + 1 + r.nextInt(n - 1)) % n;
        f.port = 5000 + index;
        f.start = Math.round(r.nextDouble() * 200e6);
        f.connections = r.nextDouble() < 0.2 ? 2 + r.nextInt(3) : 1;
        double m = r.nextDouble();
        TcpScript script;
        if (m < 0.3) {
            script = TcpScript.bulk(size(r, 2_000_000));
        } else if (m < 0.5) {
            script = TcpScript.halfClose(size(r, 100_000), size(r, 1_000_000));
        } else if (m < 0.75) {
            script = TcpScript.pingPong(1 + r.nextInt(20), 1 + size(r, 5_000), 1 + size(r, 20_000));
        } else if (m < 0.875) {
            long bytes = 1 + size(r, 1_000_000);
            script = TcpScript.abortClient(bytes, r.nextLong(bytes + 1));
        } else {
            long bytes = 1 + size(r, 1_000_000);
            script = TcpScript.abortServer(bytes, r.nextLong(bytes));
        }
        double c = r.nextDouble();
        int minChunk = 1448;
        if (c < 0.1) {
            minChunk = 1 + r.nextInt(100);
            script.chunks(minChunk, minChunk + r.nextInt(100));
        } else if (c < 0.3) {
            minChunk = 1 + r.nextInt(2000);
            script.chunks(minChunk, minChunk + r.nextInt(2000 - minChunk + 1));
        }
        if (minChunk >= 256 && r.nextDouble() < 0.3) {
            script.noDelay(true);
        }
        if (r.nextDouble() < 0.15) {
            script.readRate(Math.round(logUniform(r, 50e3, 5e6)));
        }
        f.script = script;
        return f;
    }

    private static UdpSpec udp(SplittableRandom r, SoakSpec s, int index) {
        UdpSpec u = new UdpSpec();
        int n = s.nodes.size();
        u.from = r.nextInt(n);
        u.to = (u.from + 1 + r.nextInt(n - 1)) % n;
        u.port = 9000 + index;
        u.count = 10 + r.nextInt(1000);
        int mtu = Math.min(s.nodes.get(u.from).mtu, s.nodes.get(u.to).mtu);
        u.size = 4 + r.nextInt(mtu - 28 - 4 + 1);
        u.interval = Math.round(logUniform(r, 10e3, 5e6));
        u.start = Math.round(r.nextDouble() * 100e6);
        return u;
    }

    /** Builds the scenario into a fresh simulation seeded with this spec's seed. */
    public Simulation build() {
        Simulation sim = new Simulation(seed);
        sim.timeLimit(4 * 3600 * Units.SECOND).eventLimit(50_000_000L);
        if (recovery != null) {
            recoveryBuilt = recovery.build(sim);
            return sim;
        }
        List<Node> built = new ArrayList<>();
        for (NodeSpec ns : nodes) {
            int slots = Math.max(512, Math.min(8192, ns.slots));
            built.add(sim.node(ns.name).mtu(ns.mtu).nicFeatures(ns.features).rxCoalesceNanos(ns.rxCoalesce)
                    .pool(slots * 2 + 512, slots, 2048)
                    .tcp(t -> t.receiveBuffer(ns.receiveBuffer).sendBuffer(ns.sendBuffer).nagle(ns.nagle)
                            .delayedAck(ns.delayedAck).timestamps(ns.timestamps).windowScaling(ns.windowScaling)
                            .sack(ns.sack).rack(ns.rack)
                            .congestionControl(ns.cubic ? CongestionAlgorithm.CUBIC : CongestionAlgorithm.NEW_RENO)
                            .mslNanos(ns.msl).minRtoNanos(ns.minRto).maxRtoNanos(2 * Units.SECOND)
                            .maxRetries(100).synRetries(100).finWait2TimeoutNanos(600 * Units.SECOND)
                            .connections(16).segments(4096))
                    .build());
        }
        Switch sw = switched ? sim.newSwitch("sw") : null;
        for (LinkSpec ls : links) {
            Attachable a = built.get(ls.a);
            Attachable b = ls.b < 0 ? sw : built.get(ls.b);
            Link.Builder lb = sim.link(a, b).bandwidth(ls.bandwidth).delay(ls.delay).queue(ls.queue)
                    .impairForward(ls.forward).impairBackward(ls.backward);
            for (long[] f : ls.flaps) {
                lb.down(f[0], f[1]);
            }
            lb.build();
        }
        for (FlowSpec f : flows) {
            Node server = built.get(f.server);
            TcpServerApp srv = new TcpServerApp(f.port, f.script);
            if (f.bugAt >= 0) {
                srv.injectBugAt(f.bugAt);
            }
            server.add(srv);
            built.get(f.client).add(new TcpClientApp(server, f.port, f.script).pairWith(srv)
                    .connections(f.connections, Units.ms(1)).label("flow" + (f.port - 5000)), f.start);
        }
        for (UdpSpec u : udp) {
            Node to = built.get(u.to);
            to.add(new UdpSink(u.port, u.size, u.count));
            built.get(u.from).add(new UdpSender(to, u.port, u.count, u.size, u.interval), u.start);
        }
        return sim;
    }

    /** Whether the scenario carries the deliberate application bug. */
    public boolean hasBug() {
        for (FlowSpec f : flows) {
            if (f.bugAt >= 0) {
                return true;
            }
        }
        return false;
    }

    public long seed() {
        return seed;
    }

    /**
     * After the run, before the stacks close: the recovery audit's judgement of a recovery-mix scenario (its broken
     * invariants and report lines), or null for the others.
     */
    public RecoverySetup.Outcome recoveryOutcome() {
        return recoveryBuilt == null ? null : recoveryBuilt.measure();
    }

    @Override
    public String toString() {
        if (recovery != null) {
            return String.format(Locale.ROOT, "soak scenario 0x%016x: data-centre loss recovery: %s%n  recovery "
                    + "invariants: %s%n", seed, recovery.describe(), recovery.thresholds);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "soak scenario 0x%016x: %d nodes %s%n", seed, nodes.size(),
                switched ? "on a switch" : "on one link"));
        for (NodeSpec n : nodes) {
            sb.append(String.format(Locale.ROOT,
                    "  node %s: mtu %d, nic 0x%x, rcvbuf %d, sndbuf %d, nagle %b, delack %b,"
                    + " ts %b, wscale %b, sack %b, rack %b, cubic %b, rx coalesce %s, msl %s, minRto %s, pool %d%n",
                    n.name,
                    n.mtu, n.features, n.receiveBuffer, n.sendBuffer, n.nagle, n.delayedAck, n.timestamps,
                    n.windowScaling, n.sack, n.rack, n.cubic, Units.formatTime(n.rxCoalesce),
                    Units.formatTime(n.msl), Units.formatTime(n.minRto), Math.max(512, Math.min(8192, n.slots))));
        }
        for (LinkSpec l : links) {
            sb.append(String.format(Locale.ROOT, "  link n%d-%s: %s, %s, queue %d; > %s; < %s", l.a,
                    l.b < 0 ? "sw" : "n" + l.b, Units.formatRate(l.bandwidth), Units.formatTime(l.delay), l.queue,
                    l.forward, l.backward));
            for (long[] f : l.flaps) {
                sb.append(", down at ").append(Units.formatTime(f[0])).append(" for ").append(Units.formatTime(f[1]));
            }
            sb.append('\n');
        }
        for (FlowSpec f : flows) {
            sb.append(String.format(Locale.ROOT, "  tcp flow%d n%d -> n%d:%d at %s%s: %s%s%n", f.port - 5000, f.client,
                    f.server, f.port, Units.formatTime(f.start),
                    f.connections > 1 ? " (" + f.connections + " connections)" : "", f.script,
                    f.bugAt >= 0 ? " [injected app bug at offset " + f.bugAt + "]" : ""));
        }
        for (UdpSpec u : udp) {
            sb.append(String.format(Locale.ROOT, "  udp n%d -> n%d:%d at %s: %d x %d B every %s%n", u.from, u.to,
                    u.port, Units.formatTime(u.start), u.count, u.size, Units.formatTime(u.interval)));
        }
        return sb.toString();
    }
}
