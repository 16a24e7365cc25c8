package io.jiip.sim;

import io.jiip.api.Clock;
import io.jiip.sim.trace.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The simulated world: a virtual clock in nanoseconds, a queue of {@link Event}s ordered by (time, sequence
 * number), and the {@link Node}s, {@link Link}s and {@link Switch}es of one scenario. No threads: {@link #run}
 * fires events one at a time on the caller's thread, jumping the clock from one to the next.
 *
 * <p><b>Determinism.</b> A run is a pure function of the scenario and the seed: every random stream is a
 * {@link SplittableRandom} derived from the seed and a stable name ({@link #random(String)}), each node's ISN secret
 * is derived the same way, ties between events are broken by scheduling order, and nothing reads the wall clock.
 * The same inputs give byte-identical pcaps and traces; {@link #digest()} summarises every frame put on any wire.
 *
 * <pre>{@code
 * Simulation sim = new Simulation(42);
 * Node a = sim.node("a").build();
 * Node b = sim.node("b").build();
 * sim.link(a, b).bandwidth(Units.mbps(100)).delay(Units.ms(2)).queue(100).build();
 * b.add(new TcpServerApp(5001, script));
 * a.add(new TcpClientApp(b, 5001, script));
 * sim.run();
 * }</pre>
 */
public final class Simulation implements Clock {
    /** Default bound on simulated time: a scenario still busy after this long has failed to finish. */
    public static final long DEFAULT_TIME_LIMIT = 3_600L * Units.SECOND;

    private final long seed;
    private final EventQueue queue = new EventQueue();
    private final FramePool frames = new FramePool();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final List<Switch> switches = new ArrayList<>();
    private final List<Runnable> finishers = new ArrayList<>();
    private final MessageDigest digest;
    private final byte[] digestScratch = new byte[16];
    private long now;
    private long nextSeq;
    private long events;
    private long timeLimit = DEFAULT_TIME_LIMIT;
    private long eventLimit = Long.MAX_VALUE;
    private String failure;
    private Throwable failureCause;
    private Trace trace;

    public Simulation(long seed) {
        this.seed = seed;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long seed() {
        return seed;
    }

    /** The virtual time, nanoseconds since the start of the simulation. */
    public long now() {
        return now;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Events fired so far. */
    public long events() {
        return events;
    }

    public FramePool frames() {
        return frames;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Link> links() {
        return Collections.unmodifiableList(links);
    }

    public List<Switch> switches() {
        return Collections.unmodifiableList(switches);
    }

    /**
     * A random stream named {@code name}, derived from the seed alone: the same name gives the same stream on every
     * run, whatever else the scenario creates (so adding a link does not change another link's losses).
     */
    public SplittableRandom random(String name) {
        return new SplittableRandom(mix64(seed ^ mix64(fnv64(name))));
    }

    /** 16 bytes for a node's RFC 6528 ISN secret, derived from the seed and the node's name. */
    byte[] isnKey(String nodeName) {
        SplittableRandom r = random("isn/" + nodeName);
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                key[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return key;
    }

    static long fnv64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ---- building ----

    /** Starts a node; {@link Node.Builder#build()} adds it. Addresses default to 10.0.x.y/16 in creation order. */
    public Node.Builder node(String name) {
        return new Node.Builder(this, name, nodes.size() + 1);
    }

    void add(Node node) {
        for (Node n : nodes) {
            if (n.name().equals(node.name())) {
                throw new IllegalArgumentException("duplicate node name " + node.name());
            }
        }
        nodes.add(node);
    }

    /** A learning Ethernet switch; connect nodes (or other switches) to it with {@link #link}. */
    public Switch newSwitch(String name) {
        Switch s = new Switch(this, name);
        switches.add(s);
        return s;
    }

    /** Starts a full-duplex point-to-point link between two nodes or switches. */
    public Link.Builder link(Attachable a, Attachable b) {
        return new Link.Builder(this, a, b);
    }

    void add(Link link) {
        links.add(link);
    }

    /** Writes a pcap per link ({@code link-NAME.pcap}) and per node ({@code node-NAME.pcap}) into {@code dir}. */
    public void captureAll(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Link l : links) {
            l.capture(dir.resolve("link-" + l.name() + ".pcap"));
        }
        for (Node n : nodes) {
            n.capture(dir.resolve("node-" + n.name() + ".pcap"));
        }
    }

    /** The per-connection time series of this run (created on first use). */
    public Trace trace() {
        if (trace == null) {
            trace = new Trace(this);
        }
        return trace;
    }

    /** The trace if one was asked for, else {@code null}. */
    public Trace traceOrNull() {
        return trace;
    }

    /** Fails the run if it is still busy at this simulated time (default one hour). */
    public Simulation timeLimit(long nanos) {
        this.timeLimit = nanos;
        return this;
    }

    /** Fails the run after this many events (a livelock guard; default unlimited). */
    public Simulation eventLimit(long n) {
        this.eventLimit = n;
        return this;
    }

    // ---- events ----

    /** Schedules (or moves) {@code e} to fire at {@code time}, which must not be in the past. */
    public void schedule(Event e, long time) {
        if (time < now) {
            throw new IllegalArgumentException("cannot schedule in the past: " + time + " < " + now);
        }
        if (e.heapIndex >= 0) {
            queue.remove(e);
        }
        e.time = time;
        e.seq = nextSeq++;
        queue.add(e);
    }

    public void cancel(Event e) {
        queue.remove(e);
    }

    /** Runs {@code action} at {@code time} (a one-shot event). */
    public Event at(long time, Runnable action) {
        Event e = new Event() {
            @Override
            protected void fire() {
                action.run();
            }
        };
        schedule(e, time);
        return e;
    }

    /** Registers something to run once, after the last event (e.g. an application's final report). */
    public void onFinish(Runnable r) {
        finishers.add(r);
    }

    /**
     * Fires events until none is left (the scenario went quiet), the time limit passes, or something fails.
     *
     * @return {@code true} when the simulation went quiet without failing
     */
    public boolean run() {
        return runUntil(timeLimit);
    }

    /** Fires the events due at or before {@code limit}; {@code true} when none is left and nothing failed. */
    public boolean runUntil(long limit) {
        while (failure == null) {
            Event e = queue.peek();
            if (e == null) {
                break;
            }
            if (e.time > limit) {
                if (limit >= timeLimit) {
                    fail("simulation", "still busy at the time limit of " + Units.formatTime(timeLimit)
                            + " (" + queue.size() + " events pending, next: " + describe(e) + ")", null);
                }
                return false;
            }
            queue.poll();
            now = e.time;
            events++;
            try {
                e.fire();
            } catch (RuntimeException | Error t) {
                fail("event " + describe(e), "exception escaped: " + t, t);
            }
            if (events >= eventLimit) {
                fail("simulation", "event limit of " + eventLimit + " reached (livelock?)", null);
            }
        }
        if (failure == null) {
            for (Runnable r : finishers) {
                r.run();
            }
            finishers.clear();
        }
        return failure == null;
    }

    private static String describe(Event e) {
        return e instanceof Frame ? "frame on " + ((Frame) e).channel : e.toString();
    }

    /** Events waiting. */
    public int pending() {
        return queue.size();
    }

    /** Stops the run with a failure (the first one wins); the event queue is cleared. */
    public void fail(String where, String message, Throwable cause) {
        if (failure == null) {
            failure = where + ": " + message;
            failureCause = cause;
        }
    }

    /** The first failure, or {@code null}. */
    public String failure() {
        return failure;
    }

    public Throwable failureCause() {
        return failureCause;
    }

    // ---- digest of the wire ----

    /** Adds a frame leaving a transmitter to the run's digest. */
    void digest(int channelId, Frame f) {
        long t = now;
        for (int i = 0; i < 8; i++) {
            digestScratch[i] = (byte) (t >>> (8 * i));
        }
        digestScratch[8] = (byte) channelId;
        digestScratch[9] = (byte) (channelId >>> 8);
        digestScratch[10] = (byte) f.length;
        digestScratch[11] = (byte) (f.length >>> 8);
        digest.update(digestScratch, 0, 12);
        digest.update(f.buffer.array(), f.buffer.arrayOffset(), f.length);
    }

    /** SHA-256 (hex) of every frame put on any wire so far, with its time and channel: equal digests, equal runs. */
    public String digest() {
        try {
            byte[] d = ((MessageDigest) digest.clone()).digest();
            StringBuilder sb = new StringBuilder();
            for (byte b : d) {
                sb.append(String.format("%02x", b & 0xff));
            }
            return sb.toString();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flushes and closes every capture (call once the run is over). */
    public void closeOutputs() {
        for (Link l : links) {
            l.closeCapture();
        }
        for (Node n : nodes) {
            n.closeCapture();
        }
    }

    /** Applies {@code action} to each node (a small convenience for scenario code). */
    public void forEachNode(Consumer<Node> action) {
        nodes.forEach(action);
    }
}
