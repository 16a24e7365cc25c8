package io.jiip.bench.tool;

import static io.jiip.bench.tool.Pair.CLIENT;
import static io.jiip.bench.tool.Pair.S_RX_BYTES;
import static io.jiip.bench.tool.Pair.S_RX_MSGS;

import io.jiip.api.Stack;
import io.jiip.api.UdpHandler;
import io.jiip.bench.StackPair;
import io.jiip.bench.tool.Pair.Conn;
import io.jiip.link.Packet;

/**
 * The UDP workloads (unified model only): one flow per {@link Conn}, from client port {@link #CLIENT_PORT_BASE}
 * plus its index to the server's port; each datagram is one message, handled in the stacks' callbacks.
 */
abstract class UdpWorkload extends PairWorkload {
    static final int CLIENT_PORT_BASE = 20_000;

    UdpWorkload(Pair pair, BenchConfig cfg) {
        super(pair, cfg);
    }

    @Override
    final void open() {
        StackPair.check(pair.stacks.server.udpBind(SERVER_PORT, serverUdp), "udp bind");
        for (Conn conn : pair.conns) {
            conn.handle = CLIENT_PORT_BASE + conn.index;
            StackPair.check(pair.stacks.client.udpBind(conn.handle, clientUdp), "udp bind");
        }
        pair.stacks.resolveServer(10_000);
    }

    /** {@code handle} is the client's port: the client's source, the server's destination. */
    @Override
    final int transmit(int side, int handle, Packet packet) {
        if (side == CLIENT) {
            return pair.stacks.client.udpSend(packet, handle, pair.serverIp, SERVER_PORT);
        }
        return pair.stacks.server.udpSend(packet, SERVER_PORT, pair.clientIp, handle);
    }

    @Override
    final void data(int side, Conn conn, int length) {
        throw new IllegalStateException("UDP messages arrive as datagrams, not stream bytes");
    }

    /** The server received a request of {@code length} bytes from client port {@code clientPort}. */
    abstract void request(int clientPort, int length);

    /** The client received a response of {@code length} bytes on {@code conn}. */
    abstract void response(Conn conn, int length);

    private final UdpHandler<Packet> serverUdp = this::onServerDatagram;
    private final UdpHandler<Packet> clientUdp = this::onClientDatagram;

    private void onServerDatagram(Stack<Packet> stack, Packet packet, int srcIp, int srcPort, int dstIp, int dstPort,
            int off, int len) {
        pair.counters[S_RX_MSGS]++;
        pair.counters[S_RX_BYTES] += len;
        request(srcPort, len);
    }

    private void onClientDatagram(Stack<Packet> stack, Packet packet, int srcIp, int srcPort, int dstIp, int dstPort,
            int off, int len) {
        response(pair.conns[dstPort - CLIENT_PORT_BASE], len);
    }
}
