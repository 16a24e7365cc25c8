package io.jiip.sim.scenario;

import io.jiip.sim.RecoveryThresholds;
import io.jiip.sim.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loss recovery at data-centre RTTs ({@link RecoverySetup}): two nodes on a 10 Gbit/s link with 10 µs each way,
 * random or burst loss on the wire or before segmentation (whole TSO super-frames), TSO on or off, bulk one way,
 * both ways or request/response. Judges recovery speed (no retransmission timeout where SACK information sufficed,
 * bulk goodput against the Mathis model) besides the usual invariants. With {@code -p sweep=0.1%,1%,5%} (and
 * {@code -p tso=both}) it runs once per loss rate and TSO setting and prints the loss-recovery table.
 */
public final class DataCentreLoss implements Scenario {
    public DataCentreLoss() {
    }

    @Override
    public String name() {
        return "dc-loss";
    }

    @Override
    public String description() {
        return "loss recovery at data-centre RTTs (10 Gbit/s, 20 us): random/burst loss of wire frames or whole TSO"
                + " super-frames; RTOs per loss episode, needless RTOs, goodput vs Mathis";
    }

    @Override
    public List<Param> parameters() {
        RecoveryThresholds t = RecoveryThresholds.defaults();
        return List.of(new Param("workload", "bulk", "bulk (a to b), bidir (both ways at once) or rr "
                        + "(request/response rounds)"),
                new Param("bytes", "16MiB", "bytes per bulk transfer"),
                new Param("write", "64KiB", "bytes per send call of a bulk sender (one send descriptor each)"),
                new Param("rounds", "200", "request/response rounds (rr)"),
                new Param("request", "16KiB", "request bytes (rr)"),
                new Param("response", "16KiB", "response bytes (rr)"),
                new Param("loss", "1%", "mean loss rate per frame (per pushed frame at egress)"),
                new Param("sweep", "", "comma-separated loss rates: one run each, printed as a table"),
                new Param("burst", "1", "mean loss burst in frames: 1 random (Bernoulli), more Gilbert-Elliott"),
                new Param("drop-at", "wire", "wire (single wire frames on the link) or egress (frames as the stack "
                        + "pushes them, before segmentation: a TSO super-frame with all its segments)"),
                new Param("lossy", "both", "both (data and ACK directions) or forward (a to b only)"),
                new Param("tso", "on", "TSO of both NICs: on, off, or both (one run each)"),
                new Param("lro", "off", "LRO of both NICs: on or off"),
                new Param("bandwidth", "10G", "link rate, bit/s"),
                new Param("delay", "10us", "one-way delay"),
                new Param("queue", "4000", "drop-tail queue, frames"),
                new Param("rcvbuf", "1MiB", "receive buffer of both nodes"),
                new Param("cc", "cubic", "congestion control: cubic or newreno"),
                new Param("timestamps", "on", "TCP timestamps: on or off"),
                new Param("delack", "on", "delayed ACKs: on or off"),
                new Param("needless-max", String.valueOf(t.maxNeedlessTimeouts()), "most retransmission timeouts "
                        + "allowed per flow where SACK information sufficed"),
                new Param("goodput-min", String.valueOf(t.minGoodputRatio()), "least bulk goodput, as a fraction of "
                        + "the model (Mathis C=0.87 at the base RTT, capped by the link rate)"),
                new Param("rto-allowance", String.valueOf(t.timeoutAllowance()), "retransmission timeouts a flow "
                        + "may take besides rto-per-episode (blind ones not counted), and how many of its waits for "
                        + "timers are excused from goodput"),
                new Param("rto-per-episode", String.valueOf(t.timeoutsPerEpisode()), "further timeouts allowed per "
                        + "loss episode"),
                new Param("invariants", "on", "on: broken recovery invariants fail the run (exit code 1); off: "
                        + "reported only"));
    }

    /** The setup the options describe, at loss rate {@code loss} and TSO {@code tso}. */
    static RecoverySetup setup(ScenarioOptions o, double loss, boolean tso) {
        RecoverySetup s = new RecoverySetup();
        s.workload = switch (o.raw("workload").trim()) {
            case "bulk" -> RecoverySetup.Workload.BULK;
            case "bidir" -> RecoverySetup.Workload.BIDIR;
            case "rr" -> RecoverySetup.Workload.RR;
            default -> throw new IllegalArgumentException("workload must be bulk, bidir or rr: " + o.raw("workload"));
        };
        s.dropAt = switch (o.raw("drop-at").trim()) {
            case "wire" -> RecoverySetup.DropAt.WIRE;
            case "egress" -> RecoverySetup.DropAt.EGRESS;
            default -> throw new IllegalArgumentException("drop-at must be wire or egress: " + o.raw("drop-at"));
        };
        s.bothWays = switch (o.raw("lossy").trim()) {
            case "both" -> true;
            case "forward" -> false;
            default -> throw new IllegalArgumentException("lossy must be both or forward: " + o.raw("lossy"));
        };
        s.cubic = switch (o.raw("cc").trim()) {
            case "cubic" -> true;
            case "newreno" -> false;
            default -> throw new IllegalArgumentException("cc must be cubic or newreno: " + o.raw("cc"));
        };
        s.bytes = o.getBytes("bytes");
        s.write = Math.toIntExact(o.getBytes("write"));
        s.rounds = o.getInt("rounds");
        s.request = o.getBytes("request");
        s.response = o.getBytes("response");
        s.loss = loss;
        s.burst = o.getDouble("burst");
        s.tso = tso;
        s.lro = o.getSwitch("lro");
        s.bandwidth = o.getRate("bandwidth");
        s.delay = o.getTime("delay");
        s.queue = o.getInt("queue");
        s.receiveBuffer = Math.toIntExact(o.getBytes("rcvbuf"));
        s.timestamps = o.getSwitch("timestamps");
        s.delayedAck = o.getSwitch("delack");
        s.thresholds = new RecoveryThresholds().maxNeedlessTimeouts(o.getInt("needless-max"))
                .minGoodputRatio(o.getDouble("goodput-min")).timeoutAllowance(o.getInt("rto-allowance"))
                .timeoutsPerEpisode(o.getDouble("rto-per-episode"));
        return s;
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        o.declare(parameters()); // refuses unknown parameter names
        String tso = o.raw("tso").trim();
        String sweep = o.raw("sweep").trim();
        if (sweep.isEmpty() && !tso.equals("both")) {
            return runOne(new ScenarioRun(this, o), o, o.getDouble("loss"), o.getSwitch("tso"));
        }
        List<Double> losses = new ArrayList<>();
        for (String s : (sweep.isEmpty() ? o.raw("loss") : sweep).split(",")) {
            String v = s.trim();
            losses.add(v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100
                    : Double.parseDouble(v));
        }
        boolean[] tsos = switch (tso) {
            case "both" -> new boolean[] {true, false};
            case "on" -> new boolean[] {true};
            case "off" -> new boolean[] {false};
            default -> throw new IllegalArgumentException("tso must be on, off or both: " + tso);
        };
        StringBuilder table = new StringBuilder("| loss | TSO | goodput | goodput / model | RTOs | needless RTOs | "
                + "loss episodes | TLPs | fast retransmits | retransmitted segments | recovery invariants |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<String> problems = new ArrayList<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        StringBuilder digests = new StringBuilder();
        String described = null;
        for (double loss : losses) {
            for (boolean t : tsos) {
                ScenarioOptions one = new ScenarioOptions().seed(o.seed());
                for (Param p : parameters()) {
                    if (!p.name().equals("sweep") && !p.name().equals("loss") && !p.name().equals("tso")) {
                        one.set(p.name(), o.raw(p.name()));
                    }
                }
                one.set("tso", t ? "on" : "off");
                ScenarioResult r = runOne(new ScenarioRun(this, one), one, loss, t);
                if (described == null) {
                    described = setup(one, loss, t).describe();
                }
                problems.addAll(r.problems());
                digests.append(r.digest(), 0, 16).append(' ');
                Map<String, Double> m = r.metrics();
                String key = String.format(Locale.ROOT, "@%s,tso=%s", loss, t ? "on" : "off");
                m.forEach((k, v) -> metrics.put(k + key, v));
                boolean recoveryOk = m.get("recovery_problems") == 0;
                table.append(String.format(Locale.ROOT, "| %.2f%% | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | "
                        + "%.0f | %s |%n", loss * 100, t ? "on" : "off", Units.formatRate(m.get("goodput_bps")),
                        m.containsKey("goodput_ratio") ? String.format(Locale.ROOT, "%.3f", m.get("goodput_ratio"))
                                : "-", m.get("timeouts"), m.get("needless_timeouts"), m.get("episodes"),
                        m.get("tlp_probes"), m.get("fast_retransmits"), m.get("retransmits"),
                        recoveryOk ? "hold" : "BROKEN"));
            }
        }
        String report = "scenario dc-loss sweep, seed " + o.seed() + ": " + described + "\n" + table
                + "digests: " + digests.toString().trim() + "\n"
                + (problems.isEmpty() ? "invariants: all hold\n" : "PROBLEMS:\n  " + String.join("\n  ", problems)
                + "\n");
        return new ScenarioResult(name() + " sweep", report, problems, metrics, digests.toString().trim());
    }

    private ScenarioResult runOne(ScenarioRun run, ScenarioOptions o, double loss, boolean tso) {
        RecoverySetup setup = setup(o, loss, tso);
        RecoverySetup.Built built = setup.build(run.sim());
        boolean judge = o.getSwitch("invariants");
        run.line("topology: %s", setup.describe());
        run.line("recovery invariants (%s): %s", judge ? "judged" : "reported only", setup.thresholds);
        return run.execute(r -> {
            RecoverySetup.Outcome out = built.measure();
            out.lines().forEach(l -> r.line("%s", l));
            out.metrics().forEach(r::metric);
            for (String p : out.problems()) {
                if (judge) {
                    r.problem(p);
                } else {
                    r.line("(not judged) %s", p);
                }
            }
        });
    }
}
