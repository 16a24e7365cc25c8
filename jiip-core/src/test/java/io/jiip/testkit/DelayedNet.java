package io.jiip.testkit;

import io.jiip.link.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A delay line over a {@link TestNet}: every frame a port receives is held for a one-way propagation delay (and,
 * when a bandwidth is set, for its serialization time behind the frames queued before it, with a drop-tail queue)
 * on the virtual clock before it is handed to the receiving stack's {@code run}. {@link #runUntil} is a
 * discrete-event loop: it runs whatever is due at the current virtual time until nothing is, then moves the clock
 * to the next event (a frame's release, a stack's returned deadline, a periodic application task). Deterministic,
 * single-threaded, no sleeps.
 *
 * <p>Hooks and captures of the underlying {@link io.jiip.link.MemoryLink} still apply when a frame is pushed (the
 * capture is timestamped at the sender). Frames held in the line belong to the receiver's pool.
 */
public final class DelayedNet {
    /** Timer-wheel tick of the stack: a returned deadline at or before now means "some time within this tick". */
    private static final int TICK_SHIFT = 20;

    public final TestNet net;
    private final long delayNanos;
    private long bitsPerSecond;
    private int queueLimit;
    private int batch = 64;
    private final Lane[] lanes;
    private final Packet[] rx = new Packet[256];
    private final Packet[] polled = new Packet[4096];
    private final List<Task> tasks = new ArrayList<>();
    private ExtraDelay extraDelay;
    private BooleanSupplier onStep;
    private long steps;

    /** Frames travelling towards one node, in order of release time (FIFO among equal times). */
    private static final class Lane {
        Packet[] frames = new Packet[1024];
        long[] release = new long[1024];
        int head;
        int count;
        /** Departure times of frames still in the bottleneck queue (serializing or waiting). */
        long[] departures = new long[1024];
        int depHead;
        int depCount;
        long busyUntil;
        long queueDrops;
        long delivered;

        /** Queues {@code p} for release at {@code at}, behind every frame released no later (a frame held longer
         * than those sent after it is overtaken by them: reordering). */
        void add(Packet p, long at) {
            if (count == frames.length) {
                Packet[] f = new Packet[frames.length * 2];
                long[] r = new long[frames.length * 2];
                for (int i = 0; i < count; i++) {
                    f[i] = frames[(head + i) % frames.length];
                    r[i] = release[(head + i) % frames.length];
                }
                frames = f;
                release = r;
                head = 0;
            }
            int i = (head + count) % frames.length;
            for (int k = count; k > 0; k--) {
                int prev = (i - 1 + frames.length) % frames.length;
                if (release[prev] <= at) {
                    break;
                }
                frames[i] = frames[prev];
                release[i] = release[prev];
                i = prev;
            }
            frames[i] = p;
            release[i] = at;
            count++;
        }

        boolean due(long now) {
            return count > 0 && release[head] <= now;
        }

        long nextRelease() {
            return count > 0 ? release[head] : Long.MAX_VALUE;
        }

        Packet take() {
            Packet p = frames[head];
            frames[head] = null;
            head = (head + 1) % frames.length;
            count--;
            delivered++;
            return p;
        }

        int queued(long now) {
            while (depCount > 0 && departures[depHead] <= now) {
                depHead = (depHead + 1) % departures.length;
                depCount--;
            }
            return depCount;
        }

        void depart(long at) {
            if (depCount == departures.length) {
                long[] d = new long[departures.length * 2];
                for (int i = 0; i < depCount; i++) {
                    d[i] = departures[(depHead + i) % departures.length];
                }
                departures = d;
                depHead = 0;
            }
            departures[(depHead + depCount) % departures.length] = at;
            depCount++;
        }
    }

    /** Holds chosen frames longer than the others, so that later frames overtake them. */
    public interface ExtraDelay {
        /** Nanoseconds to add to the one-way delay of {@code frame} on its way to node {@code toNode}. */
        long nanos(int toNode, Packet frame);
    }

    private static final class Task {
        final long period;
        final Runnable action;
        long at;

        Task(long period, Runnable action, long at) {
            this.period = period;
            this.action = action;
            this.at = at;
        }
    }

    private DelayedNet(TestNet net, long delayNanos) {
        this.net = net;
        this.delayNanos = delayNanos;
        this.lanes = new Lane[net.nodes.size()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane();
        }
    }

    /** A delay line of {@code oneWayDelayNanos} over the nodes of {@code net} (add no nodes afterwards). */
    public static DelayedNet over(TestNet net, long oneWayDelayNanos) {
        return new DelayedNet(net, oneWayDelayNanos);
    }

    /**
     * Serializes frames at {@code bitsPerSecond} per direction (0: infinitely fast); at most {@code queueFrames}
     * frames wait or serialize per direction, more are dropped at the tail (0: no limit).
     */
    public DelayedNet bandwidth(long bitsPerSecond, int queueFrames) {
        this.bitsPerSecond = bitsPerSecond;
        this.queueLimit = queueFrames;
        return this;
    }

    /** Delays the frames {@code extra} chooses beyond the one-way delay (reordering without loss). */
    public DelayedNet extraDelay(ExtraDelay extra) {
        this.extraDelay = extra;
        return this;
    }

    /** Most frames handed to one {@code run} call (default 64); frames released at one instant share calls. */
    public DelayedNet batch(int frames) {
        if (frames < 1 || frames > rx.length) {
            throw new IllegalArgumentException("batch 1.." + rx.length);
        }
        this.batch = frames;
        return this;
    }

    /** Runs {@code action} every {@code periodNanos} of virtual time, first one period from now. */
    public DelayedNet every(long periodNanos, Runnable action) {
        tasks.add(new Task(periodNanos, action, net.clock.nanoTime() + periodNanos));
        return this;
    }

    /**
     * The application's step, called after each round at the current time; returns {@code true} when it called
     * into a stack (the stacks are then run once more so that their deadlines are current).
     */
    public DelayedNet onStep(BooleanSupplier step) {
        this.onStep = step;
        return this;
    }

    public long now() {
        return net.clock.nanoTime();
    }

    /** Frames dropped by the drop-tail queue towards node {@code node}. */
    public long queueDrops(int node) {
        return lanes[node].queueDrops;
    }

    /** Frames delivered to node {@code node}. */
    public long delivered(int node) {
        return lanes[node].delivered;
    }

    /** Loop rounds so far. */
    public long steps() {
        return steps;
    }

    /** Moves what the ports received since the last call into the lanes. */
    private void collect() {
        long now = now();
        for (int i = 0; i < lanes.length; i++) {
            TestNet.Node node = net.nodes.get(i);
            Lane lane = lanes[i];
            int n;
            while ((n = node.port.poll(polled, polled.length)) > 0) {
                for (int k = 0; k < n; k++) {
                    Packet p = polled[k];
                    polled[k] = null;
                    long release = now + delayNanos;
                    if (bitsPerSecond > 0) {
                        if (queueLimit > 0 && lane.queued(now) >= queueLimit) {
                            lane.queueDrops++;
                            node.pool.free(p);
                            continue;
                        }
                        int bytes = 0;
                        for (Packet q = p; q != null; q = q.next()) {
                            bytes += q.length();
                        }
                        long ser = (bytes * 8L * 1_000_000_000L + bitsPerSecond - 1) / bitsPerSecond;
                        long start = Math.max(now, lane.busyUntil);
                        lane.busyUntil = start + ser;
                        lane.depart(lane.busyUntil);
                        release = lane.busyUntil + delayNanos;
                    }
                    if (extraDelay != null) {
                        release += extraDelay.nanos(i, p);
                    }
                    lane.add(p, release);
                }
            }
        }
    }

    /** Runs until {@code done} holds; fails when the virtual clock would pass {@code maxVirtualNanos} from now. */
    public void runUntil(BooleanSupplier done, long maxVirtualNanos) {
        long limit = now() + maxVirtualNanos;
        collect();
        boolean poke = true;
        while (!done.getAsBoolean()) {
            steps++;
            long now = now();
            boolean worked = false;
            for (int i = 0; i < lanes.length; i++) {
                TestNet.Node node = net.nodes.get(i);
                Lane lane = lanes[i];
                int n = 0;
                while (n < batch && lane.due(now)) {
                    rx[n++] = lane.take();
                }
                if (n > 0 || poke || node.nextDeadline <= now) {
                    long d = node.stack.run(rx, n);
                    for (int k = 0; k < n; k++) {
                        rx[k] = null;
                    }
                    node.nextDeadline = d > now ? d : ((now >> TICK_SHIFT) + 1) << TICK_SHIFT;
                    worked = true;
                    collect();
                }
            }
            poke = false;
            for (Task t : tasks) {
                if (t.at <= now) {
                    t.at += t.period;
                    t.action.run();
                    collect();
                    poke = true;
                }
            }
            if (onStep != null && onStep.getAsBoolean()) {
                collect();
                poke = true;
            }
            if (worked || poke) {
                continue;
            }
            long next = Long.MAX_VALUE;
            for (int i = 0; i < lanes.length; i++) {
                next = Math.min(next, Math.min(lanes[i].nextRelease(), net.nodes.get(i).nextDeadline));
            }
            for (Task t : tasks) {
                next = Math.min(next, t.at);
            }
            if (next == Long.MAX_VALUE) {
                throw new AssertionError("deadlock: no frame in flight, no timer, no task, and not done");
            }
            if (next > limit) {
                throw new AssertionError("not done within " + maxVirtualNanos + " ns of virtual time");
            }
            net.clock.advanceTo(next);
        }
    }

    /** Runs for {@code nanos} of virtual time (whatever happens). */
    public void runFor(long nanos) {
        long end = now() + nanos;
        every(nanos, () -> { });
        Task marker = tasks.get(tasks.size() - 1);
        try {
            runUntil(() -> now() >= end, nanos + 1);
        } finally {
            tasks.remove(marker);
        }
    }

    /** Frees the frames in the line, then closes the stacks and checks every pool. */
    public void assertNoLeaks() {
        for (int i = 0; i < lanes.length; i++) {
            Lane lane = lanes[i];
            while (lane.count > 0) {
                net.nodes.get(i).pool.free(lane.take());
            }
        }
        net.assertNoLeaks();
    }
}
