package io.jiip.bench.tool;

import io.jiip.api.NicFeatures;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.bench.StackPair;
import io.jiip.bench.tool.BenchConfig.Model;
import io.jiip.link.MemoryLink;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One benchmark context pair: a client and a server stack on their own {@link MemoryLink} (their own queue pair,
 * RSS-style: flows never cross pairs), the threading model that runs them, the counters and the latency histogram.
 * What the pair opens, sends and answers is its {@link PairWorkload}.
 *
 * <p>Unified model: one thread calls {@link #runUnified}, which alternates the two stacks and runs the application
 * logic inside their callbacks. Split/merge models: a network thread ({@link #runNetwork}) runs both stacks and
 * passes each payload event (side, connection, length) through an SPSC ring to the application thread
 * ({@link #runApp}), which frames messages, measures latency and sends commands (side, connection) back through a
 * second ring; the network thread executes them with {@link PairWorkload#send}. Only the network thread touches
 * stacks and the pool; only the application thread touches counters, connection state and the histogram.
 *
 * <p>The hot paths allocate nothing: packets come from the pool, events and commands are {@code long}s.
 */
final class Pair {
    static final int CLIENT = 0;
    static final int SERVER = 1;
    /** Histogram range: 1 ns .. 60 s, 3 significant digits. */
    static final long MAX_LATENCY = 60_000_000_000L;

    // Counter indices (live in the owner thread, published for the reporter).
    static final int C_TX_MSGS = 0;
    static final int C_TX_BYTES = 1;
    static final int C_RX_MSGS = 2;
    static final int C_RX_BYTES = 3;
    static final int S_RX_MSGS = 4;
    static final int S_RX_BYTES = 5;
    static final int S_TX_MSGS = 6;
    static final int S_TX_BYTES = 7;
    static final int FAILURES = 8;
    static final int TIME = 9;
    static final int COUNTERS = 10;

    private static final String CLIENT_IP = "10.0.0.1";
    private static final String SERVER_IP = "10.0.0.2";
    private static final byte[] ISN_KEY = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    private static final long DRAIN_NANOS = 5_000_000_000L;
    /** Split model: empty polls before a spinning thread yields its core once. */
    private static final int SPINS_BEFORE_YIELD = 1000;

    final int id;
    private final PairWorkload workload;
    private final boolean split;
    private final boolean merge;
    final PacketPool pool;
    final StackPair stacks;
    /** The client's connections (or UDP flows), and the server's ends of the TCP ones in accept order. */
    final Conn[] conns;
    final Conn[] serverConns;
    final int serverIp;
    final int clientIp;
    final Histogram histogram = new Histogram(MAX_LATENCY, 3);

    /** False once the run stops: the workload issues no new requests during the drain. */
    boolean sending = true;
    final long[] counters = new long[COUNTERS];
    /** Counters as last published by the owner thread (read by the reporter). */
    final AtomicLongArray published = new AtomicLongArray(COUNTERS);
    /** Counters when measurement began (end of warmup) and when the owner saw the stop flag. */
    final long[] base = new long[COUNTERS];
    final long[] atStop = new long[COUNTERS];
    private volatile boolean measuring;
    private volatile boolean finished;
    /** Messages still in flight after the drain (0 when the drain completed). */
    volatile long leftInFlight;
    /** Link queue overflows (frames the receive queues dropped): only UDP stream may see any. */
    volatile long linkDrops;

    // Split/merge.
    private final SpscRing events;
    private final SpscRing commands;
    private volatile Thread appThread;
    private volatile boolean appParked;
    private volatile boolean appDone;
    private boolean pushed;

    /** Run control shared by every pair of a run. */
    static final class Control {
        volatile boolean stop;
        volatile long warmupEndNanos;
    }

    /** One connection (or UDP flow): its handle, the bytes of a partial message, the send times in flight. */
    static final class Conn {
        final int index;
        int handle = -1;
        /** Ring of send times of the {@link #count} messages in flight, oldest at {@link #head}. */
        final long[] sent;
        int head;
        int count;
        long pending;
        /** Paced: when the next request is due. */
        long next;

        Conn(int index, int depth) {
            this.index = index;
            this.sent = new long[Math.max(depth, 1)];
        }
    }

    Pair(int id, BenchConfig cfg) {
        this.id = id;
        this.workload = PairWorkload.of(this, cfg);
        this.split = cfg.model != Model.UNIFIED;
        this.merge = cfg.model == Model.MERGE;
        int c = cfg.connections;
        int inFlight = c * cfg.depth;
        int packets = Math.min(1 << 20, 4 * inFlight + 8192);
        int largest = Math.max(workload.reqLen, workload.respLen);
        int large = largest > 1900 ? Math.min(8 * inFlight + 256, 4096) : 256;
        this.pool = PacketPool.builder().packets(packets).small(packets, largest + 200 <= 512 ? 512 : 2048)
                .large(large, 65_792).build();
        MemoryLink link = new MemoryLink(System::nanoTime).trustChecksums(cfg.csumOffload);
        int features = (cfg.csumOffload ? NicFeatures.ALL_CSUM : 0)
                | (cfg.tso ? NicFeatures.TCP_TSO | NicFeatures.UDP_GSO : 0)
                | (cfg.scatterGather ? NicFeatures.TX_SCATTER_GATHER : 0)
                | (cfg.lro ? NicFeatures.LRO : 0);
        int ring = Math.min(1 << 16, Math.max(4096, 4 * inFlight + 256));
        TcpConfig tcp = TcpConfig.builder()
                .connections(c + 100)
                .receiveBuffer(workload.receiveBuffer())
                .sendBuffer(workload.sendBuffer())
                .nagle(false)
                .isnKey(ISN_KEY)
                .build();
        this.stacks = new StackPair(link, System::nanoTime, ring,
                pool, features, StackConfig.builder().mac("02:00:00:00:00:01").ipv4(CLIENT_IP, 24).tcp(tcp).build(),
                pool, features, StackConfig.builder().mac("02:00:00:00:00:02").ipv4(SERVER_IP, 24).tcp(tcp).build());
        this.serverIp = Ipv4Address.parse(SERVER_IP);
        this.clientIp = Ipv4Address.parse(CLIENT_IP);
        this.conns = new Conn[c];
        this.serverConns = new Conn[c];
        for (int i = 0; i < c; i++) {
            conns[i] = new Conn(i, cfg.depth);
        }
        if (split) {
            int cap = Integer.highestOneBit(Math.max(1024, 4 * inFlight + 1024) - 1) << 1;
            events = new SpscRing(Math.min(cap, 1 << 22));
            commands = new SpscRing(Math.min(cap, 1 << 22));
        } else {
            events = null;
            commands = null;
        }
        workload.open();
    }

    // ---------------------------------------------------------------- loops

    /** The unified model: this thread runs both stacks and the application; returns after the drain. */
    void runUnified(Control control) {
        begin(control);
        long iterations = 0;
        boolean paced = workload.topUpEveryIteration();
        while (!control.stop) {
            stacks.step();
            if (paced) {
                workload.topUpAll();
            }
            if ((++iterations & 15) == 0) {
                tick(control);
            }
        }
        stopSending();
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (System.nanoTime() < deadline) {
            if (stacks.step() == 0 && inFlight() == 0 && stacks.pending() == 0) {
                break;
            }
        }
        end();
    }

    /**
     * Tests: {@code n} iterations of the unified loop body (after {@link #start}), without the stop/drain logic.
     */
    void iterate(int n) {
        boolean paced = workload.topUpEveryIteration();
        for (int i = 0; i < n; i++) {
            stacks.step();
            if (paced) {
                workload.topUpAll();
            }
        }
    }

    /** Tests: begins measuring and issues the first requests, as {@link #runUnified} does. */
    void start(Control control) {
        begin(control);
    }

    /** Split/merge, network side: runs both stacks and executes the application's commands until it is done. */
    void runNetwork() {
        long deadline = Long.MAX_VALUE;
        int idle = 0;
        while (true) {
            pushed = false;
            boolean busy = stacks.step() != 0 || !commands.isEmpty();
            drainCommands();
            if (pushed) {
                wakeApp();
            }
            idle = busy ? 0 : idle + 1;
            if (idle > SPINS_BEFORE_YIELD) {
                Thread.yield(); // spinning threads on oversubscribed cores otherwise wait out whole time slices
                idle = 0;
            }
            if (appDone) {
                if (deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + 1_000_000L;
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
        }
    }

    /** Split/merge, application side: frames payload events, measures, issues requests; returns after the drain. */
    void runApp(Control control) {
        appThread = Thread.currentThread();
        begin(control);
        long interval = workload.interval;
        long deadline = Long.MAX_VALUE;
        long idle = 0;
        int spins = 0;
        while (true) {
            if (!events.isEmpty()) {
                spins = 0;
                long e = events.take();
                int side = (int) (e >>> 62);
                int index = (int) ((e >>> 32) & 0x3FFF_FFFF);
                int length = (int) e;
                workload.data(side, side == CLIENT ? conns[index] : serverConns[index], length);
                if ((++idle & 127) == 0) {
                    tick(control);
                }
                continue;
            }
            tick(control);
            if (control.stop) {
                if (deadline == Long.MAX_VALUE) {
                    stopSending();
                    deadline = System.nanoTime() + DRAIN_NANOS;
                }
                if (inFlight() == 0 || System.nanoTime() > deadline) {
                    break;
                }
            }
            if (interval > 0) {
                workload.topUpAll();
            }
            if (merge) {
                appParked = true;
                if (events.isEmpty()) {
                    LockSupport.parkNanos(this, interval > 0 ? Math.min(interval, 1_000_000L) : 1_000_000L);
                }
                appParked = false;
            } else if (++spins > SPINS_BEFORE_YIELD) {
                Thread.yield();
                spins = 0;
            } else {
                Thread.onSpinWait();
            }
        }
        end();
        appDone = true;
    }

    private void wakeApp() {
        if (appParked) {
            Thread t = appThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    private void begin(Control control) {
        counters[TIME] = System.nanoTime();
        if (control.warmupEndNanos == 0) {
            startMeasuring();
        }
        workload.topUpAll();
        publish();
    }

    private void tick(Control control) {
        long now = System.nanoTime();
        counters[TIME] = now;
        if (!measuring && now >= control.warmupEndNanos) {
            histogram.reset();
            startMeasuring();
        }
        publish();
    }

    private void startMeasuring() {
        counters[TIME] = System.nanoTime();
        System.arraycopy(counters, 0, base, 0, COUNTERS);
        measuring = true;
    }

    private void stopSending() {
        counters[TIME] = System.nanoTime();
        if (!measuring) {
            startMeasuring();
        }
        System.arraycopy(counters, 0, atStop, 0, COUNTERS);
        sending = false;
    }

    private void end() {
        counters[TIME] = System.nanoTime();
        publish();
        leftInFlight = inFlight();
        linkDrops = stacks.clientPort.rxOverflow() + stacks.serverPort.rxOverflow() + stacks.clientPort.rxNoBuffer()
                + stacks.serverPort.rxNoBuffer();
        finished = true;
    }

    boolean finished() {
        return finished;
    }

    private void publish() {
        for (int i = 0; i < COUNTERS; i++) {
            published.setRelease(i, counters[i]);
        }
    }

    /** Messages sent and not yet answered (ping-pong) or acknowledged (bulk). */
    private long inFlight() {
        long n = 0;
        for (Conn conn : conns) {
            n += conn.count;
        }
        return n;
    }

    /** Final counters (after the drain); call once the owner thread has ended. */
    long counter(int index) {
        return counters[index];
    }

    // ---------------------------------------------------------------- between the application and the stacks

    /**
     * Application side: counts and sends one message on {@code conn} (directly, or as a command to the network
     * thread); false when the stack refused it (unified model only: the network thread throws instead).
     */
    boolean issue(int side, Conn conn, int length) {
        if (split) {
            long cmd = ((long) side << 32) | conn.index;
            while (!commands.offer(cmd)) {
                Thread.onSpinWait();
            }
        } else if (!workload.send(side, conn.handle, length)) {
            counters[FAILURES]++;
            return false;
        }
        if (side == CLIENT) {
            counters[C_TX_MSGS]++;
            counters[C_TX_BYTES] += length;
        } else {
            counters[S_TX_MSGS]++;
            counters[S_TX_BYTES] += length;
        }
        return true;
    }

    private void drainCommands() {
        SpscRing ring = commands;
        while (!ring.isEmpty()) {
            long cmd = ring.take();
            int side = (int) (cmd >>> 32);
            int index = (int) cmd;
            boolean ok = side == CLIENT ? workload.send(CLIENT, conns[index].handle, workload.reqLen)
                    : workload.send(SERVER, serverConns[index].handle, workload.respLen);
            if (!ok) {
                throw new IllegalStateException("pair " + id + ": send refused (pool or send buffer exhausted)");
            }
        }
    }

    /**
     * Network side: {@code length} bytes arrived for {@code conn} on {@code side}, in a stack callback: handled here
     * (unified), or handed to the application thread (split/merge).
     */
    void received(int side, Conn conn, int length) {
        if (split) {
            pushEvent(side, conn.index, length);
        } else {
            workload.data(side, conn, length);
        }
    }

    private void pushEvent(int side, int index, int length) {
        long e = ((long) side << 62) | ((long) index << 32) | length;
        while (!events.offer(e)) {
            drainCommands();
            wakeApp();
            Thread.onSpinWait();
        }
        pushed = true;
    }

    /** Discards both stacks and returns every packet to the pool. */
    void close() {
        stacks.close();
        workload.close();
    }
}
