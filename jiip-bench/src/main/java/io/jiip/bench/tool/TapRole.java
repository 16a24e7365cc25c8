package io.jiip.bench.tool;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.bench.StackPair;
import io.jiip.bench.tool.BenchConfig.Workload;
import io.jiip.io.TapConfig;
import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * {@code --listen}/{@code --server} on a TAP device (jiip-io): one jiip stack on the TAP's event-loop thread, the
 * kernel (or another jiip) on the other side. Server: TCP ping-pong echoes what it receives (or answers each
 * payload event with the {@code -m} message: an HTTP response for curl/wrk), bulk sinks. Client: TCP ping-pong
 * with {@code -c}/{@code -d}/{@code -r} against an echo server, or bulk. Counters are written by the loop thread
 * only and read by the reporter.
 */
final class TapRole {
    private TapRole() {
    }

    static BenchResult run(BenchConfig cfg, PrintStream out) throws IOException, InterruptedException {
        TapDevice device = TapDevice.open(TapConfig.builder().name(cfg.tap).queues(1).netns(cfg.netns)
                .txChecksum(cfg.csumOffload).rxChecksum(cfg.csumOffload).scatterGather(cfg.scatterGather)
                .txTso(cfg.csumOffload && cfg.tso).rxGso(cfg.csumOffload && cfg.lro).build());
        TapNode node = null;
        try {
            configureHost(cfg, device);
            String[] ip = cfg.ip.split("/");
            // A MAC derived from the address (02:00:a:b:c:d): the same every run, so a kernel neighbour entry left
            // by an earlier run stays right (a random MAC made the kernel send to the old one).
            int address = Ipv4Address.parse(ip[0]);
            StackConfig config = StackConfig.builder().mac(0x0200_0000_0000L | (address & 0xFFFF_FFFFL))
                    .ipv4(address, ip.length > 1 ? Integer.parseInt(ip[1]) : 24).mtu(device.mtu())
                    .tcp(TcpConfig.builder().nagle(false).connections(cfg.connections + 1024)
                            .receiveBuffer(4 << 20).sendBuffer(4 << 20).build())
                    .build();
            node = TapNode.start(device.queue(0), config, null, null, null, 0, "jiip-bench-" + device.name());
            App app = new App(cfg, device.queue(0).pool());
            if (cfg.listenPort > 0) {
                StackPair.check(node.call(s -> s.tcpListen(cfg.listenPort, 1024, app.server)), "listen");
                out.printf("jiip bench server on %s:%d via TAP %s%n", ip[0], cfg.listenPort, device.name());
            } else {
                int dst = Ipv4Address.parse(cfg.serverIp);
                for (int i = 0; i < cfg.connections; i++) {
                    int index = i;
                    int h = node.call(s -> s.tcpConnect(dst, cfg.serverPort, 0, app.client, app.conns[index]));
                    if (h < 0) {
                        throw new IOException("connect " + cfg.serverIp + ":" + cfg.serverPort + ": " + Result.name(h));
                    }
                }
            }
            return report(cfg, out, node, app);
        } finally {
            if (node != null) {
                node.close();
            }
            device.close();
        }
    }

    private static BenchResult report(BenchConfig cfg, PrintStream out, TapNode node, App app)
            throws InterruptedException {
        if (cfg.warmupSeconds > 0) {
            Thread.sleep((long) (cfg.warmupSeconds * 1000));
            node.execute(s -> app.histogram.reset());
        }
        long start = System.nanoTime();
        long[] prev = {app.rxBytes, app.rxMsgs, app.txBytes, app.txMsgs};
        long[] base = prev.clone();
        long end = start + (long) (cfg.durationSeconds * 1e9);
        for (int second = 1; ; second++) {
            long due = Math.min(end, start + second * 1_000_000_000L);
            while (System.nanoTime() < due) {
                Thread.sleep(Math.max(1, Math.min(50, (due - System.nanoTime()) / 1_000_000)));
            }
            long[] now = {app.rxBytes, app.rxMsgs, app.txBytes, app.txMsgs};
            if (cfg.perSecond && due == start + second * 1_000_000_000L) {
                out.println(String.format(Locale.ROOT,
                        "[%3ds] %-9s rx %10.2f Mbit/s %,12d msg/s | tx %10.2f Mbit/s %,12d msg/s", second,
                        cfg.listenPort > 0 ? "server" : "client", (now[0] - prev[0]) * 8 / 1e6, now[1] - prev[1],
                        (now[2] - prev[2]) * 8 / 1e6, now[3] - prev[3]));
            }
            prev = now;
            if (due >= end) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        node.execute(s -> app.sending = false);
        Thread.sleep(200);
        Histogram h = node.call(s -> app.histogram.copy());
        BenchResult r = new BenchResult();
        r.workload = cfg.workload.label() + (cfg.listenPort > 0 ? " server" : " client") + " (tap)";
        r.model = "unified";
        r.threads = 1;
        r.connections = cfg.connections;
        r.depth = cfg.depth;
        r.payload = cfg.requestLength();
        r.rate = cfg.rate;
        r.offloads = cfg.offloads();
        r.seconds = seconds;
        r.rxBytes = prev[0] - base[0];
        r.rxMsgs = prev[1] - base[1];
        r.txBytes = prev[2] - base[2];
        r.txMsgs = prev[3] - base[3];
        r.rxMbitPerSecond = r.rxBytes * 8 / 1e6 / seconds;
        r.txMbitPerSecond = r.txBytes * 8 / 1e6 / seconds;
        r.msgsPerSecond = r.rxMsgs / seconds;
        if (cfg.listenPort == 0) {
            if (cfg.workload == Workload.PING_PONG) {
                r.roundTripsPerSecond = r.rxMsgs / seconds;
                r.latencySamples = h.getTotalCount();
                r.p50Ns = h.getValueAtPercentile(50);
                r.p90Ns = h.getValueAtPercentile(90);
                r.p99Ns = h.getValueAtPercentile(99);
                r.p999Ns = h.getValueAtPercentile(99.9);
                r.maxNs = h.getMaxValue();
            }
        }
        r.sendFailures = app.failures;
        if (cfg.listenPort > 0) {
            r.serverReceived = app.rxMsgs; // totals, warmup included
            r.serverSent = app.txMsgs;
            r.serverReceivedBytes = app.rxBytes;
        } else {
            r.clientSent = app.txMsgs;
            r.clientReceived = app.rxMsgs;
            r.clientSentBytes = app.txBytes;
            r.inFlight = app.txMsgs - app.rxMsgs;
        }
        out.print(r.summary());
        return r;
    }

    private static void configureHost(BenchConfig cfg, TapDevice device) throws IOException, InterruptedException {
        if (cfg.hostIp == null) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (cfg.netns != null) {
            cmd.addAll(List.of("-n", cfg.netns));
        }
        cmd.addAll(List.of("addr", "replace", cfg.hostIp, "dev", device.name()));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }


    /** The application logic on the loop thread. */
    private static final class App {
        private final BenchConfig cfg;
        private final PacketPool pool;
        private final int reqLen;
        private final long interval;
        final Conn[] conns;
        final Histogram histogram = new Histogram(Pair.MAX_LATENCY, 3);
        volatile boolean sending = true;
        volatile long rxBytes;
        volatile long rxMsgs;
        volatile long txBytes;
        volatile long txMsgs;
        volatile long failures;

        App(BenchConfig cfg, PacketPool pool) {
            this.cfg = cfg;
            this.pool = pool;
            this.reqLen = cfg.requestLength();
            this.interval = cfg.rate > 0 ? Math.max(1, 1_000_000_000L / cfg.rate) : 0;
            this.conns = new Conn[cfg.connections];
            for (int i = 0; i < conns.length; i++) {
                conns[i] = new Conn(cfg.depth);
            }
        }

        private Packet master;
        /** Bulk message length: -l, or what the pool could give the master chunk (reported as failures). */
        private int bulkLen;

        /** Bulk: zero-copy clones of one master chunk, as the HTTP server streams. */
        private boolean sendChunk(Stack<Packet> s, int connection) {
            if (master == null) {
                for (int size : new int[] {reqLen, 65_536, 4096, 1024}) { // once per run
                    master = master == null ? pool.alloc(Math.min(reqLen, size)) : master;
                }
                if (master == null) {
                    failures++;
                    return false;
                }
                bulkLen = Math.min(reqLen, master.capacity());
                pool.length(master, bulkLen);
            }
            Packet p = pool.clone(master);
            if (p == null) {
                failures++;
                return false;
            }
            int rc = s.tcpSend(connection, p, 0);
            if (rc != Result.OK) {
                pool.free(p);
                failures++;
                return false;
            }
            txBytes += bulkLen;
            return true;
        }

        private boolean sendBytes(Stack<Packet> s, int connection, Packet src, int off, int len) {
            Packet p = pool.alloc(len);
            if (p == null) {
                failures++;
                return false;
            }
            pool.length(p, len);
            if (src != null) {
                p.buffer().put(p.offset(), src.buffer(), off, len);
            } else if (cfg.message != null) {
                p.buffer().put(p.offset(), cfg.message, 0, len);
            }
            if (s.tcpSend(connection, p, 0) != Result.OK) {
                pool.free(p);
                failures++;
                return false;
            }
            txBytes += len;
            return true;
        }

        final TcpEvents<Packet> server = new TcpEvents<>() {
            @Override
            public Object onAccepted(Stack<Packet> s, int connection) {
                s.tcpNoDelay(connection, true);
                return new Conn(1);
            }

            @Override
            public void onPayload(Stack<Packet> s, int connection, Object a, Packet packet, int offset,
                    int length) {
                s.tcpRxConsumed(connection, length);
                Conn c = (Conn) a;
                rxBytes += length;
                if (cfg.workload == Workload.PING_PONG && cfg.message != null) {
                    rxMsgs++; // one response per payload event: any request/response client works
                    if (sendBytes(s, connection, null, 0, cfg.message.length)) {
                        txMsgs++;
                    }
                    return;
                }
                c.pending += length;
                long n = c.pending / reqLen;
                c.pending -= n * reqLen;
                rxMsgs += n;
                if (cfg.workload == Workload.PING_PONG && sendBytes(s, connection, packet, offset, length)) {
                    txMsgs += n; // echo
                }
            }
        };

        final TcpEvents<Packet> client = new TcpEvents<>() {
            @Override
            public Object onConnected(Stack<Packet> s, int connection, Object a) {
                s.tcpNoDelay(connection, true);
                ((Conn) a).handle = connection;
                topUp(s, (Conn) a, System.nanoTime());
                return a;
            }

            @Override
            public void onPayload(Stack<Packet> s, int connection, Object a, Packet packet, int offset,
                    int length) {
                s.tcpRxConsumed(connection, length);
                Conn c = (Conn) a;
                rxBytes += length;
                c.pending += length;
                long now = System.nanoTime();
                while (c.pending >= reqLen && c.count > 0) {
                    c.pending -= reqLen;
                    long lat = now - c.sent[c.head];
                    histogram.recordValue(Math.max(0, Math.min(lat, Pair.MAX_LATENCY)));
                    c.head = (c.head + 1) % c.sent.length;
                    c.count--;
                    rxMsgs++;
                }
                topUp(s, c, now);
            }

            @Override
            public void onAcked(Stack<Packet> s, int connection, Object a, int bytes) {
                if (cfg.workload != Workload.BULK) {
                    return;
                }
                Conn c = (Conn) a;
                c.pending += bytes;
                while (c.pending >= bulkLen && c.count > 0) {
                    c.pending -= bulkLen;
                    c.count--;
                    rxMsgs++;
                }
                topUp(s, c, System.nanoTime());
            }
        };

        private void topUp(Stack<Packet> s, Conn c, long now) {
            while (sending && c.count < c.sent.length) {
                if (interval > 0) {
                    if (now < c.next) {
                        return; // paced: the next response or ACK tops up again (approximate pacing on TAP)
                    }
                    c.next = Math.max(c.next + interval, now - interval);
                }
                boolean ok = cfg.workload == Workload.BULK ? sendChunk(s, c.handle)
                        : sendBytes(s, c.handle, null, 0, reqLen);
                if (!ok) {
                    return;
                }
                c.sent[(c.head + c.count) % c.sent.length] = now;
                c.count++;
                txMsgs++;
            }
        }
    }

    private static final class Conn {
        int handle = -1;
        final long[] sent;
        int head;
        int count;
        long pending;
        long next;

        Conn(int depth) {
            sent = new long[depth];
        }
    }
}
