package io.jiip.bench.tool;

import static io.jiip.bench.tool.Pair.C_RX_BYTES;
import static io.jiip.bench.tool.Pair.SERVER;

import io.jiip.bench.tool.Pair.Conn;

/** TCP request/response: the client keeps depth requests in flight per connection, the server answers each. */
final class TcpPingPong extends TcpWorkload {

    TcpPingPong(Pair pair, BenchConfig cfg) {
        super(pair, cfg);
    }

    /** Completes every whole response, then sends the next requests (unpaced) or leaves that to the pacing. */
    @Override
    void clientData(Conn conn, int length) {
        pair.counters[C_RX_BYTES] += length;
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

    @Override
    void request(Conn conn) {
        if (!pair.issue(SERVER, conn, respLen)) {
            throw new IllegalStateException("pair " + pair.id + ": response refused");
        }
    }
}
