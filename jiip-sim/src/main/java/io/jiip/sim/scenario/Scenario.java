package io.jiip.sim.scenario;

import java.util.List;

/**
 * A named, runnable simulation. Implementations build a {@link io.jiip.sim.Simulation} from the options with the
 * fluent API, run it with {@link ScenarioRun}, and report. Registered in {@link Scenarios}; run from the command
 * line as {@code ./jiip sim NAME [--seed N] [--pcap DIR] [--trace FILE] [--plot FILE] [-p name=value ...]}.
 */
public interface Scenario {
    /** One word, as typed on the command line. */
    String name();

    /** One line. */
    String description();

    /** Parameters with their defaults (settable with {@code -p name=value}). */
    default List<Param> parameters() {
        return List.of();
    }

    /** Runs the scenario (a pure function of the options). */
    ScenarioResult run(ScenarioOptions options);
}
