package io.jiip.link;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A seeded {@link FrameHook}: each frame is dropped, duplicated, reordered or corrupted with fixed probabilities.
 * The same seed and the same frames give the same decisions, so a failing run can be replayed.
 */
public final class FaultInjector implements FrameHook {
    private final SplittableRandom random;
    private double drop;
    private double duplicate;
    private double reorder;
    private double corrupt;
    private long dropped;
    private long duplicated;
    private long reordered;
    private long corrupted;

    public FaultInjector(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public FaultInjector drop(double probability) { this.drop = probability; return this; }
    public FaultInjector duplicate(double probability) { this.duplicate = probability; return this; }
    public FaultInjector reorder(double probability) { this.reorder = probability; return this; }
    public FaultInjector corrupt(double probability) { this.corrupt = probability; return this; }

    @Override
    public int onFrame(int from, ByteBuffer buf, int off, int len) {
        double r = random.nextDouble();
        if ((r -= drop) < 0) {
            dropped++;
            return DROP;
        }
        if ((r -= duplicate) < 0) {
            duplicated++;
            return DUPLICATE;
        }
        if ((r -= reorder) < 0) {
            reordered++;
            return REORDER;
        }
        if ((r -= corrupt) < 0) {
            corrupted++;
            return CORRUPT;
        }
        return PASS;
    }

    @Override
    public int corruptBit(int len) {
        return random.nextInt(len * 8);
    }

    public long dropped() { return dropped; }
    public long duplicated() { return duplicated; }
    public long reordered() { return reordered; }
    public long corrupted() { return corrupted; }
}
