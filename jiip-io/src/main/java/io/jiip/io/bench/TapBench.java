package io.jiip.io.bench;

import io.jiip.api.Result;
import io.jiip.api.StackConfig;
import io.jiip.io.Features;
import io.jiip.io.NetNs;
import io.jiip.io.TapConfig;
import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.io.app.DiscardServer;
import io.jiip.io.app.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of the TAP backend against the Linux kernel, next to kernel-to-kernel over a veth pair, measured in
 * the same run on the same machine (a benchmark, not a test). Everything runs in throw-away namespaces.
 *
 * <ul>
 * <li>jiip → kernel: the jiip HTTP server streams {@code /bytes/N}; {@code curl -o /dev/null} in the namespace
 *     receives (rate = N / curl's wall time).</li>
 * <li>kernel → jiip: {@code socat} sends N bytes of {@code /dev/zero}; the jiip discard server receives (rate =
 *     N / time from the first to the last byte).</li>
 * <li>kernel ↔ kernel: the same socat sender into {@code socat ... /dev/null} in a second namespace over a veth
 *     pair, with the veth offloads on (default) and off ({@code ethtool -K tx off tso off gso off}).</li>
 * </ul>
 * Each cell is the best of {@code runs} transfers, after one untimed warm-up transfer each way for jiip.
 */
public final class TapBench {
    private static final String KERNEL_IP = "10.78.0.1";
    private static final String JIIP_IP = "10.78.0.2";

    private final PrintStream out;
    private final long bytes;
    private final int runs;
    private final List<String[]> rows = new ArrayList<>();

    public TapBench(PrintStream out, long bytes, int runs) {
        this.out = out;
        this.bytes = bytes;
        this.runs = runs;
    }

    /** Runs every measurement and prints a Markdown table; returns 0, or 2 when namespaces are unavailable. */
    public int run() throws Exception {
        String cause = NetNs.unavailabilityCause();
        if (cause != null) {
            out.println("tap benchmark: " + cause);
            return 2;
        }
        out.printf("TAP throughput, %d MiB per transfer, best of %d; %d CPUs, %s, JDK %s%n", bytes >> 20, runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"),
                System.getProperty("java.version"));
        jiip("default: csum + sg + tso", TapConfig.builder());
        jiip("default + rx GSO (64 KB super-frames, LRO)", TapConfig.builder().rxGso(true));
        jiip("csum + sg, no tso", TapConfig.builder().txTso(false));
        jiip("offloads off (software checksums, copy)", TapConfig.builder().txChecksum(false).rxChecksum(false)
                .scatterGather(false).txTso(false));
        kernel(false);
        kernel(true);
        out.println();
        out.println("| path | configuration | jiip → kernel | kernel → jiip |");
        out.println("|---|---|---:|---:|");
        for (String[] r : rows) {
            out.printf("| %s | %s | %s | %s |%n", r[0], r[1], r[2], r[3]);
        }
        return 0;
    }

    private void jiip(String label, TapConfig.Builder cfg) throws Exception {
        try (NetNs ns = NetNs.create("jiip-bench");
                TapDevice tap = TapDevice.open(cfg.name("jb0").netns(ns.name()).build())) {
            addressAndUp(ns, tap.name(), KERNEL_IP);
            StackConfig config = StackConfig.builder().mac("02:4a:49:49:50:02").ipv4(JIIP_IP, 24).build();
            TapNode node = TapNode.start(tap.queue(0), config, null);
            HttpServer http = new HttpServer();
            DiscardServer discard = new DiscardServer();
            try {
                check(node.call(s -> s.tcpListen(80, 16, http)));
                check(node.call(s -> s.tcpListen(9, 16, discard)));
                double tx = 0;
                double rx = 0;
                // Warm-up, untimed: the JIT compiles the path in the first gigabyte.
                curl(ns, "http://" + JIIP_IP + "/bytes/" + bytes);
                discard.reset();
                sendZeros(ns, JIIP_IP);
                waitFor(discard);
                for (int i = 0; i < runs; i++) {
                    tx = Math.max(tx, curl(ns, "http://" + JIIP_IP + "/bytes/" + bytes));
                }
                for (int i = 0; i < runs; i++) {
                    discard.reset();
                    sendZeros(ns, JIIP_IP);
                    waitFor(discard);
                    rx = Math.max(rx, discard.rate());
                }
                String offloads = Features.describe(tap.queue(0).features(), tap.tunOffloads());
                out.printf("jiip %-42s  jiip→kernel %7.1f MB/s  kernel→jiip %7.1f MB/s   [%s]%n", label, tx / 1e6,
                        rx / 1e6, offloads);
                rows.add(new String[] {"jiip over TAP", label, rate(tx), rate(rx)});
            } finally {
                node.execute(s -> http.release());
                node.close();
            }
        }
    }

    private void kernel(boolean offloadsOff) throws Exception {
        try (NetNs a = NetNs.create("jiip-bench"); NetNs b = NetNs.create("jiip-bench")) {
            vethPair(a, "10.78.1.1", b, "10.78.1.2");
            if (offloadsOff) {
                a.execOrThrow("ethtool", "-K", "va", "tx", "off", "tso", "off", "gso", "off");
                b.execOrThrow("ethtool", "-K", "vb", "tx", "off", "tso", "off", "gso", "off");
            }
            double ab = 0;
            double ba = 0;
            for (int i = 0; i < runs; i++) {
                ab = Math.max(ab, socatPair(a, b, "10.78.1.2"));
                ba = Math.max(ba, socatPair(b, a, "10.78.1.1"));
            }
            String label = offloadsOff ? "veth offloads off (tx, tso, gso)" : "veth offloads on (default)";
            out.printf("kernel %-40s  A→B %7.1f MB/s  B→A %7.1f MB/s%n", label, ab / 1e6, ba / 1e6);
            rows.add(new String[] {"kernel ↔ kernel, veth", label, rate(ab) + " (A→B)", rate(ba) + " (B→A)"});
        }
    }

    /** Bytes per second of a curl download to /dev/null. */
    private double curl(NetNs ns, String url) throws Exception {
        NetNs.Result r = ns.exec(Duration.ofSeconds(600), "curl", "-sS", "-o", "/dev/null", "-w",
                "%{size_download} %{time_total}", url);
        if (!r.ok()) {
            throw new IllegalStateException("curl failed: " + r.output());
        }
        String[] f = r.output().trim().split(" ");
        long got = Long.parseLong(f[0]);
        if (got != bytes) {
            throw new IllegalStateException("curl received " + got + " of " + bytes);
        }
        return got / Double.parseDouble(f[1]);
    }

    private void sendZeros(NetNs ns, String ip) throws Exception {
        NetNs.Result r = ns.exec(Duration.ofSeconds(600), "socat", "-u", "-b", "262144",
                "OPEN:/dev/zero,readbytes=" + bytes, "TCP:" + ip + ":9");
        if (!r.ok()) {
            throw new IllegalStateException("socat failed: " + r.output());
        }
    }

    private void waitFor(DiscardServer discard) throws InterruptedException {
        for (int i = 0; i < 1000 && discard.bytes() < bytes; i++) {
            Thread.sleep(10);
        }
        if (discard.bytes() < bytes) {
            throw new IllegalStateException("jiip received " + discard.bytes() + " of " + bytes);
        }
    }

    /** socat from {@code from} to a socat discarding in {@code to}; bytes per second over the sender's time. */
    private double socatPair(NetNs from, NetNs to, String toIp) throws Exception {
        Process sink = to.start(null, "socat", "-u", "-b", "262144", "TCP-LISTEN:9,reuseaddr,bind=" + toIp,
                "OPEN:/dev/null");
        try {
            waitForListener(to, 9);
            long t0 = System.nanoTime();
            sendZeros(from, toIp);
            sink.waitFor();
            return bytes / ((System.nanoTime() - t0) / 1e9);
        } finally {
            sink.destroyForcibly();
        }
    }

    /** Gives {@code device} in {@code ns} the address {@code ip}/24 and brings it up. */
    static void addressAndUp(NetNs ns, String device, String ip) throws IOException {
        ns.execOrThrow("ip", "addr", "add", ip + "/24", "dev", device);
        ns.execOrThrow("ip", "link", "set", device, "up");
    }

    /** A veth pair {@code va} in {@code a} ({@code ipA}/24) and {@code vb} in {@code b} ({@code ipB}/24), up. */
    static void vethPair(NetNs a, String ipA, NetNs b, String ipB) throws IOException {
        a.execOrThrow("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name());
        addressAndUp(a, "va", ipA);
        addressAndUp(b, "vb", ipB);
    }

    /** Waits (5 s at most) until something listens on TCP {@code port} in {@code ns}. */
    static void waitForListener(NetNs ns, int port) throws IOException, InterruptedException {
        for (int i = 0; i < 250; i++) {
            NetNs.Result r = ns.exec("ss", "-Hltn", "sport", "= :" + port);
            if (r.ok() && !r.output().isBlank()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("nothing listens on port " + port + " in " + ns.name());
    }

    private static String rate(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.0f MB/s (%.2f Gbit/s)", bytesPerSecond / 1e6, bytesPerSecond * 8 / 1e9);
    }

    static void check(int r) {
        if (r != Result.OK) {
            throw new IllegalStateException(Result.name(r));
        }
    }
}
