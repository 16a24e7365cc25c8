package io.jiip.sim;

import java.util.SplittableRandom;

/**
 * The loss part of {@link Impairments} as a running process: Bernoulli, or the Gilbert-Elliott two-state chain with
 * its current state. One per place that drops frames (a {@link Channel}, a node's egress), each on its own seeded
 * stream, so that one place's draws never shift another's.
 */
final class LossProcess {
    private final Impairments imp;
    private final SplittableRandom random;
    private boolean bad;

    LossProcess(Impairments imp, SplittableRandom random) {
        this.imp = imp;
        this.random = random;
    }

    /** Whether the next frame is lost (moves the Gilbert-Elliott chain first). */
    boolean lost() {
        if (imp.gilbertElliott) {
            double r = random.nextDouble();
            if (bad ? r < imp.geR : r < imp.geP) {
                bad = !bad;
            }
            double p = bad ? imp.geLossBad : imp.geLossGood;
            return p > 0 && random.nextDouble() < p;
        }
        return imp.loss > 0 && random.nextDouble() < imp.loss;
    }
}
