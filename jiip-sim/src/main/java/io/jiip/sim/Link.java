package io.jiip.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A full-duplex point-to-point Ethernet link between two {@link Attachable}s: two independent {@link Channel}s,
 * each with bandwidth, propagation delay, a drop-tail queue and impairments, and a shared up/down state. Build
 * with {@link Simulation#link}.
 */
public final class Link {
    private final Simulation sim;
    private final String name;
    private final Channel ab;
    private final Channel ba;
    private final Capture capture = new Capture();

    private Link(Builder b) {
        this.sim = b.sim;
        this.name = b.name != null ? b.name : b.a.name() + "-" + b.b.name();
        int id = sim.links().size() * 2;
        this.ab = new Channel(sim, this, id, name + ">" + b.b.name(), b.bandwidth, b.delay, b.queue, b.queueBytes,
                b.impAB.any() ? b.impAB.copy() : null);
        this.ba = new Channel(sim, this, id + 1, name + "<" + b.a.name(), b.bandwidth, b.delay, b.queue,
                b.queueBytes, b.impBA.any() ? b.impBA.copy() : null);
        ab.to = endpoint(b.b, ba);
        ba.to = endpoint(b.a, ab);
        for (long[] flap : b.flaps) {
            sim.schedule(new Event() {
                @Override
                protected void fire() {
                    setDown(true);
                }

                @Override
                public String toString() {
                    return "link " + name + " down";
                }
            }, flap[0]);
            sim.schedule(new Event() {
                @Override
                protected void fire() {
                    setDown(false);
                }

                @Override
                public String toString() {
                    return "link " + name + " up";
                }
            }, flap[1]);
        }
    }

    /** The endpoint of {@code x} that receives from this link and sends into {@code out}. */
    private static Endpoint endpoint(Attachable x, Channel out) {
        if (x instanceof Node) {
            return ((Node) x).attach(out);
        }
        if (x instanceof Switch) {
            return ((Switch) x).newPort(out);
        }
        if (x instanceof RawPort) {
            ((RawPort) x).out = out;
            return (RawPort) x;
        }
        throw new IllegalArgumentException("cannot attach " + x);
    }

    public String name() {
        return name;
    }

    /** The direction from the first attachable to the second. */
    public Channel forward() {
        return ab;
    }

    public Channel backward() {
        return ba;
    }

    /** Takes the link down (both directions) or brings it back up, now. */
    public void setDown(boolean down) {
        ab.setDown(down);
        ba.setDown(down);
    }

    /** Captures every frame put on this link (both directions, at the start of transmission) into a pcap file. */
    public Link capture(Path file) {
        capture.open(file);
        return this;
    }

    void captureTx(Frame f) {
        capture.write(sim.now(), f);
    }

    void closeCapture() {
        capture.close();
    }

    @Override
    public String toString() {
        return "link " + name;
    }

    /** Settings of a new link; defaults: 1 Gbit/s, 10 us, 1000 frames, no impairments. */
    public static final class Builder {
        private final Simulation sim;
        private final Attachable a;
        private final Attachable b;
        private String name;
        private long bandwidth = Units.gbps(1);
        private long delay = Units.us(10);
        private int queue = 1000;
        private int queueBytes;
        private Impairments impAB = Impairments.none();
        private Impairments impBA = Impairments.none();
        private final List<long[]> flaps = new ArrayList<>();

        Builder(Simulation sim, Attachable a, Attachable b) {
            this.sim = sim;
            this.a = a;
            this.b = b;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Bits per second (0: infinite, no serialisation delay). */
        public Builder bandwidth(long bitsPerSecond) {
            this.bandwidth = bitsPerSecond;
            return this;
        }

        /** One-way propagation delay, nanoseconds. */
        public Builder delay(long nanos) {
            this.delay = nanos;
            return this;
        }

        /** Drop-tail queue length in frames, each direction (the frame being sent not included). */
        public Builder queue(int frames) {
            if (frames < 0) {
                throw new IllegalArgumentException("queue must be >= 0");
            }
            this.queue = frames;
            return this;
        }

        /** An additional byte limit on the queue (0: none). */
        public Builder queueBytes(int bytes) {
            this.queueBytes = bytes;
            return this;
        }

        /** The same impairments in both directions. */
        public Builder impair(Impairments both) {
            this.impAB = both;
            this.impBA = both;
            return this;
        }

        /** Impairments of the direction from the first attachable to the second. */
        public Builder impairForward(Impairments imp) {
            this.impAB = imp;
            return this;
        }

        public Builder impairBackward(Impairments imp) {
            this.impBA = imp;
            return this;
        }

        /** The link is down from {@code at} for {@code duration} (both directions). */
        public Builder down(long at, long duration) {
            if (at < 0 || duration <= 0) {
                throw new IllegalArgumentException("flap needs at >= 0 and duration > 0");
            }
            flaps.add(new long[] {at, at + duration});
            return this;
        }

        public Link build() {
            Link l = new Link(this);
            sim.add(l);
            return l;
        }
    }
}
