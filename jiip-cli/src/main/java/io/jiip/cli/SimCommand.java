package io.jiip.cli;

import io.jiip.sim.scenario.Param;
import io.jiip.sim.scenario.Scenario;
import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import io.jiip.sim.soak.Soak;
import io.jiip.sim.soak.SoakResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./jiip sim}: the deterministic network simulator. {@code list} names the scenarios; each scenario is a
 * subcommand of its own; {@code soak} and {@code soak-nightly} run the randomized soak suite; {@code replay}
 * reruns one soak scenario from its seed, bit for bit.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"jiip-sim: a deterministic network simulator for jiip stacks (the counterpart of iip-ns).",
            "Every run is a pure function of (scenario, seed): same inputs, byte-identical pcaps and traces."},
        subcommands = {SimCommand.ListCommand.class, SimCommand.SoakCommand.class, SimCommand.NightlyCommand.class,
            SimCommand.ReplayCommand.class},
        modelTransformer = SimCommand.AddScenarios.class)
public final class SimCommand implements Runnable {
    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Seeds in decimal or 0x-hex (the form failures print), the full unsigned 64-bit range. */
    static final class SeedConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().replace("_", "");
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2), 16);
            }
            return Long.parseLong(v);
        }
    }

    /** Adds one subcommand per registered scenario. */
    static final class AddScenarios implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec sim) {
            for (Scenario s : Scenarios.all()) {
                CommandLine cl = new CommandLine(new ScenarioCommand(s));
                List<String> footer = new ArrayList<>();
                footer.add("Parameters (-p name=value):");
                for (Param p : s.parameters()) {
                    footer.add(String.format(Locale.ROOT, "  %-14s %s (default: %s)", p.name(), p.description(),
                            p.defaultValue().isEmpty() ? "none" : p.defaultValue()).replace("%", "%%"));
                }
                footer.add("");
                cl.getCommandSpec().usageMessage().description(s.description()).footer(footer.toArray(new String[0]));
                sim.addSubcommand(s.name(), cl);
            }
            return sim;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the scenarios: one per line, its name first.")
    static final class ListCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            for (Scenario s : Scenarios.all()) {
                System.out.printf(Locale.ROOT, "%-15s %s%n", s.name(), s.description());
            }
            return 0;
        }
    }

    /** Runs one named scenario. */
    @Command(mixinStandardHelpOptions = true)
    static final class ScenarioCommand implements Callable<Integer> {
        private final Scenario scenario;

        @Option(names = "--seed", converter = SeedConverter.class, description = "Seed of every random stream "
                + "(default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Option(names = "--pcap", paramLabel = "DIR", description = "Write a pcap per link and per node here.")
        Path pcap;

        @Option(names = "--trace", paramLabel = "FILE", description = "Write the per-connection time series (CSV).")
        Path trace;

        @Option(names = "--plot", paramLabel = "FILE", description = "Write an SVG plot of the time series.")
        Path plot;

        @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "Set a scenario parameter.")
        List<String> params = new ArrayList<>();

        ScenarioCommand(Scenario scenario) {
            this.scenario = scenario;
        }

        @Override
        public Integer call() {
            ScenarioOptions o = new ScenarioOptions().seed(seed).pcap(pcap).trace(trace).plot(plot);
            for (String p : params) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "expected NAME=VALUE: " + p);
                }
                o.set(p.substring(0, eq), p.substring(eq + 1));
            }
            ScenarioResult r;
            try {
                r = scenario.run(o);
            } catch (IllegalArgumentException e) {
                System.err.println("jiip sim " + scenario.name() + ": " + e.getMessage());
                return 2;
            }
            System.out.print(r.report());
            return r.ok() ? 0 : 1;
        }
    }

    /** Options shared by the two soak commands. */
    abstract static class SoakBase implements Callable<Integer> {
        @Option(names = "--seed", converter = SeedConverter.class,
                description = "Master seed: scenario i has seed mix64(seed + i) (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Option(names = "--threads", description = "Worker threads; each simulation stays on one "
                + "(default: the number of processors).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--inject-bug", description = "Give about half the scenarios a deliberately broken "
                + "application, to see failures reported and replayed.")
        boolean injectBug;

        @Option(names = "--recovery-invariants", description = "Mix data-centre loss-recovery scenarios into the "
                + "soak (half of them) and judge recovery speed too: no needless RTO, few RTOs per loss episode, "
                + "bulk goodput against the Mathis model.")
        boolean recoveryInvariants;

        abstract int scenarios();

        @Override
        public Integer call() {
            Soak.Options o = new Soak.Options().threads(threads).injectBug(injectBug)
                    .recoveryInvariants(recoveryInvariants);
            Soak.Summary s = Soak.run(seed, scenarios(), o, System.out);
            return s.ok() ? 0 : 1;
        }
    }

    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = {"Runs N randomized scenarios (random topology, impairments up to 20%% loss, reordering, "
                + "duplication, corruption, jitter, link flaps; bulk, ping-pong, half-close and abort flows) and "
                + "checks every invariant. Exit code 0 only if every scenario holds; each failure prints its "
                + "seed and the one command that replays it."})
    static final class SoakCommand extends SoakBase {
        @Option(names = "--scenarios", description = "How many (default: ${DEFAULT-VALUE}).")
        int scenarios = 1000;

        @Override
        int scenarios() {
            return scenarios;
        }
    }

    @Command(name = "soak-nightly", mixinStandardHelpOptions = true,
            description = "The soak suite at nightly size (100,000 scenarios by default), with progress lines.")
    static final class NightlyCommand extends SoakBase {
        @Option(names = "--scenarios", description = "How many (default: ${DEFAULT-VALUE}).")
        int scenarios = 100_000;

        @Override
        int scenarios() {
            return scenarios;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Reruns one soak scenario from its seed (as printed by a failure), bit for bit; "
                + "optionally with pcaps, a trace and a plot. Exit code 0 if every invariant holds.")
    static final class ReplayCommand implements Callable<Integer> {
        @Parameters(index = "0", converter = SeedConverter.class, paramLabel = "SEED",
                description = "The scenario's seed.")
        long seed;

        @Option(names = "--inject-bug", description = "Replay a scenario of a soak run made with --inject-bug.")
        boolean injectBug;

        @Option(names = "--recovery-invariants", description = "Replay a scenario of a soak run made with "
                + "--recovery-invariants.")
        boolean recoveryInvariants;

        @Option(names = "--pcap", paramLabel = "DIR", description = "Write a pcap per link and per node here.")
        Path pcap;

        @Option(names = "--trace", paramLabel = "FILE", description = "Write every connection's time series (CSV).")
        Path trace;

        @Option(names = "--plot", paramLabel = "FILE", description = "Write an SVG plot of the time series.")
        Path plot;

        @Override
        public Integer call() {
            Soak.Options o = new Soak.Options().injectBug(injectBug).recoveryInvariants(recoveryInvariants).pcap(pcap)
                    .trace(trace).plot(plot);
            SoakResult r = Soak.runOne(0, seed, o);
            PrintStream out = System.out;
            out.print(r.description());
            out.printf(Locale.ROOT, "simulated %.3f s, %d events, %d B of TCP payload delivered%n",
                    r.simulatedNanos() / 1e9, r.events(), r.bytesDelivered());
            out.println("digest: " + r.digest());
            if (r.ok()) {
                out.println("invariants: all hold");
                return 0;
            }
            out.println("FAILED:");
            for (String p : r.problems()) {
                out.println("    " + p);
            }
            return 1;
        }
    }
}
