package io.jiip.bench.tool;

import static io.jiip.bench.tool.Pair.C_RX_BYTES;
import static io.jiip.bench.tool.Pair.FAILURES;
import static io.jiip.bench.tool.Pair.SERVER;
import static io.jiip.bench.tool.Pair.S_TX_BYTES;
import static io.jiip.bench.tool.Pair.S_TX_MSGS;

import io.jiip.bench.tool.Pair.Conn;

/** UDP request/response per flow: the server answers each datagram; a lost one is counted, not retried. */
final class UdpPingPong extends UdpWorkload {

    UdpPingPong(Pair pair, BenchConfig cfg) {
        super(pair, cfg);
    }

    @Override
    void request(int clientPort, int length) {
        if (send(SERVER, clientPort, respLen)) {
            pair.counters[S_TX_MSGS]++;
            pair.counters[S_TX_BYTES] += respLen;
        } else {
            pair.counters[FAILURES]++;
        }
    }

    @Override
    void response(Conn conn, int length) {
        pair.counters[C_RX_BYTES] += length;
        if (conn.count > 0) {
            complete(conn, System.nanoTime());
        }
        topUp(conn, 0);
    }
}
