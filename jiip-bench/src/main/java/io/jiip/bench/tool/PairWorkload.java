package io.jiip.bench.tool;

import static io.jiip.bench.tool.Pair.CLIENT;
import static io.jiip.bench.tool.Pair.C_RX_MSGS;
import static io.jiip.bench.tool.Pair.MAX_LATENCY;

import io.jiip.api.Result;
import io.jiip.bench.tool.Pair.Conn;
import io.jiip.link.Packet;

/**
 * The application logic of one {@link BenchConfig.Workload} on a {@link Pair}: how the connections (or UDP flows)
 * open, when the client sends, what each side does with what arrives. The pair supplies the stacks, the counters
 * and the threading model: {@link #send} runs on the network thread, {@link #data} and {@link #topUp} on the
 * application thread (one and the same thread in the unified model).
 *
 * <p>Built by the pair's constructor, before the pair's stacks exist: a workload touches its pair from
 * {@link #open} on.
 */
abstract class PairWorkload {
    static final int SERVER_PORT = 7;

    final Pair pair;
    /** Messages in flight per connection (UDP stream: datagrams per flow per top-up). */
    final int depth;
    final int reqLen;
    final int respLen;
    /** The literal request and response, or null (then zero-ish bytes). */
    final byte[] message;
    /** Nanoseconds between requests on one connection; 0: unpaced. */
    final long interval;

    PairWorkload(Pair pair, BenchConfig cfg) {
        this.pair = pair;
        this.depth = cfg.depth;
        this.reqLen = cfg.requestLength();
        this.respLen = reqLen;
        this.message = cfg.message;
        this.interval = cfg.rate > 0 ? Math.max(1, 1_000_000_000L / cfg.rate) : 0;
    }

    static PairWorkload of(Pair pair, BenchConfig cfg) {
        return switch (cfg.workload) {
            case PING_PONG -> new TcpPingPong(pair, cfg);
            case BULK -> new TcpBulk(pair, cfg);
            case UDP_PING_PONG -> new UdpPingPong(pair, cfg);
            case UDP_STREAM -> new UdpStream(pair, cfg);
        };
    }

    /** TCP receive buffer of both stacks. */
    int receiveBuffer() {
        return 256 * 1024;
    }

    /** TCP send buffer of both stacks. */
    int sendBuffer() {
        return 1 << 20;
    }

    /** Setup, before measuring: binds or listens, opens the client's connections or flows. */
    abstract void open();

    /** Frees what {@link #open} took from the pool; the stacks are closed already. */
    void close() {
    }

    // ---------------------------------------------------------------- network thread

    /** One message of {@code length} bytes from {@code side} on a connection (or to a UDP port); false if refused. */
    final boolean send(int side, int handle, int length) {
        Packet p = packet(length);
        if (p == null) {
            return false;
        }
        if (transmit(side, handle, p) != Result.OK) {
            pair.pool.free(p);
            return false;
        }
        return true;
    }

    /** A message of {@code length} bytes from the pool, or null when it is empty. */
    Packet packet(int length) {
        Packet p = pair.pool.alloc(length);
        if (p != null) {
            pair.pool.length(p, length);
            if (message != null) {
                p.buffer().put(p.offset(), message, 0, length);
            }
        }
        return p;
    }

    /** Hands {@code packet} to the side's stack; a {@link Result} code (the caller frees the packet unless OK). */
    abstract int transmit(int side, int handle, Packet packet);

    // ---------------------------------------------------------------- application thread

    /** Stream bytes for {@code conn} on {@code side}, as {@link Pair#received} delivered them. */
    abstract void data(int side, Conn conn, int length);

    /** Whether the unified loop tops up every connection on every iteration, not only when answers arrive. */
    boolean topUpEveryIteration() {
        return interval > 0;
    }

    final void topUpAll() {
        for (Conn conn : pair.conns) {
            topUp(conn, 0);
        }
    }

    /**
     * Sends requests on {@code conn} while fewer than depth are in flight and the pacing allows; {@code now} is the
     * time if the caller has it, else 0.
     */
    void topUp(Conn conn, long now) {
        while (pair.sending && conn.count < depth) {
            if (now == 0) {
                now = System.nanoTime();
            }
            if (interval > 0) {
                if (now < conn.next) {
                    return;
                }
                conn.next = Math.max(conn.next + interval, now - interval);
            }
            if (!pair.issue(CLIENT, conn, reqLen)) {
                return;
            }
            int slot = conn.head + conn.count;
            conn.sent[slot >= depth ? slot - depth : slot] = now;
            conn.count++;
        }
    }

    /** The oldest message in flight on {@code conn} was answered at {@code now}: records its latency. */
    final void complete(Conn conn, long now) {
        long latency = now - conn.sent[conn.head];
        pair.histogram.recordValue(latency < 0 ? 0 : Math.min(latency, MAX_LATENCY));
        retire(conn);
    }

    /** The oldest message in flight on {@code conn} is done (answered or acknowledged). */
    final void retire(Conn conn) {
        conn.head = conn.head + 1 == depth ? 0 : conn.head + 1;
        conn.count--;
        pair.counters[C_RX_MSGS]++;
    }
}
