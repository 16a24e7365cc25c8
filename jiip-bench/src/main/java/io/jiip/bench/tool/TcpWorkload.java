package io.jiip.bench.tool;

import static io.jiip.bench.tool.Pair.CLIENT;
import static io.jiip.bench.tool.Pair.SERVER;
import static io.jiip.bench.tool.Pair.S_RX_BYTES;
import static io.jiip.bench.tool.Pair.S_RX_MSGS;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.bench.StackPair;
import io.jiip.bench.tool.Pair.Conn;
import io.jiip.link.Packet;

/**
 * The TCP workloads: one connection per {@link Conn}, opened before measuring; payload goes through the pair's
 * model ({@link Pair#received}) to {@link #data}, where the server frames requests.
 */
abstract class TcpWorkload extends PairWorkload {
    private int accepted;
    private int connected;

    TcpWorkload(Pair pair, BenchConfig cfg) {
        super(pair, cfg);
    }

    @Override
    void open() {
        Conn[] conns = pair.conns;
        StackPair.check(pair.stacks.server.tcpListen(SERVER_PORT, conns.length, serverTcp), "listen");
        pair.stacks.resolveServer(10_000);
        for (Conn conn : conns) {
            int handle = pair.stacks.client.tcpConnect(pair.serverIp, SERVER_PORT, 0, clientTcp, conn);
            if (handle < 0) {
                throw new IllegalStateException("connect #" + conn.index + ": " + Result.name(handle));
            }
            conn.handle = handle;
        }
        for (int s = 0; connected < conns.length || accepted < conns.length; s++) {
            if (pair.stacks.step() == 0 && s > 100_000) {
                throw new IllegalStateException("only " + connected + " connected, " + accepted + " accepted of "
                        + conns.length);
            }
        }
    }

    @Override
    final int transmit(int side, int handle, Packet packet) {
        return (side == CLIENT ? pair.stacks.client : pair.stacks.server).tcpSend(handle, packet, 0);
    }

    @Override
    final void data(int side, Conn conn, int length) {
        if (side == CLIENT) {
            clientData(conn, length);
        } else {
            serverData(conn, length);
        }
    }

    /** The client received {@code length} bytes on {@code conn}. */
    abstract void clientData(Conn conn, int length);

    /** The server received {@code length} bytes on {@code conn}: counts every complete request. */
    private void serverData(Conn conn, int length) {
        pair.counters[S_RX_BYTES] += length;
        conn.pending += length;
        while (conn.pending >= reqLen) {
            conn.pending -= reqLen;
            pair.counters[S_RX_MSGS]++;
            request(conn);
        }
    }

    /** The server has a complete request on {@code conn}. */
    abstract void request(Conn conn);

    /** Network thread: the server acknowledged {@code bytes} more of the client's data on {@code conn}. */
    void acked(Conn conn, int bytes) {
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
            pair.received(CLIENT, (Conn) attachment, length);
        }

        @Override
        public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
            acked((Conn) attachment, bytes);
        }
    };

    private final TcpEvents<Packet> serverTcp = new TcpEvents<>() {
        @Override
        public Object onAccepted(Stack<Packet> stack, int connection) {
            stack.tcpNoDelay(connection, true);
            Conn conn = new Conn(accepted, 1); // setup time only
            conn.handle = connection;
            pair.serverConns[accepted++] = conn;
            return conn;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(connection, length);
            pair.received(SERVER, (Conn) attachment, length);
        }
    };
}
