package io.jiip.testkit;

import io.jiip.api.PacketOps;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.wire.Ipv4Address;

/**
 * Connection churn between the two nodes of a {@link TestNet}, one request and response per connection with the
 * server closing first (HTTP/1.0 without keep-alive, as ApacheBench without {@code -k} uses it): the server (B,
 * listening with {@link #server}) answers and closes; the client (A) closes when it sees the server's FIN and opens
 * the next connection once the last one is closed. The loops allocate nothing (for the allocation guard).
 * jiip-bench's {@code ConnectionChurn} runs the same exchange on the real clock for {@code jiip bench --churn}.
 */
public final class CloseFirstChurn {
    public static final int PORT = 80;
    public static final int REQUEST = 18;
    public static final int RESPONSE = 24;
    /** Rounds one connection may take before {@link #run} calls it a stall (a lost SYN waits a 1 s timeout). */
    public static final int MAX_ROUNDS = 50;
    private static final int B = Ipv4Address.parse(TestNet.B_IP);

    private final TestNet net;
    /** Accept decisions the server was asked for. */
    public int accepts;
    /** Connections the client saw closed. */
    public long completed;
    /** Closes other than NORMAL, failed sends. */
    public long failures;

    public CloseFirstChurn(TestNet net) {
        this.net = net;
    }

    private void send(Stack<Packet> stack, int conn, int length) {
        PacketOps<Packet> ops = stack.packetOps();
        Packet p = ops.alloc(length);
        if (p == null) {
            failures++;
            return;
        }
        ops.length(p, length);
        if (stack.tcpSend(conn, p, 0) != Result.OK) {
            ops.free(p);
            failures++;
        }
    }

    /** The server's handler: listen with it on {@link #PORT}. */
    public final TcpEvents<Packet> server = new TcpEvents<>() {
        @Override
        public boolean onAccept(Stack<Packet> stack, int localPort, int remoteIp, int remotePort) {
            accepts++;
            return true;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(conn, length);
            send(stack, conn, RESPONSE);
            stack.tcpClose(conn);
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
        }
    };

    /**
     * Runs {@code n} connections one after the other from ephemeral ports, the clock moving {@code step} per round;
     * throws when one takes more than {@link #MAX_ROUNDS} rounds.
     */
    public void run(long n, long step) {
        long target = completed + n;
        while (completed < target) {
            runOne(0, step);
        }
    }

    /** One connection from local port {@code port} (0: ephemeral), run to its end as in {@link #run}. */
    public void runOne(int port, long step) {
        long target = completed + 1;
        int conn = net.a().stack.tcpConnect(B, PORT, port, client, null);
        if (conn < 0) {
            throw new AssertionError("tcpConnect failed");
        }
        for (int rounds = 0; completed < target; rounds++) {
            if (rounds >= MAX_ROUNDS) {
                throw new AssertionError("a connection stalled");
            }
            net.clock.advance(step);
            net.a().runOnce();
            net.b().runOnce();
        }
    }

    /** {@code n} connections without moving the clock: every one closes at the same instant. */
    public void runAtOnce(int n) {
        for (int i = 0; i < n; i++) {
            if (net.a().stack.tcpConnect(B, PORT, 0, client, null) < 0) {
                throw new AssertionError("tcpConnect failed");
            }
            net.pump();
        }
    }
}
