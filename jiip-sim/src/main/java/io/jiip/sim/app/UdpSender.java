package io.jiip.sim.app;

import io.jiip.api.Result;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.sim.App;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.wire.Bytes;
import java.util.List;
import java.util.Locale;

/**
 * A constant-rate UDP stream: {@code count} datagrams of {@code size} bytes, one every {@code interval} ns. Each
 * carries its sequence number (4 bytes) and then {@link Pattern} bytes of a stream seeded by that number, so a
 * {@link UdpSink} can check every datagram on its own.
 */
public final class UdpSender implements App {
    private final int dstIp;
    private final int port;
    private final int count;
    private final int size;
    private final long interval;
    private int srcPort = 40000;
    private Node node;
    private int next;
    private long sent;
    private long refused;

    public UdpSender(Node dst, int port, int count, int size, long interval) {
        if (size < 4 || count < 0 || interval < 0) {
            throw new IllegalArgumentException("UDP stream needs size >= 4, count >= 0, interval >= 0");
        }
        this.dstIp = dst.ip();
        this.port = port;
        this.count = count;
        this.size = size;
        this.interval = interval;
    }

    public UdpSender sourcePort(int p) {
        this.srcPort = p;
        return this;
    }

    static long seed(Simulation sim, int dstIp, int port, int seq) {
        return Simulation.mix64(sim.seed() ^ ((long) dstIp << 20) ^ ((long) port << 4) ^ 0x55) + seq;
    }

    @Override
    public void start(Node n) {
        this.node = n;
        tick();
    }

    private void tick() {
        if (next >= count) {
            return;
        }
        send(next++);
        if (next < count) {
            node.at(node.sim().now() + interval, this::tick);
        }
    }

    private void send(int seq) {
        PacketPool pool = node.pool();
        Packet p = pool.alloc(size);
        if (p == null) {
            refused++;
            return;
        }
        Bytes.i32(p.buffer(), p.offset(), seq);
        Pattern.fill(p.buffer(), p.offset() + 4, seed(node.sim(), dstIp, port, seq), 0, size - 4);
        pool.length(p, size);
        int r = node.stack().udpSend(p, srcPort, dstIp, port);
        if (r == Result.OK) {
            sent++;
        } else {
            pool.free(p);
            refused++;
        }
    }

    public long sent() {
        return sent;
    }

    public int count() {
        return count;
    }

    @Override
    public void check(List<String> problems) {
        if (next != count) {
            problems.add("UDP sender " + node.name() + ":" + srcPort + " stopped at " + next + " of " + count);
        }
    }

    @Override
    public void report(StringBuilder out) {
        out.append(String.format(Locale.ROOT, "  udp %s -> :%d: %d of %d datagrams of %d B sent (%d refused)%n",
                node.name(), port, sent, count, size, refused));
    }
}
