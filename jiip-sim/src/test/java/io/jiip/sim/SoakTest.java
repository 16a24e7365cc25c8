package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.sim.soak.Soak;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The soak suite of CI: 1,000 randomized scenarios (topology, impairments up to 20 % loss with bursts,
 * reordering, duplication, corruption, jitter and link flaps; bulk, ping-pong, half-close and abort flows; UDP),
 * every invariant checked on each; and 200 of the recovery mix (half of them data-centre loss-recovery setups,
 * judged by the recovery invariants too). Override with {@code -Djiip.soak.seed=S -Djiip.soak.scenarios=N} and
 * {@code -Djiip.soak.recoveryScenarios=N}; the nightly size is {@code ./jiip sim soak-nightly}.
 */
class SoakTest {

    @Test
    void everyScenarioHoldsEveryInvariant() {
        assertAllHold(Integer.getInteger("jiip.soak.scenarios", 1000), new Soak.Options());
    }

    /** {@code ./jiip sim soak --scenarios 200 --seed 0x5eed --recovery-invariants}: a few seconds on two cores. */
    @Test
    void recoveryMixHoldsTheRecoveryInvariants() {
        assertAllHold(Integer.getInteger("jiip.soak.recoveryScenarios", 200),
                new Soak.Options().recoveryInvariants(true));
    }

    private static void assertAllHold(int scenarios, Soak.Options options) {
        long seed = Long.decode(System.getProperty("jiip.soak.seed", "0x5eed"));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Soak.Summary s = Soak.run(seed, scenarios, options, out);
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(0, s.failures.size(), text);
        assertEquals(scenarios, s.scenarios);
    }
}
