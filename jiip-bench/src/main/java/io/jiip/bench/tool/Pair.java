package io.jiip.bench.tool;

import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.api.UdpHandler;
import io.jiip.bench.StackPair;
import io.jiip.bench.tool.BenchConfig.Model;
import io.jiip.bench.tool.BenchConfig.Workload;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One benchmark context pair: a client and a server stack on their own {@link MemoryLink} (their own queue pair,
 * RSS-style: flows never cross pairs), the workload's application logic, its counters and its latency histogram.
 *
 * <p>Unified model: one thread calls {@link #runUnified}, which alternates the two stacks and runs the application
 * logic inside their callbacks. Split/merge models: a network thread ({@link #runNetwork}) runs both stacks and
 * passes each payload event (side, connection, length) through an SPSC ring to the application thread
 * ({@link #runApp}), which frames messages, measures latency and sends commands (side, connection) back through a
 * second ring; the network thread executes them with {@code tcpSend}. Only the network thread touches stacks and
 * the pool; only the application thread touches counters, connection state and the histogram.
 *
 * <p>The hot paths allocate nothing: packets come from the pool, events and commands are {@code long}s.
 */
final class Pair {
    static final int SERVER_PORT = 7;
    static final int UDP_CLIENT_BASE = 20_000;
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
    private final BenchConfig cfg;
    private final Workload workload;
    private final boolean split;
    private final boolean merge;
    private final int depth;
    private final int reqLen;
    private final int respLen;
    private final byte[] message;
    private final long interval;
    private final PacketPool pool;
    private final StackPair stacks;
    private final MemoryLink.Port clientPort;
    private final MemoryLink.Port serverPort;
    private final Stack<Packet> client;
    private final Stack<Packet> server;
    private final Conn[] conns;
    private final Conn[] serverConns;
    private final int serverIp;
    private final int clientIp;
    private final Packet chunk;
    final Histogram histogram = new Histogram(MAX_LATENCY, 3);

    private int accepted;
    private int connected;
    private boolean sending = true;
    private final long[] counters = new long[COUNTERS];
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

    private static final class Conn {
        final int index;
        int handle = -1;
        final long[] sent;
        int head;
        int count;
        long pending;
        long next;

        Conn(int index, int depth) {
            this.index = index;
            this.sent = new long[Math.max(depth, 1)];
        }
    }

    Pair(int id, BenchConfig cfg) {
        this.id = id;
        this.cfg = cfg;
        this.workload = cfg.workload;
        this.split = cfg.model != Model.UNIFIED;
        this.merge = cfg.model == Model.MERGE;
        this.depth = cfg.depth;
        this.reqLen = cfg.requestLength();
        this.respLen = reqLen;
        this.message = cfg.message;
        this.interval = cfg.rate > 0 ? Math.max(1, 1_000_000_000L / cfg.rate) : 0;
        int c = cfg.connections;
        int inFlight = c * depth;
        int packets = Math.min(1 << 20, 4 * inFlight + 8192);
        int largest = Math.max(reqLen, respLen);
        int large = largest > 1900 ? Math.min(8 * inFlight + 256, 4096) : 256;
        this.pool = PacketPool.builder().packets(packets).small(packets, largest + 200 <= 512 ? 512 : 2048)
                .large(large, 65_792).build();
        MemoryLink link = new MemoryLink(System::nanoTime).trustChecksums(cfg.csumOffload);
        int features = (cfg.csumOffload ? NicFeatures.ALL_CSUM : 0)
                | (cfg.tso ? NicFeatures.TCP_TSO | NicFeatures.UDP_GSO : 0)
                | (cfg.scatterGather ? NicFeatures.TX_SCATTER_GATHER : 0)
                | (cfg.lro ? NicFeatures.LRO : 0);
        int ring = Math.min(1 << 16, Math.max(4096, 4 * inFlight + 256));
        boolean bulk = workload == Workload.BULK;
        TcpConfig tcp = TcpConfig.builder()
                .connections(c + 100)
                .receiveBuffer(bulk ? 4 << 20 : 256 * 1024)
                .sendBuffer(bulk ? 4 << 20 : 1 << 20)
                .nagle(false)
                .isnKey(ISN_KEY)
                .build();
        this.stacks = new StackPair(link, System::nanoTime, ring,
                pool, features, StackConfig.builder().mac("02:00:00:00:00:01").ipv4(CLIENT_IP, 24).tcp(tcp).build(),
                pool, features, StackConfig.builder().mac("02:00:00:00:00:02").ipv4(SERVER_IP, 24).tcp(tcp).build());
        this.clientPort = stacks.clientPort;
        this.serverPort = stacks.serverPort;
        this.client = stacks.client;
        this.server = stacks.server;
        this.serverIp = Ipv4Address.parse(SERVER_IP);
        this.clientIp = Ipv4Address.parse(CLIENT_IP);
        this.conns = new Conn[c];
        this.serverConns = new Conn[c];
        for (int i = 0; i < c; i++) {
            conns[i] = new Conn(i, depth);
        }
        if (bulk) {
            chunk = pool.alloc(reqLen);
            pool.length(chunk, reqLen);
            for (int i = 0; i < reqLen; i++) {
                chunk.buffer().put(chunk.offset() + i, message != null ? message[i] : (byte) i);
            }
        } else {
            chunk = null;
        }
        if (split) {
            int cap = Integer.highestOneBit(Math.max(1024, 4 * inFlight + 1024) - 1) << 1;
            events = new SpscRing(Math.min(cap, 1 << 22));
            commands = new SpscRing(Math.min(cap, 1 << 22));
        } else {
            events = null;
            commands = null;
        }
        open();
    }

    // ---------------------------------------------------------------- setup

    private void open() {
        if (workload.tcp()) {
            StackPair.check(server.tcpListen(SERVER_PORT, conns.length, serverTcp), "listen");
        } else {
            StackPair.check(server.udpBind(SERVER_PORT, serverUdp), "udp bind");
            for (Conn conn : conns) {
                conn.handle = UDP_CLIENT_BASE + conn.index;
                StackPair.check(client.udpBind(conn.handle, clientUdp), "udp bind");
            }
        }
        stacks.resolveServer(10_000);
        if (workload.tcp()) {
            for (Conn conn : conns) {
                int handle = client.tcpConnect(serverIp, SERVER_PORT, 0, clientTcp, conn);
                if (handle < 0) {
                    throw new IllegalStateException("connect #" + conn.index + ": " + Result.name(handle));
                }
                conn.handle = handle;
            }
            for (int s = 0; connected < conns.length || accepted < conns.length; s++) {
                if (step() == 0 && s > 100_000) {
                    throw new IllegalStateException("only " + connected + " connected, " + accepted + " accepted of "
                            + conns.length);
                }
            }
        }
    }


    // ---------------------------------------------------------------- loops

    /** One poll and run of the client, then of the server. */
    private int step() {
        return stacks.step();
    }

    /** The unified model: this thread runs both stacks and the application; returns after the drain. */
    void runUnified(Control control) {
        begin(control);
        long iterations = 0;
        boolean paced = interval > 0 || workload == Workload.UDP_STREAM;
        while (!control.stop) {
            step();
            if (paced) {
                topUpAll();
            }
            if ((++iterations & 15) == 0) {
                tick(control);
            }
        }
        stopSending();
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (System.nanoTime() < deadline) {
            if (step() == 0 && inFlight() == 0 && stacks.pending() == 0) {
                break;
            }
        }
        end();
    }

    /**
     * Tests: {@code n} iterations of the unified loop body (after {@link #start}), without the stop/drain logic.
     */
    void iterate(int n) {
        boolean paced = interval > 0 || workload == Workload.UDP_STREAM;
        for (int i = 0; i < n; i++) {
            step();
            if (paced) {
                topUpAll();
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
            boolean busy = step() != 0 || !commands.isEmpty();
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
                data(side, side == CLIENT ? conns[index] : serverConns[index], length);
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
                topUpAll();
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
        topUpAll();
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
        linkDrops = clientPort.rxOverflow() + serverPort.rxOverflow() + clientPort.rxNoBuffer()
                + serverPort.rxNoBuffer();
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

    // ---------------------------------------------------------------- application logic

    private void topUpAll() {
        for (Conn conn : conns) {
            topUp(conn, 0);
        }
    }

    /** Sends requests on {@code conn} while fewer than depth are in flight and the pacing allows. */
    private void topUp(Conn conn, long now) {
        if (workload == Workload.UDP_STREAM) {
            for (int k = 0; k < depth && sending; k++) {
                if (interval > 0) {
                    if (now == 0) {
                        now = System.nanoTime();
                    }
                    if (now < conn.next) {
                        return;
                    }
                    conn.next = Math.max(conn.next + interval, now - interval);
                }
                if (!issue(CLIENT, conn, reqLen)) {
                    return;
                }
            }
            return;
        }
        while (sending && conn.count < depth) {
            if (now == 0) {
                now = System.nanoTime();
            }
            if (interval > 0) {
                if (now < conn.next) {
                    return;
                }
                conn.next = Math.max(conn.next + interval, now - interval);
            }
            if (!issue(CLIENT, conn, reqLen)) {
                return;
            }
            int slot = conn.head + conn.count;
            conn.sent[slot >= depth ? slot - depth : slot] = now;
            conn.count++;
        }
    }

    /** Counts and sends one message (directly, or as a command to the network thread). */
    private boolean issue(int side, Conn conn, int length) {
        if (split) {
            long cmd = ((long) side << 32) | conn.index;
            while (!commands.offer(cmd)) {
                Thread.onSpinWait();
            }
        } else if (!send(side, conn.handle, length)) {
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

    /** Network thread: one message of the side's length on a connection (or UDP flow). */
    private boolean send(int side, int handle, int length) {
        Packet p = chunk != null ? pool.clone(chunk) : pool.alloc(length);
        if (p == null) {
            return false;
        }
        if (chunk == null) {
            pool.length(p, length);
            if (message != null) {
                p.buffer().put(p.offset(), message, 0, length);
            }
        }
        int rc;
        if (workload.tcp()) {
            rc = (side == CLIENT ? client : server).tcpSend(handle, p, 0);
        } else if (side == CLIENT) {
            rc = client.udpSend(p, handle, serverIp, SERVER_PORT);
        } else {
            rc = server.udpSend(p, SERVER_PORT, clientIp, handle);
        }
        if (rc != Result.OK) {
            pool.free(p);
            return false;
        }
        return true;
    }

    private void drainCommands() {
        SpscRing ring = commands;
        while (!ring.isEmpty()) {
            long cmd = ring.take();
            int side = (int) (cmd >>> 32);
            int index = (int) cmd;
            boolean ok = side == CLIENT ? send(CLIENT, conns[index].handle, reqLen)
                    : send(SERVER, serverConns[index].handle, respLen);
            if (!ok) {
                throw new IllegalStateException("pair " + id + ": send refused (pool or send buffer exhausted)");
            }
        }
    }

    /**
     * {@code length} bytes arrived for {@code conn} on {@code side}, in a stack callback: handled here (unified), or
     * handed to the application thread (split/merge).
     */
    private void received(int side, Conn conn, int length) {
        if (split) {
            pushEvent(side, conn.index, length);
        } else {
            data(side, conn, length);
        }
    }

    private void data(int side, Conn conn, int length) {
        if (side == CLIENT) {
            clientData(conn, length);
        } else {
            serverData(conn, length);
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

    /** Client received {@code length} bytes on {@code conn}: completes responses (ping-pong). */
    private void clientData(Conn conn, int length) {
        counters[C_RX_BYTES] += length;
        conn.pending += length;
        long now = 0;
        while (conn.pending >= respLen && conn.count > 0) {
            conn.pending -= respLen;
            if (now == 0) {
                now = System.nanoTime();
            }
            complete(conn, now);
        }
        if (interval == 0) {
            topUp(conn, now);
        }
    }

    private void complete(Conn conn, long now) {
        long latency = now - conn.sent[conn.head];
        histogram.recordValue(latency < 0 ? 0 : Math.min(latency, MAX_LATENCY));
        conn.head = conn.head + 1 == depth ? 0 : conn.head + 1;
        conn.count--;
        counters[C_RX_MSGS]++;
    }

    /** Server received {@code length} bytes on {@code conn}: answers every complete request (ping-pong). */
    private void serverData(Conn conn, int length) {
        counters[S_RX_BYTES] += length;
        conn.pending += length;
        while (conn.pending >= reqLen) {
            conn.pending -= reqLen;
            counters[S_RX_MSGS]++;
            if (workload == Workload.PING_PONG && !issue(SERVER, conn, respLen)) {
                throw new IllegalStateException("pair " + id + ": response refused");
            }
        }
    }

    private final TcpEvents<Packet> clientTcp = new TcpEvents<>() {
        @Override
        public Object onConnected(Stack<Packet> stack, int connection, Object attachment) {
            connected++;
            stack.tcpNoDelay(connection, true);
            return attachment;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(connection, length);
            received(CLIENT, (Conn) attachment, length);
        }

        @Override
        public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
            if (workload != Workload.BULK) {
                return;
            }
            Conn conn = (Conn) attachment;
            conn.pending += bytes;
            long now = 0;
            while (conn.pending >= reqLen && conn.count > 0) {
                conn.pending -= reqLen;
                conn.head = conn.head + 1 == depth ? 0 : conn.head + 1;
                conn.count--;
                counters[C_RX_MSGS]++;
            }
            topUp(conn, now);
        }
    };

    private final TcpEvents<Packet> serverTcp = new TcpEvents<>() {
        @Override
        public Object onAccepted(Stack<Packet> stack, int connection) {
            stack.tcpNoDelay(connection, true);
            Conn conn = new Conn(accepted, 1); // setup time only
            conn.handle = connection;
            serverConns[accepted++] = conn;
            return conn;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(connection, length);
            received(SERVER, (Conn) attachment, length);
        }
    };

    private final UdpHandler<Packet> serverUdp = this::onServerDatagram;
    private final UdpHandler<Packet> clientUdp = this::onClientDatagram;

    private void onServerDatagram(Stack<Packet> stack, Packet packet, int srcIp, int srcPort, int dstIp, int dstPort,
            int off, int len) {
        counters[S_RX_MSGS]++;
        counters[S_RX_BYTES] += len;
        if (workload == Workload.UDP_PING_PONG) {
            if (send(SERVER, srcPort, respLen)) {
                counters[S_TX_MSGS]++;
                counters[S_TX_BYTES] += respLen;
            } else {
                counters[FAILURES]++;
            }
        }
    }

    private void onClientDatagram(Stack<Packet> stack, Packet packet, int srcIp, int srcPort, int dstIp, int dstPort,
            int off, int len) {
        Conn conn = conns[dstPort - UDP_CLIENT_BASE];
        counters[C_RX_BYTES] += len;
        if (conn.count > 0) {
            complete(conn, System.nanoTime());
        }
        topUp(conn, 0);
    }

    /** Discards both stacks and returns every packet to the pool. */
    void close() {
        stacks.close();
        if (chunk != null) {
            pool.free(chunk);
        }
    }
}
