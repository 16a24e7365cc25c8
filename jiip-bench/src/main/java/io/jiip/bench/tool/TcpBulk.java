package io.jiip.bench.tool;

import io.jiip.bench.tool.Pair.Conn;
import io.jiip.link.Packet;

/**
 * TCP bulk: the client keeps depth messages unacknowledged per connection, the server sinks them. A message is done
 * when the server's ACK covers it, so there is no latency. Every message is a clone of one pre-filled chunk.
 */
final class TcpBulk extends TcpWorkload {
    private Packet chunk;

    TcpBulk(Pair pair, BenchConfig cfg) {
        super(pair, cfg);
    }

    @Override
    int receiveBuffer() {
        return 4 << 20;
    }

    @Override
    int sendBuffer() {
        return 4 << 20;
    }

    @Override
    void open() {
        chunk = pair.pool.alloc(reqLen);
        pair.pool.length(chunk, reqLen);
        for (int i = 0; i < reqLen; i++) {
            chunk.buffer().put(chunk.offset() + i, message != null ? message[i] : (byte) i);
        }
        super.open();
    }

    @Override
    void close() {
        if (chunk != null) {
            pair.pool.free(chunk);
        }
    }

    @Override
    Packet packet(int length) {
        return pair.pool.clone(chunk);
    }

    @Override
    void clientData(Conn conn, int length) {
        throw new IllegalStateException("pair " + pair.id + ": the bulk server sent data");
    }

    @Override
    void request(Conn conn) {
        // Sunk: counting it was all.
    }

    @Override
    void acked(Conn conn, int bytes) {
        conn.pending += bytes;
        while (conn.pending >= reqLen && conn.count > 0) {
            conn.pending -= reqLen;
            retire(conn);
        }
        topUp(conn, 0);
    }
}
