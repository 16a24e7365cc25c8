package io.jiip.sim;

import java.util.Locale;

/**
 * What one direction of a {@link Link} does to frames, netem-style, decided per frame from the link's own seeded
 * random stream: random loss, burst loss (Gilbert-Elliott), duplication, reordering, bit corruption and delay
 * jitter. A plain mutable specification; a link copies it when built. All probabilities are per frame, 0..1.
 *
 * <ul>
 *   <li><b>Loss</b> is Bernoulli, or, with {@link #gilbertElliott}, a two-state Markov chain: in the good state a
 *       frame is lost with {@code lossGood}, in the bad state with {@code lossBad}; before each frame the chain
 *       moves good to bad with {@code p} and bad to good with {@code r} (mean burst 1/r frames).</li>
 *   <li><b>Jitter</b> adds a uniform 0..{@code jitter} delay but keeps the channel FIFO (a frame never overtakes
 *       the one before it), like a variable-latency wire; <b>reordering</b> is separate: a chosen frame is held
 *       back by 1..{@code reorderDelay} extra, so later frames pass it.</li>
 *   <li><b>Corruption</b> flips one bit past the Ethernet header of an IPv4 frame: damage the link's FCS did not
 *       catch, which only the IPv4/TCP/UDP checksums can (one flipped bit always changes the Internet checksum).
 *       ARP frames, which carry no checksum, are never corrupted, and a frame is corrupted on one hop at
 *       most: two flips of the same bit position in opposite directions cancel out in the Internet checksum, an
 *       error no checksum-based stack can catch.</li>
 *   <li><b>Duplication</b> delivers a second copy right behind the first.</li>
 * </ul>
 */
public final class Impairments {
    /** No impairment; see {@link #none()}. */
    public Impairments() {
    }

    double loss;
    boolean gilbertElliott;
    double geP;
    double geR;
    double geLossGood;
    double geLossBad;
    double duplicate;
    double reorder;
    long reorderDelay = Units.MILLISECOND;
    double corrupt;
    long jitter;

    public static Impairments none() {
        return new Impairments();
    }

    /** Bernoulli loss with probability {@code p}. */
    public Impairments loss(double p) {
        this.loss = check(p);
        return this;
    }

    /** Burst loss: Gilbert-Elliott with transition probabilities {@code p} (good to bad), {@code r} (bad to good). */
    public Impairments gilbertElliott(double p, double r, double lossGood, double lossBad) {
        this.gilbertElliott = true;
        this.geP = check(p);
        this.geR = check(r);
        this.geLossGood = check(lossGood);
        this.geLossBad = check(lossBad);
        return this;
    }

    public Impairments duplicate(double p) {
        this.duplicate = check(p);
        return this;
    }

    /** Holds a frame back with probability {@code p} by 1..{@code maxExtraDelay} ns so that later frames pass it. */
    public Impairments reorder(double p, long maxExtraDelay) {
        this.reorder = check(p);
        if (maxExtraDelay < 1) {
            throw new IllegalArgumentException("reorder delay must be >= 1 ns");
        }
        this.reorderDelay = maxExtraDelay;
        return this;
    }

    public Impairments corrupt(double p) {
        this.corrupt = check(p);
        return this;
    }

    /** Uniform extra delay 0..{@code maxNanos}, order kept. */
    public Impairments jitter(long maxNanos) {
        if (maxNanos < 0) {
            throw new IllegalArgumentException("jitter must be >= 0");
        }
        this.jitter = maxNanos;
        return this;
    }

    /** Whether any impairment is set. */
    public boolean any() {
        return loss > 0 || gilbertElliott || duplicate > 0 || reorder > 0 || corrupt > 0 || jitter > 0;
    }

    /** Long-run fraction of frames lost. */
    public double meanLoss() {
        if (!gilbertElliott) {
            return loss;
        }
        double bad = geP + geR == 0 ? 0 : geP / (geP + geR);
        return bad * geLossBad + (1 - bad) * geLossGood;
    }

    Impairments copy() {
        Impairments c = new Impairments();
        c.loss = loss;
        c.gilbertElliott = gilbertElliott;
        c.geP = geP;
        c.geR = geR;
        c.geLossGood = geLossGood;
        c.geLossBad = geLossBad;
        c.duplicate = duplicate;
        c.reorder = reorder;
        c.reorderDelay = reorderDelay;
        c.corrupt = corrupt;
        c.jitter = jitter;
        return c;
    }

    private static double check(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1]: " + p);
        }
        return p;
    }

    @Override
    public String toString() {
        if (!any()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if (gilbertElliott) {
            sb.append(String.format(Locale.ROOT, "GE(p=%.4f r=%.3f good=%.4f bad=%.3f) ", geP, geR, geLossGood,
                    geLossBad));
        } else if (loss > 0) {
            sb.append(String.format(Locale.ROOT, "loss=%.4f ", loss));
        }
        if (duplicate > 0) {
            sb.append(String.format(Locale.ROOT, "dup=%.4f ", duplicate));
        }
        if (reorder > 0) {
            sb.append(String.format(Locale.ROOT, "reorder=%.4f/%s ", reorder, Units.formatTime(reorderDelay)));
        }
        if (corrupt > 0) {
            sb.append(String.format(Locale.ROOT, "corrupt=%.4f ", corrupt));
        }
        if (jitter > 0) {
            sb.append("jitter=").append(Units.formatTime(jitter)).append(' ');
        }
        return sb.toString().trim();
    }
}
