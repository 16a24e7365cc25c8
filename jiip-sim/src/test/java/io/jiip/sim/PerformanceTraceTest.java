package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Performance trace: goodput of one NewReno flow on the lossy long fat link against the Mathis model, and
 * fairness of four flows on the dumbbell. Bounds are loose (the model is an approximation: no timeouts, no
 * delayed ACKs in its 1.22, random rather than periodic loss); the full-size numbers in docs/simulation.md come
 * from {@code ./jiip sim lossy-lfn -p sweep=...} and {@code ./jiip sim dumbbell}. The tables are written to
 * {@code target/simulation-results.md}.
 */
class PerformanceTraceTest {

    @Test
    void goodputFollowsMathisAndTheDumbbellIsFair() throws IOException {
        ScenarioResult sweep = Scenarios.find("lossy-lfn").run(new ScenarioOptions().seed(1)
                .set("sweep", "0.002,0.005,0.01,0.02").set("duration", "40s").set("warmup", "5s"));
        assertTrue(sweep.ok(), sweep.report());
        for (double p : new double[] {0.002, 0.005, 0.01, 0.02}) {
            double ratio = sweep.metric("goodput_bps@" + p) / sweep.metric("mathis_bps@" + p);
            assertTrue(ratio > 0.45 && ratio < 1.5, "p=" + p + ": measured/Mathis " + ratio + "\n" + sweep.report());
        }
        // Goodput falls with loss.
        assertTrue(sweep.metric("goodput_bps@0.002") > sweep.metric("goodput_bps@0.02") * 2, sweep.report());
        ScenarioResult dumbbell = Scenarios.find("dumbbell").run(new ScenarioOptions().seed(1)
                .set("flows", "4").set("duration", "20s").set("warmup", "4s"));
        assertTrue(dumbbell.ok(), dumbbell.report());
        assertTrue(dumbbell.metric("jain") > 0.9, dumbbell.report());
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "simulation-results.md"), sweep.report() + "\n" + dumbbell.report());
        System.out.print(sweep.report());
        System.out.print(dumbbell.report());
    }
}
