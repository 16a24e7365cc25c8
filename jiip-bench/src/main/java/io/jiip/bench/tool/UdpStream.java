package io.jiip.bench.tool;

import static io.jiip.bench.tool.Pair.CLIENT;

import io.jiip.bench.tool.Pair.Conn;

/**
 * UDP stream: on every loop iteration the client sends depth datagrams per flow (at most the paced number), the
 * server counts them; nothing is in flight, so nothing is timed.
 */
final class UdpStream extends UdpWorkload {

    UdpStream(Pair pair, BenchConfig cfg) {
        super(pair, cfg);
    }

    @Override
    boolean topUpEveryIteration() {
        return true;
    }

    @Override
    void topUp(Conn conn, long now) {
        for (int k = 0; k < depth && pair.sending; k++) {
            if (interval > 0) {
                if (now == 0) {
                    now = System.nanoTime();
                }
                if (now < conn.next) {
                    return;
                }
                conn.next = Math.max(conn.next + interval, now - interval);
            }
            if (!pair.issue(CLIENT, conn, reqLen)) {
                return;
            }
        }
    }

    @Override
    void request(int clientPort, int length) {
        // Counted: the stream has no answers.
    }

    @Override
    void response(Conn conn, int length) {
        throw new IllegalStateException("pair " + pair.id + ": the UDP stream server sent a datagram");
    }
}
