package io.jiip.sim.scenario;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.TcpInfo;
import io.jiip.sim.Impairments;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Units;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpEnd;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import io.jiip.sim.trace.Trace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One bulk flow over a long fat link with random loss on the data direction: goodput against the Mathis model
 * (MSS / RTT x C / sqrt(p)). With {@code -p sweep=0.001,0.01,...} it runs once per loss rate and prints a table.
 * With {@code -p loss=0} and a receive window above the bandwidth-delay product plus the queue, the losses are the
 * drop-tail queue's when slow start overshoots, which {@code -p hystart=on} (RFC 9406) avoids.
 */
public final class LossyLongFat implements Scenario {
    public LossyLongFat() {
    }

    @Override
    public String name() {
        return "lossy-lfn";
    }

    @Override
    public String description() {
        return "one bulk flow over a lossy long fat link (100 Mbit/s, 100 ms RTT); goodput vs the Mathis model";
    }

    @Override
    public List<Param> parameters() {
        return List.of(new Param("loss", "1%", "random loss rate of the data direction"),
                new Param("sweep", "", "comma-separated loss rates: one run each, printed as a table"),
                new Param("bandwidth", "100M", "link rate, bit/s"),
                new Param("delay", "50ms", "one-way delay"),
                new Param("queue", "1000", "drop-tail queue, frames"),
                new Param("rcvbuf", "1MiB", "receive window, below the bandwidth-delay product so that losses come"
                        + " from the link alone (no queue overflow after slow start)"),
                new Param("cc", "cubic", "congestion control of both ends: cubic or newreno"),
                new Param("sack", "on", "SACK (RFC 2018/6675) offered by both ends: on or off"),
                new Param("hystart", "on", "HyStart++ (RFC 9406) in the initial slow start of both ends: on or off"),
                new Param("timestamps", "on", "TCP timestamps (RFC 7323) offered by both ends: on or off"),
                new Param("duration", "60s", "the sender stops sending at this time"),
                new Param("warmup", "10s", "goodput is measured from here to the end of sending"));
    }

    /** One measurement. */
    public static final class Point {
        public Point() {
        }

        public double loss;
        public double goodput;
        public double rtt;
        public int mss;
        public double mathis;
        public double mathisDelayedAck;
        public long retransmits;
    }

    @Override
    public ScenarioResult run(ScenarioOptions o) {
        ScenarioRun run = new ScenarioRun(this, o);
        String sweep = o.raw("sweep").trim();
        if (sweep.isEmpty()) {
            Point[] p = new Point[1];
            ScenarioResult r = build(run, o, o.getDouble("loss"), p);
            return r;
        }
        List<Point> points = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        table.append("| loss p | goodput | Mathis C=1.22 | ratio | Mathis C=0.87 (delayed ACK) | ratio | mean srtt |"
                + " retransmits |\n|---|---|---|---|---|---|---|---|\n");
        List<String> problems = new ArrayList<>();
        StringBuilder digests = new StringBuilder();
        for (String s : sweep.split(",")) {
            double loss = s.trim().endsWith("%") ? Double.parseDouble(s.trim().replace("%", "")) / 100
                    : Double.parseDouble(s.trim());
            ScenarioOptions one = new ScenarioOptions().seed(o.seed());
            for (Param p : parameters()) {
                if (!p.name().equals("sweep") && !p.name().equals("loss")) {
                    one.set(p.name(), o.raw(p.name()));
                }
            }
            Point[] p = new Point[1];
            ScenarioResult r = build(new ScenarioRun(this, one), one, loss, p);
            problems.addAll(r.problems());
            digests.append(r.digest(), 0, 16).append(' ');
            if (p[0] != null) {
                points.add(p[0]);
                table.append(String.format(Locale.ROOT,
                        "| %.2f%% | %s | %s | %.2f | %s | %.2f | %.1f ms | %d |%n", loss * 100,
                        Units.formatRate(p[0].goodput), Units.formatRate(p[0].mathis), p[0].goodput / p[0].mathis,
                        Units.formatRate(p[0].mathisDelayedAck), p[0].goodput / p[0].mathisDelayedAck,
                        p[0].rtt * 1e3, p[0].retransmits));
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Point p : points) {
            metrics.put("goodput_bps@" + p.loss, p.goodput);
            metrics.put("mathis_bps@" + p.loss, p.mathis);
        }
        String report = "scenario lossy-lfn sweep, seed " + o.seed() + ": MSS " + (points.isEmpty() ? 0
                : points.get(0).mss) + " B, " + Units.formatRate(o.getRate("bandwidth")) + ", one-way "
                + Units.formatTime(o.getTime("delay")) + ", goodput from " + Units.formatTime(o.getTime("warmup"))
                + " to " + Units.formatTime(o.getTime("duration")) + "\n" + table
                + "digests: " + digests.toString().trim() + "\n"
                + (problems.isEmpty() ? "invariants: all hold\n" : "PROBLEMS:\n  " + String.join("\n  ", problems)
                + "\n");
        return new ScenarioResult(name() + " sweep", report, problems, metrics, digests.toString().trim());
    }

    private ScenarioResult build(ScenarioRun run, ScenarioOptions o, double loss, Point[] out) {
        Simulation sim = run.sim();
        long duration = o.getTime("duration");
        long warmup = o.getTime("warmup");
        long delay = o.getTime("delay");
        CongestionAlgorithm cc = switch (o.raw("cc")) {
            case "cubic" -> CongestionAlgorithm.CUBIC;
            case "newreno" -> CongestionAlgorithm.NEW_RENO;
            default -> throw new IllegalArgumentException("cc must be cubic or newreno: " + o.raw("cc"));
        };
        boolean sack = o.getSwitch("sack");
        boolean hystart = o.getSwitch("hystart");
        boolean timestamps = o.getSwitch("timestamps");
        Node a = sim.node("a").tcp(t -> t.sendBuffer(4 << 20).congestionControl(cc).sack(sack).hystart(hystart)
                .timestamps(timestamps)).build();
        int rcvbuf = Math.toIntExact(o.getBytes("rcvbuf"));
        Node b = sim.node("b").tcp(t -> t.receiveBuffer(rcvbuf).congestionControl(cc).sack(sack).hystart(hystart)
                .timestamps(timestamps)).build();
        sim.link(a, b).bandwidth(o.getRate("bandwidth")).delay(delay).queue(o.getInt("queue"))
                .impairForward(Impairments.none().loss(loss)).build();
        TcpScript script = TcpScript.bulkUntil(duration);
        TcpServerApp sink = b.add(new TcpServerApp(5001, script));
        TcpClientApp sender = a.add(new TcpClientApp(b, 5001, script).label("bulk").trace(true).pairWith(sink));
        run.line("topology: a --%s, %s one way, queue %d, loss %.3f%% a>b-- b; bulk from a until %s, window %s",
                Units.formatRate(o.getRate("bandwidth")), Units.formatTime(delay), o.getInt("queue"), loss * 100,
                Units.formatTime(duration), Units.formatBytes(rcvbuf));
        long[] received = new long[2];
        int[] mss = new int[1];
        sim.at(warmup, () -> {
            received[0] = sink.ends().isEmpty() ? 0 : sink.ends().get(0).received();
            TcpInfo info = new TcpInfo();
            if (!sender.ends().isEmpty() && a.stack().tcpInfo(sender.ends().get(0).handle(), info) == Result.OK) {
                mss[0] = info.mss;
            }
        });
        sim.at(duration, () -> received[1] = sink.ends().isEmpty() ? 0 : sink.ends().get(0).received());
        return run.execute(r -> {
            Trace.Series s = sim.trace().series().get(0);
            double rtt = meanSrtt(s, warmup, duration);
            Point p = new Point();
            p.loss = loss;
            p.goodput = (received[1] - received[0]) * 8 / ((duration - warmup) / 1e9);
            p.rtt = rtt;
            p.mss = mss[0];
            p.mathis = Metrics.mathis(mss[0], rtt, loss, Metrics.C_PER_SEGMENT);
            p.mathisDelayedAck = Metrics.mathis(mss[0], rtt, loss, Metrics.C_DELAYED_ACK);
            TcpEnd end = sender.ends().get(0);
            p.retransmits = a.stack().stats().get(Counter.TCP_RETRANSMITS);
            long timeouts = a.stack().stats().get(Counter.TCP_TIMEOUTS);
            int ssthresh = s.rows() > 0 ? s.ssthresh(s.rows() - 1) : Integer.MAX_VALUE;
            out[0] = p;
            r.metric("goodput_bps", p.goodput);
            r.metric("mathis_bps", p.mathis);
            r.metric("mathis_delack_bps", p.mathisDelayedAck);
            r.metric("rtt_s", rtt);
            r.metric("retransmits", p.retransmits);
            r.metric("timeouts", timeouts);
            r.metric("ssthresh_bytes", ssthresh);
            r.line("goodput %s from %s to %s (%s acknowledged in all); mean srtt %.1f ms, MSS %d B",
                    Units.formatRate(p.goodput), Units.formatTime(warmup), Units.formatTime(duration),
                    Units.formatBytes(end.acked()), rtt * 1e3, p.mss);
            r.line("Mathis MSS/RTT x 1.22/sqrt(p) = %s (measured/model %.2f); with delayed ACKs (C = 0.87) %s "
                    + "(%.2f)", Units.formatRate(p.mathis), p.goodput / p.mathis, Units.formatRate(p.mathisDelayedAck),
                    p.goodput / p.mathisDelayedAck);
            r.line("%d retransmissions (%d timeouts); %s", p.retransmits, timeouts,
                    ssthresh == Integer.MAX_VALUE ? "still in the initial slow start"
                            : "last ssthresh " + Units.formatBytes(ssthresh));
        });
    }

    /** Time-weighted mean of the smoothed RTT over [from, to]. */
    static double meanSrtt(Trace.Series s, long from, long to) {
        double sum = 0;
        double weight = 0;
        for (int i = 0; i < s.rows(); i++) {
            long t0 = Math.max(from, s.time(i));
            long t1 = Math.min(to, i + 1 < s.rows() ? s.time(i + 1) : to);
            if (t1 > t0 && s.srtt(i) > 0) {
                sum += s.srtt(i) / 1e9 * (t1 - t0);
                weight += t1 - t0;
            }
        }
        return weight == 0 ? Double.NaN : sum / weight;
    }
}
