package io.jiip.bench.tool;

import io.jiip.bench.tool.BenchConfig.Model;
import io.jiip.bench.tool.BenchConfig.Workload;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Runs {@code --pair}: {@code threads} context pairs, each on its own memory link (its own queue pair), on one
 * thread each (unified) or two (split, merge); prints a line per second per thread and a total, then the summary.
 */
public final class BenchRunner {
    private BenchRunner() {
    }

    /**
     * Runs the configuration to the end.
     *
     * @param out per-second lines and the summary go here
     * @param progress true to show a one-line progress indicator on {@code System.err} (use only on a terminal)
     */
    public static BenchResult run(BenchConfig cfg, PrintStream out, boolean progress) throws InterruptedException {
        Pair[] pairs = new Pair[cfg.threads];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = new Pair(i, cfg);
        }
        Pair.Control control = new Pair.Control();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long warmup = (long) (cfg.warmupSeconds * 1e9);
        control.warmupEndNanos = warmup > 0 ? start + warmup : 0;
        for (Pair pair : pairs) {
            if (cfg.model == Model.UNIFIED) {
                threads.add(thread("jiip-bench-" + pair.id, () -> pair.runUnified(control), failure, control));
            } else {
                threads.add(thread("jiip-net-" + pair.id, pair::runNetwork, failure, control));
                threads.add(thread("jiip-app-" + pair.id, () -> pair.runApp(control), failure, control));
            }
        }
        threads.forEach(Thread::start);
        long total = warmup + (long) (cfg.durationSeconds * 1e9);
        long[][] previous = new long[pairs.length][Pair.COUNTERS];
        boolean rxAtServer = cfg.workload == Workload.BULK || cfg.workload == Workload.UDP_STREAM;
        int rxMsgs = rxAtServer ? Pair.S_RX_MSGS : Pair.C_RX_MSGS;
        int rxBytes = rxAtServer ? Pair.S_RX_BYTES : Pair.C_RX_BYTES;
        for (int second = 1; failure.get() == null; second++) {
            long due = start + second * 1_000_000_000L;
            long end = start + total;
            long wake = Math.min(due, end);
            for (long now = System.nanoTime(); now < wake && failure.get() == null; now = System.nanoTime()) {
                Thread.sleep(Math.max(1, Math.min(50, (wake - now) / 1_000_000)));
            }
            if (wake == end && due != end) {
                break; // the last, partial second is left to the summary
            }
            boolean warm = due <= start + warmup;
            double sumRxMbit = 0;
            double sumTxMbit = 0;
            long sumRx = 0;
            long sumTx = 0;
            for (Pair pair : pairs) {
                long[] prev = previous[pair.id];
                long txM = pair.published.getAcquire(Pair.C_TX_MSGS);
                long txB = pair.published.getAcquire(Pair.C_TX_BYTES);
                long rxM = pair.published.getAcquire(rxMsgs);
                long rxB = pair.published.getAcquire(rxBytes);
                double rxMbit = (rxB - prev[rxBytes]) * 8 / 1e6;
                double txMbit = (txB - prev[Pair.C_TX_BYTES]) * 8 / 1e6;
                if (cfg.perSecond) {
                    out.println(line(second, "thread " + pair.id, rxMbit, rxM - prev[rxMsgs], txMbit,
                            txM - prev[Pair.C_TX_MSGS], warm));
                }
                sumRxMbit += rxMbit;
                sumTxMbit += txMbit;
                sumRx += rxM - prev[rxMsgs];
                sumTx += txM - prev[Pair.C_TX_MSGS];
                prev[Pair.C_TX_MSGS] = txM;
                prev[Pair.C_TX_BYTES] = txB;
                prev[rxMsgs] = rxM;
                prev[rxBytes] = rxB;
            }
            if (cfg.perSecond) {
                out.println(line(second, "total", sumRxMbit, sumRx, sumTxMbit, sumTx, warm));
                out.flush();
            } else if (progress) {
                System.err.printf(Locale.ROOT, "\r[%d/%d s] %,d msgs/s ", second,
                        (total + 999_999_999) / 1_000_000_000L, sumRx);
            }
            if (due >= end) {
                break;
            }
        }
        if (progress && !cfg.perSecond) {
            System.err.print("\r\033[K");
        }
        control.stop = true;
        for (Thread t : threads) {
            t.join();
        }
        for (Pair pair : pairs) {
            pair.close();
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("benchmark thread failed: " + t, t);
        }
        BenchResult r = result(cfg, pairs, rxAtServer);
        out.print(r.summary());
        out.flush();
        return r;
    }

    private static Thread thread(String name, Runnable body, AtomicReference<Throwable> failure,
            Pair.Control control) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                control.stop = true;
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static String line(int second, String who, double rxMbit, long rxMsgs, double txMbit, long txMsgs,
            boolean warm) {
        return String.format(Locale.ROOT, "[%3ds] %-9s rx %10.2f Mbit/s %,12d msg/s | tx %10.2f Mbit/s %,12d msg/s%s",
                second, who, rxMbit, rxMsgs, txMbit, txMsgs, warm ? "  (warmup)" : "");
    }

    private static BenchResult result(BenchConfig cfg, Pair[] pairs, boolean rxAtServer) {
        BenchResult r = new BenchResult();
        r.workload = cfg.workload.label();
        r.model = cfg.model.name().toLowerCase(Locale.ROOT);
        r.threads = cfg.threads;
        r.connections = cfg.connections;
        r.depth = cfg.depth;
        r.payload = cfg.requestLength();
        r.rate = cfg.rate;
        r.offloads = cfg.offloads();
        int rxMsgs = rxAtServer ? Pair.S_RX_MSGS : Pair.C_RX_MSGS;
        int rxBytes = rxAtServer ? Pair.S_RX_BYTES : Pair.C_RX_BYTES;
        Histogram latency = new Histogram(Pair.MAX_LATENCY, 3);
        double roundTrips = 0;
        for (Pair p : pairs) {
            double seconds = Math.max(1e-9, (p.atStop[Pair.TIME] - p.base[Pair.TIME]) / 1e9);
            r.seconds = Math.max(r.seconds, seconds);
            long tx = p.atStop[Pair.C_TX_MSGS] - p.base[Pair.C_TX_MSGS];
            long txB = p.atStop[Pair.C_TX_BYTES] - p.base[Pair.C_TX_BYTES];
            long rx = p.atStop[rxMsgs] - p.base[rxMsgs];
            long rxB = p.atStop[rxBytes] - p.base[rxBytes];
            r.txMsgs += tx;
            r.txBytes += txB;
            r.rxMsgs += rx;
            r.rxBytes += rxB;
            r.txMbitPerSecond += txB * 8 / 1e6 / seconds;
            r.rxMbitPerSecond += rxB * 8 / 1e6 / seconds;
            r.msgsPerSecond += rx / seconds;
            roundTrips += (p.atStop[Pair.C_RX_MSGS] - p.base[Pair.C_RX_MSGS]) / seconds;
            latency.add(p.histogram);
            r.clientSent += p.counter(Pair.C_TX_MSGS);
            r.clientReceived += p.counter(Pair.C_RX_MSGS);
            r.serverReceived += p.counter(Pair.S_RX_MSGS);
            r.serverSent += p.counter(Pair.S_TX_MSGS);
            r.clientSentBytes += p.counter(Pair.C_TX_BYTES);
            r.serverReceivedBytes += p.counter(Pair.S_RX_BYTES);
            r.sendFailures += p.counter(Pair.FAILURES);
            r.inFlight += p.leftInFlight;
            r.linkDrops += p.linkDrops;
        }
        if (cfg.workload.requestResponse()) {
            r.roundTripsPerSecond = roundTrips;
            r.latencySamples = latency.getTotalCount();
            r.p50Ns = latency.getValueAtPercentile(50);
            r.p90Ns = latency.getValueAtPercentile(90);
            r.p99Ns = latency.getValueAtPercentile(99);
            r.p999Ns = latency.getValueAtPercentile(99.9);
            r.maxNs = latency.getMaxValue();
        }
        return r;
    }
}
