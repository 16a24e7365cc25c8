package io.jiip.sim.scenario;

import io.jiip.sim.App;
import io.jiip.sim.Channel;
import io.jiip.sim.Invariants;
import io.jiip.sim.Link;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Units;
import io.jiip.sim.trace.SvgPlot;
import io.jiip.sim.trace.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The common frame of a scenario run: a {@link Simulation} seeded from the options, then, once the scenario has
 * built its topology and apps, {@link #execute}: captures on, run until quiet, measurements, the
 * {@link Invariants}, the trace CSV and SVG plot, and the report.
 */
public final class ScenarioRun {
    private final String name;
    private final ScenarioOptions options;
    private final Simulation sim;
    private final StringBuilder lines = new StringBuilder();
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private final List<String> measuredProblems = new ArrayList<>();
    private String plotTitle;

    public ScenarioRun(Scenario scenario, ScenarioOptions options) {
        this.name = scenario.name();
        this.options = options;
        options.declare(scenario.parameters());
        this.sim = new Simulation(options.seed());
        this.plotTitle = "jiip-sim " + name + " (seed " + options.seed() + ")";
    }

    public Simulation sim() {
        return sim;
    }

    public ScenarioOptions options() {
        return options;
    }

    public ScenarioRun plotTitle(String title) {
        this.plotTitle = title;
        return this;
    }

    /** Adds a line to the report. */
    public void line(String format, Object... args) {
        lines.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    public void metric(String key, double value) {
        metrics.put(key, value);
    }

    /** A broken expectation found while measuring (reported with the invariants' problems). */
    public void problem(String text) {
        measuredProblems.add(text);
    }

    /** Interface for measuring after the run, before the stacks are closed. */
    public interface Measure {
        void measure(ScenarioRun run);
    }

    public ScenarioResult execute(Measure measure) {
        if (options.pcapDir() != null) {
            sim.captureAll(options.pcapDir());
        }
        long wall = System.nanoTime();
        sim.run();
        wall = System.nanoTime() - wall;
        if (sim.failure() == null && measure != null) {
            measure.measure(this);
        }
        List<String> problems = new ArrayList<>(Invariants.check(sim, true));
        problems.addAll(measuredProblems);
        sim.closeOutputs();
        Trace trace = sim.traceOrNull();
        try {
            if (options.traceFile() != null && trace != null) {
                trace.writeCsv(options.traceFile());
            }
            if (options.plotFile() != null && trace != null) {
                SvgPlot.of(trace, plotTitle).write(options.plotFile(), 960, 200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "scenario %s, seed %d: %s simulated in %.2f s wall, %d events%n", name,
                options.seed(), Units.formatTime(sim.now()), wall / 1e9, sim.events()));
        out.append(lines);
        out.append("applications:\n");
        for (Node n : sim.nodes()) {
            for (App a : n.apps()) {
                a.report(out);
            }
        }
        out.append("links:\n");
        for (Link l : sim.links()) {
            for (Channel c : new Channel[] {l.forward(), l.backward()}) {
                if (c.sentFrames() > 0) {
                    out.append("  ").append(c.summary()).append('\n');
                }
            }
        }
        if (options.pcapDir() != null) {
            out.append("pcaps: ").append(options.pcapDir().toAbsolutePath()).append('\n');
        }
        if (options.traceFile() != null) {
            out.append("trace: ").append(options.traceFile().toAbsolutePath()).append('\n');
        }
        if (options.plotFile() != null) {
            out.append("plot: ").append(options.plotFile().toAbsolutePath()).append('\n');
        }
        out.append("digest: ").append(sim.digest()).append('\n');
        if (problems.isEmpty()) {
            out.append("invariants: all hold (data exactly once and in order, expected close reasons, no leak, no "
                    + "pending timer)\n");
        } else {
            out.append("PROBLEMS:\n");
            for (String p : problems) {
                out.append("  ").append(p).append('\n');
            }
        }
        return new ScenarioResult(name, out.toString(), problems, metrics, sim.digest());
    }
}
