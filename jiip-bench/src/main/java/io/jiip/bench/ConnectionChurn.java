package io.jiip.bench;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.PacketOps;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.Stats;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpEvents;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Connection churn on the memory link, as ApacheBench without keep-alive loads an HTTP server: sequential
 * connections, each one small request and response, the server closing first, so that every connection leaves a
 * TIME-WAIT on the server. Both contexts use the default configuration (1,024 connections) and the real clock.
 * Measures the connection rate and the slowest connection; a connection that takes more than {@link #STALL_NANOS}
 * (a SYN left unanswered) ends the run with an error.
 *
 * <p>jiip-core's tests drive the same exchange on a virtual clock ({@code io.jiip.testkit.CloseFirstChurn}); the two
 * stay apart because the CLI runs this class (it must not need core's test classes) and core's main code carries no
 * benchmark drivers.
 */
public final class ConnectionChurn {
    /**
     * What ends the run as a stall: several 1 s SYN retransmission timeouts (the symptom before TIME-WAIT had its own
     * table: a minute of unanswered SYNs). Retransmissions are counted and reported in any case.
     */
    public static final long STALL_NANOS = 5_000_000_000L;
    private static final int SERVER_PORT = 80;
    private static final int REQUEST = 78; // "GET / HTTP/1.0" with a Host and a User-Agent
    private static final int RESPONSE = 200;
    private static final long PROGRESS_EVERY = 100_000;

    /**
     * One run's figures.
     *
     * @param slowestNanos the longest a connection took, connect to close
     * @param serverStats the server's counters at the end
     */
    public record Outcome(long connections, long elapsedNanos, long slowestNanos, long failures,
            Stats serverStats, Stats clientStats) {
        /** Connections per second. */
        public double rate() {
            return connections * 1e9 / elapsedNanos;
        }
    }

    private final StackPair pair;
    private long completed;
    private long failures;
    private boolean open;

    private ConnectionChurn() {
        MemoryLink link = new MemoryLink(System::nanoTime).trustChecksums(true);
        StackConfig client = StackConfig.builder().mac("02:00:00:00:00:01").ipv4("10.0.0.1", 24).build();
        StackConfig server = StackConfig.builder().mac("02:00:00:00:00:02").ipv4("10.0.0.2", 24).build();
        this.pair = new StackPair(link, System::nanoTime, 4096, PacketPool.standard(), NicFeatures.ALL_CSUM, client,
                PacketPool.standard(), NicFeatures.ALL_CSUM, server);
    }

    /** Runs {@code connections} sequential connections; a line per 100,000 to {@code out}. */
    public static Outcome run(long connections, PrintStream out) {
        ConnectionChurn churn = new ConnectionChurn();
        try {
            return churn.loop(connections, out);
        } finally {
            churn.pair.close();
        }
    }

    private Outcome loop(long n, PrintStream out) {
        Stack<Packet> client = pair.client;
        StackPair.check(pair.server.tcpListen(SERVER_PORT, 16, server), "listen");
        pair.resolveServer(10_000);
        long start = System.nanoTime();
        long lastLine = start;
        long slowest = 0;
        long openedAt = 0;
        while (completed < n) {
            if (!open) {
                long now = System.nanoTime();
                if (completed > 0) {
                    slowest = Math.max(slowest, now - openedAt);
                    if (completed % PROGRESS_EVERY == 0) {
                        out.printf(Locale.ROOT,
                                "%,12d connections  %,10.0f /s  (server: %d in TIME-WAIT, %,d recycled)%n", completed,
                                PROGRESS_EVERY * 1e9 / (now - lastLine), pair.server.tcpTimeWaitCount(),
                                pair.server.stats().get(Counter.TCP_TIME_WAIT_RECYCLED));
                        lastLine = now;
                    }
                }
                int handle = client.tcpConnect(pair.serverIp(), SERVER_PORT, 0, this.client, null);
                if (handle < 0) {
                    throw new IllegalStateException("connection " + completed + ": " + Result.name(handle));
                }
                open = true;
                openedAt = now;
            }
            pair.step();
            if (open && System.nanoTime() - openedAt > STALL_NANOS) {
                throw new IllegalStateException("connection " + completed + " stalled for "
                        + (System.nanoTime() - openedAt) / 1_000_000 + " ms; server " + pair.server.stats());
            }
        }
        long elapsed = System.nanoTime() - start;
        slowest = Math.max(slowest, System.nanoTime() - openedAt);
        return new Outcome(completed, elapsed, slowest, failures, pair.server.stats(), client.stats());
    }

    private static void send(Stack<Packet> stack, int conn, int length) {
        PacketOps<Packet> ops = stack.packetOps();
        Packet p = ops.alloc(length);
        if (p == null) {
            throw new IllegalStateException("packet pool empty");
        }
        ops.length(p, length);
        if (stack.tcpSend(conn, p, 0) != Result.OK) {
            ops.free(p);
            throw new IllegalStateException("tcpSend failed");
        }
    }

    private final TcpEvents<Packet> server = new TcpEvents<>() {
        @Override
        public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(conn, length);
            send(stack, conn, RESPONSE);
            stack.tcpClose(conn); // HTTP/1.0 without keep-alive: the server closes first
        }

        @Override
        public void onClosed(Stack<Packet> stack, int conn, Object attachment, int reason) {
            if (reason != TcpCloseReason.NORMAL) {
                failures++;
            }
        }
    };

    private final TcpEvents<Packet> client = new TcpEvents<>() {
        @Override
        public Object onConnected(Stack<Packet> stack, int conn, Object attachment) {
            send(stack, conn, REQUEST);
            return attachment;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(conn, length);
        }

        @Override
        public void onRemoteShutdown(Stack<Packet> stack, int conn, Object attachment) {
            stack.tcpClose(conn);
        }

        @Override
        public void onClosed(Stack<Packet> stack, int conn, Object attachment, int reason) {
            if (reason != TcpCloseReason.NORMAL) {
                failures++;
            }
            completed++;
            open = false;
        }
    };
}
