package io.jiip.io.bench;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.Counter;
import io.jiip.api.StackConfig;
import io.jiip.api.Stats;
import io.jiip.api.TcpConfig;
import io.jiip.io.NetNs;
import io.jiip.io.TapConfig;
import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.io.app.DiscardServer;
import io.jiip.io.app.EchoServer;
import io.jiip.io.app.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loss recovery against the kernel's: the same TCP transfer, with the same random loss, against jiip on a TAP and
 * against a Linux server over a veth pair, in the same run (a benchmark, not a test). Everything runs in
 * throw-away namespaces.
 *
 * <p>The client is always the kernel: a Python program ({@code transfer.py}, next to this class) in the client's
 * namespace, where nftables drops {@code loss} % of the packets at random on the input and output hooks
 * ({@code numgen random}), the same rules for both servers. Both servers speak the same protocols: echo on port 7,
 * discard on 9, HTTP {@code GET /bytes/N} on 80 (jiip's {@link EchoServer}, {@link DiscardServer},
 * {@link HttpServer}; the kernel's in the same Python program). Workloads:
 * <ul>
 * <li>{@link Workload#SEND}: the client downloads N bytes ({@code /bytes/N}): the server sends.</li>
 * <li>{@link Workload#RECEIVE}: the client uploads N bytes to discard and waits for the server's close: the server
 *     receives.</li>
 * <li>{@link Workload#ECHO}: the client sends N bytes and reads the echo to EOF: both at once.</li>
 * </ul>
 * Every stream is checked (length, and SHA-256 of the pattern where the client receives it); a transfer's time runs
 * from the established connection to its end; one that does not end within the timeout counts as a timeout.
 * "TSO off" means MSS-sized segments from the server: {@link TapConfig.Builder#txTso} off for jiip, {@code ethtool
 * -K tso off gso off} on the kernel server's veth. Counters per transfer: the server's retransmission timeouts,
 * tail loss probes and entries into fast recovery (jiip's {@link Stats}; the kernel's {@code TcpExt} counters of the
 * server's namespace), the kernel client's timeouts, and the packets the rules dropped.
 *
 * <p>Congestion control decides how fast a sender goes back up after each loss, so both sides use the same one:
 * jiip's {@link TcpConfig#congestionControl} and Linux's per-socket {@code TCP_CONGESTION} on every kernel socket
 * (server and client), CUBIC unless told otherwise. A different kernel one can be asked for (e.g. {@code bbr},
 * which does not reduce its rate on random loss) to see what it buys; the table's header names both.
 */
public final class TapLossBench {
    private static final String TAP_KERNEL_IP = "10.78.0.1";
    private static final String TAP_JIIP_IP = "10.78.0.2";
    private static final String VETH_CLIENT_IP = "10.78.1.1";
    private static final String VETH_SERVER_IP = "10.78.1.2";
    private static final String NFT_TABLE = "jiip_loss";
    private static final String[] TOOLS = {"nft", "python3", "ethtool", "ss"};
    private static final Pattern NFT_COUNTER = Pattern.compile("counter packets (\\d+)");

    /** What the server does in a transfer. */
    public enum Workload {
        SEND("server sends", "download"),
        RECEIVE("server receives", "upload"),
        ECHO("echo (both ways)", "echo");

        final String label;
        final String clientMode;

        Workload(String label, String clientMode) {
            this.label = label;
            this.clientMode = clientMode;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What to measure: every combination of {@code lossPercents} × {@code tso} × {@code workloads}, {@code runs}
     * transfers of {@code bytes} each against each server. {@code rxGso}: jiip's TAP takes the kernel's 64 KB
     * super-frames ({@link TapConfig.Builder#rxGso}), as the kernel server's veth does; off, the kernel segments
     * what it sends to jiip to MSS-sized frames. {@code congestionControl}: jiip's; {@code kernelCongestionControl}:
     * the Linux name for every kernel socket, {@code null} for the same algorithm as jiip's
     * ({@link #kernelName}).
     */
    public record Options(long bytes, int runs, List<Double> lossPercents, List<Boolean> tso,
            List<Workload> workloads, Duration timeout, boolean rxGso, CongestionAlgorithm congestionControl,
            String kernelCongestionControl) {
        public Options {
            if (congestionControl == null) {
                throw new IllegalArgumentException("congestionControl is required");
            }
            if (kernelCongestionControl == null) {
                kernelCongestionControl = kernelName(congestionControl);
            } else if (!kernelCongestionControl.matches("[a-z0-9_]{1,15}")) {
                throw new IllegalArgumentException("not a Linux congestion control name: " + kernelCongestionControl);
            }
            if (bytes <= 0 || runs <= 0 || lossPercents.isEmpty() || tso.isEmpty() || workloads.isEmpty()) {
                throw new IllegalArgumentException("bytes, runs, losses, TSO settings and workloads must be given");
            }
            for (double p : lossPercents) {
                if (p < 0 || p >= 100) {
                    throw new IllegalArgumentException("loss must be in [0, 100): " + p);
                }
            }
            lossPercents = List.copyOf(lossPercents);
            tso = List.copyOf(tso);
            workloads = List.copyOf(workloads);
        }
    }

    /** Linux's name for {@code algorithm}: {@code cubic}, or {@code reno} (Linux's Reno recovers as NewReno). */
    public static String kernelName(CongestionAlgorithm algorithm) {
        return algorithm == CongestionAlgorithm.CUBIC ? "cubic" : "reno";
    }

    /** How a transfer ended. */
    public enum Status { OK, TIMEOUT, FAILED }

    /**
     * One transfer: its time (to the timeout when it timed out), the server's retransmission timeouts, tail loss
     * probes, entries into fast recovery and retransmitted segments, the kernel client's timeouts, and the packets the
     * nftables rules dropped on the client's input and output.
     */
    public record Transfer(Status status, double seconds, long serverRtos, long serverProbes,
            long serverRecoveries, long serverRetransmits, long clientRtos, long droppedIn, long droppedOut,
            String message) {
    }

    /** The transfers of one combination, against jiip and against the kernel. */
    public record Cell(double lossPercent, boolean tso, Workload workload, List<Transfer> jiip,
            List<Transfer> kernel) {
        /** kernel time / jiip time, medians (timeouts as infinitely long); NaN if either side has no result. */
        public double ratio() {
            return medianSeconds(kernel) / medianSeconds(jiip);
        }

        /** Whether every transfer ended, and ended correctly. */
        public boolean complete() {
            return jiip.stream().allMatch(t -> t.status == Status.OK)
                    && kernel.stream().allMatch(t -> t.status == Status.OK);
        }
    }

    private final PrintStream out;
    private final Options options;
    private final List<Cell> cells = new ArrayList<>();
    private Path script;

    public TapLossBench(PrintStream out, Options options) {
        this.out = out;
        this.options = options;
    }

    /** Why this benchmark cannot run here ({@code null} when it can): no namespaces, or a missing tool. */
    public static String unavailabilityCause() {
        String cause = NetNs.unavailabilityCause();
        if (cause != null) {
            return cause;
        }
        List<String> missing = new ArrayList<>();
        for (String tool : TOOLS) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : "not installed: " + String.join(", ", missing);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs every cell and prints progress, then a Markdown table; returns 0, 1 when a transfer failed (wrong or
     * missing bytes, an error), or 2 when the benchmark cannot run here.
     */
    public int run() throws Exception {
        String cause = unavailabilityCause();
        if (cause != null) {
            out.println("tap loss benchmark: " + cause);
            return 2;
        }
        script = Files.createTempFile("jiip-transfer", ".py");
        script.toFile().deleteOnExit();
        try {
            try (InputStream in = TapLossBench.class.getResourceAsStream("transfer.py")) {
                Files.write(script, in.readAllBytes());
            }
            out.println(header());
            for (boolean tso : options.tso) {
                try (JiipServer jiip = JiipServer.start(tso, options.rxGso, options.congestionControl);
                        KernelServer kernel = KernelServer.start(tso, script, options.kernelCongestionControl)) {
                    // Untimed, without loss: the JIT compiles jiip's path, Python loads.
                    for (Workload w : options.workloads) {
                        for (Server server : new Server[] {jiip, kernel}) {
                            Transfer t = transfer(server, w);
                            if (t.status != Status.OK) {
                                out.printf("warm-up, TSO %s, %s: %s %s%n", tso ? "on" : "off", w.label,
                                        server.name(), describe(t));
                            }
                        }
                    }
                    for (double loss : options.lossPercents) {
                        setLoss(jiip.client(), loss);
                        setLoss(kernel.client(), loss);
                        for (Workload w : options.workloads) {
                            Cell cell = new Cell(loss, tso, w, new ArrayList<>(), new ArrayList<>());
                            for (int i = 0; i < options.runs; i++) {
                                // Alternating, so that a noisy minute on this machine hits both sides.
                                cell.jiip.add(transfer(jiip, w));
                                cell.kernel.add(transfer(kernel, w));
                                out.printf(Locale.ROOT, "loss %s %%, TSO %s, %s, run %d/%d: jiip %s | kernel %s%n",
                                        percent(loss), tso ? "on" : "off", w.label, i + 1, options.runs,
                                        describe(last(cell.jiip)), describe(last(cell.kernel)));
                            }
                            cells.add(cell);
                        }
                    }
                }
            }
        } finally {
            Files.deleteIfExists(script);
        }
        out.println();
        printTable();
        return cells.stream().anyMatch(c -> c.jiip.stream().anyMatch(t -> t.status == Status.FAILED)
                || c.kernel.stream().anyMatch(t -> t.status == Status.FAILED)) ? 1 : 0;
    }

    /** The cells measured by {@link #run()}, in the order of the table. */
    public List<Cell> cells() {
        return List.copyOf(cells);
    }

    private String header() {
        return String.format(Locale.ROOT, "TCP under random loss: %s per transfer, median of %d run(s) (min–max), "
                + "timeout %d s; nftables drops on the input and output hooks of the kernel client's namespace; "
                + "jiip on a TAP (rx GSO %s, %s) vs a Linux server over veth (%s); %d CPUs, Linux %s, JDK %s",
                size(options.bytes), options.runs, options.timeout.toSeconds(), options.rxGso ? "on" : "off",
                options.congestionControl.name().toLowerCase(Locale.ROOT).replace('_', ' '),
                options.kernelCongestionControl,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.version"), System.getProperty("java.version"));
    }

    // ---- the servers

    /** A server under test and the namespace of its kernel client. */
    private interface Server extends AutoCloseable {
        NetNs client();

        String ip();

        /** The server's retransmission timeouts, tail loss probes, fast recoveries, retransmitted segments. */
        long[] counters() throws IOException;

        /** Called before each transfer. */
        void beforeTransfer();

        /** Why a transfer the client saw as complete was not ({@code null} if it was). */
        String checkAfter(Workload w, long bytes);

        String name();

        @Override
        void close();
    }

    /** jiip on a TAP whose kernel side is the client's namespace. */
    private static final class JiipServer implements Server {
        private final NetNs ns;
        private final TapDevice tap;
        private final TapNode node;
        private final HttpServer http = new HttpServer();
        private final EchoServer echo = new EchoServer();
        private final DiscardServer discard = new DiscardServer();

        private JiipServer(NetNs ns, TapDevice tap, TapNode node) {
            this.ns = ns;
            this.tap = tap;
            this.node = node;
        }

        static JiipServer start(boolean tso, boolean rxGso, CongestionAlgorithm cc) throws Exception {
            NetNs ns = NetNs.create("jiip-lossb");
            TapDevice tap = null;
            try {
                tap = TapDevice.open(TapConfig.builder().name("jb0").netns(ns.name()).txTso(tso).rxGso(rxGso)
                        .build());
                TapBench.addressAndUp(ns, tap.name(), TAP_KERNEL_IP);
                StackConfig config = StackConfig.builder().mac("02:4a:49:49:50:02").ipv4(TAP_JIIP_IP, 24)
                        .tcp(TcpConfig.builder().congestionControl(cc).build()).build();
                JiipServer s = new JiipServer(ns, tap, TapNode.start(tap.queue(0), config, null));
                TapBench.check(s.node.call(st -> st.tcpListen(80, 16, s.http)));
                TapBench.check(s.node.call(st -> st.tcpListen(7, 16, s.echo)));
                TapBench.check(s.node.call(st -> st.tcpListen(9, 16, s.discard)));
                return s;
            } catch (Exception | Error e) {
                if (tap != null) {
                    tap.close();
                }
                ns.close();
                throw e;
            }
        }

        @Override
        public NetNs client() {
            return ns;
        }

        @Override
        public String ip() {
            return TAP_JIIP_IP;
        }

        @Override
        public long[] counters() {
            return node.call(s -> {
                Stats st = s.stats();
                return new long[] {st.get(Counter.TCP_TIMEOUTS), st.get(Counter.TCP_TLP_PROBES),
                    st.get(Counter.TCP_FAST_RETRANSMITS), st.get(Counter.TCP_RETRANSMITS)};
            });
        }

        @Override
        public void beforeTransfer() {
            discard.reset();
        }

        @Override
        public String checkAfter(Workload w, long bytes) {
            // The client saw our FIN, which follows the last byte the discard server consumed.
            return w != Workload.RECEIVE || discard.bytes() == bytes ? null
                    : "jiip's discard server received " + discard.bytes() + " of " + bytes + " bytes";
        }

        @Override
        public String name() {
            return "jiip";
        }

        @Override
        public void close() {
            try {
                node.execute(s -> http.release());
                node.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the device and namespace still go, below
            } finally {
                try {
                    tap.close();
                } finally {
                    ns.close();
                }
            }
        }
    }

    /** The Python servers in a second namespace, reached from the client's over a veth pair. */
    private static final class KernelServer implements Server {
        private final NetNs client;
        private final NetNs server;

        private KernelServer(NetNs client, NetNs server) {
            this.client = client;
            this.server = server;
        }

        static KernelServer start(boolean tso, Path script, String cc) throws Exception {
            NetNs client = NetNs.create("jiip-lossb");
            NetNs server = null;
            try {
                server = NetNs.create("jiip-lossb");
                TapBench.vethPair(client, VETH_CLIENT_IP, server, VETH_SERVER_IP);
                if (!tso) {
                    server.execOrThrow("ethtool", "-K", "vb", "tso", "off", "gso", "off");
                }
                server.execOrThrow("python3", script.toString(), "check", cc);
                server.start(null, "python3", script.toString(), "server", VETH_SERVER_IP, cc);
                for (int port : new int[] {7, 9, 80}) {
                    TapBench.waitForListener(server, port);
                }
                return new KernelServer(client, server);
            } catch (Exception | Error e) {
                if (server != null) {
                    server.close();
                }
                client.close();
                throw e;
            }
        }

        @Override
        public NetNs client() {
            return client;
        }

        @Override
        public String ip() {
            return VETH_SERVER_IP;
        }

        @Override
        public long[] counters() throws IOException {
            Map<String, Long> c = kernelCounters(server);
            // Entries into fast recovery, as jiip counts them (Linux's TCPFastRetrans counts segments).
            long recoveries = c.getOrDefault("TcpExt.TCPSackRecovery", 0L)
                    + c.getOrDefault("TcpExt.TCPRenoRecovery", 0L);
            return new long[] {c.getOrDefault("TcpExt.TCPTimeouts", 0L), c.getOrDefault("TcpExt.TCPLossProbes", 0L),
                recoveries, c.getOrDefault("Tcp.RetransSegs", 0L)};
        }

        @Override
        public void beforeTransfer() {
        }

        @Override
        public String checkAfter(Workload w, long bytes) {
            return null; // the client saw the server's FIN, sent after it read our FIN
        }

        @Override
        public String name() {
            return "kernel";
        }

        @Override
        public void close() {
            try {
                server.close();
            } finally {
                client.close();
            }
        }
    }

    // ---- one transfer

    private Transfer transfer(Server server, Workload w) throws Exception {
        NetNs client = server.client();
        long[] s0 = server.counters();
        long c0 = kernelCounters(client).getOrDefault("TcpExt.TCPTimeouts", 0L);
        long[] d0 = dropped(client);
        server.beforeTransfer();
        long timeoutSeconds = options.timeout.toSeconds();
        // The client stops itself at the timeout; the exec bound is the backstop for a wedged interpreter.
        NetNs.Result r = client.exec(options.timeout.plusSeconds(30), "python3", script.toString(), "client",
                w.clientMode, server.ip(), Long.toString(options.bytes), Long.toString(timeoutSeconds),
                options.kernelCongestionControl);
        long[] s1 = server.counters();
        long c1 = kernelCounters(client).getOrDefault("TcpExt.TCPTimeouts", 0L);
        long[] d1 = dropped(client);
        String[] lines = r.output().strip().split("\n");
        String[] f = lines[lines.length - 1].strip().split(" ", 3);
        Status status;
        double seconds = timeoutSeconds;
        String message = null;
        if (r.exit() == 0 && f[0].equals("ok")) {
            seconds = Double.parseDouble(f[1]);
            message = server.checkAfter(w, options.bytes);
            status = message == null ? Status.OK : Status.FAILED;
        } else if (r.exit() == 3 && f[0].equals("timeout")) {
            status = Status.TIMEOUT;
            message = "timed out after " + f[2] + " bytes";
        } else {
            status = Status.FAILED;
            message = server.name() + " " + w.clientMode + " (exit " + r.exit() + "): " + r.output().strip();
        }
        return new Transfer(status, seconds, s1[0] - s0[0], s1[1] - s0[1], s1[2] - s0[2], s1[3] - s0[3], c1 - c0,
                d1[0] - d0[0], d1[1] - d0[1], message);
    }

    /** Every counter of {@code /proc/net/netstat} and {@code /proc/net/snmp} in {@code ns}, as "TcpExt.Name". */
    static Map<String, Long> kernelCounters(NetNs ns) throws IOException {
        String text = ns.execOrThrow("cat", "/proc/net/netstat", "/proc/net/snmp");
        Map<String, Long> counters = new HashMap<>();
        String[] lines = text.split("\n");
        // Each group is two lines with the same prefix: the names, then the values.
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] names = lines[i].trim().split("\\s+");
            String[] values = lines[i + 1].trim().split("\\s+");
            if (names.length < 2 || !names[0].endsWith(":") || !names[0].equals(values[0])
                    || names.length != values.length || !values[1].matches("-?\\d+")) {
                continue;
            }
            String group = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) {
                counters.put(group + "." + names[k], Long.parseLong(values[k]));
            }
            i++;
        }
        return counters;
    }

    // ---- loss

    /**
     * Replaces the loss rules of {@code ns}: {@code percent} % of the packets dropped at random on the input and
     * output hooks (none for 0), each rule counting what it drops.
     */
    static void setLoss(NetNs ns, double percent) throws IOException {
        ns.exec("nft", "delete table inet " + NFT_TABLE); // absent the first time
        if (percent == 0) {
            return;
        }
        long perTenThousand = Math.round(percent * 100);
        ns.execOrThrow("nft", "add table inet " + NFT_TABLE);
        for (String hook : new String[] {"input", "output"}) {
            ns.execOrThrow("nft", "add chain inet " + NFT_TABLE + " " + hook + " { type filter hook " + hook
                    + " priority 0 ; policy accept ; }");
            ns.execOrThrow("nft", "add rule inet " + NFT_TABLE + " " + hook + " numgen random mod 10000 < "
                    + perTenThousand + " counter drop");
        }
    }

    /** Packets dropped so far by the input and output rules of {@code ns} (0, 0 without rules). */
    static long[] dropped(NetNs ns) throws IOException {
        long[] d = new long[2];
        String[] hooks = {"input", "output"};
        for (int i = 0; i < 2; i++) {
            NetNs.Result r = ns.exec("nft", "list chain inet " + NFT_TABLE + " " + hooks[i]);
            if (r.ok()) {
                Matcher m = NFT_COUNTER.matcher(r.output());
                d[i] = m.find() ? Long.parseLong(m.group(1)) : 0;
            }
        }
        return d;
    }

    // ---- report

    private static Transfer last(List<Transfer> list) {
        return list.get(list.size() - 1);
    }

    private static String describe(Transfer t) {
        String what = switch (t.status) {
            case OK -> seconds(t.seconds);
            case TIMEOUT -> "TIMEOUT (" + t.message + ")";
            case FAILED -> "FAILED: " + t.message;
        };
        return String.format(Locale.ROOT, "%s, RTO %d, TLP %d, FR %d, rtx segs %d, client RTO %d, dropped %d in/%d out",
                what, t.serverRtos, t.serverProbes, t.serverRecoveries, t.serverRetransmits, t.clientRtos,
                t.droppedIn, t.droppedOut);
    }

    /** The median time of the transfers that did not fail, a timeout counting as infinitely long; NaN if none. */
    static double medianSeconds(List<Transfer> transfers) {
        double[] s = transfers.stream().filter(t -> t.status != Status.FAILED)
                .mapToDouble(t -> t.status == Status.TIMEOUT ? Double.POSITIVE_INFINITY : t.seconds).toArray();
        return median(s);
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double medianOf(List<Transfer> transfers, ToLongFunction<Transfer> f) {
        return median(transfers.stream().filter(t -> t.status != Status.FAILED).mapToDouble(f::applyAsLong)
                .toArray());
    }

    private String time(List<Transfer> transfers) {
        double median = medianSeconds(transfers);
        long timeouts = transfers.stream().filter(t -> t.status == Status.TIMEOUT).count();
        long failed = transfers.stream().filter(t -> t.status == Status.FAILED).count();
        double[] ok = transfers.stream().filter(t -> t.status == Status.OK).mapToDouble(Transfer::seconds).toArray();
        StringBuilder b = new StringBuilder();
        if (Double.isNaN(median)) {
            b.append("—");
        } else if (Double.isInfinite(median)) {
            b.append("> ").append(options.timeout.toSeconds()).append(" s");
        } else {
            b.append(seconds(median));
        }
        if (ok.length > 1) {
            b.append(" (").append(seconds(Arrays.stream(ok).min().getAsDouble())).append("–")
                    .append(seconds(Arrays.stream(ok).max().getAsDouble())).append(")");
        }
        if (timeouts > 0) {
            b.append(", ").append(timeouts).append(" timed out");
        }
        if (failed > 0) {
            b.append(", ").append(failed).append(" FAILED");
        }
        return b.toString();
    }

    private static String seconds(double s) {
        return s < 1 ? String.format(Locale.ROOT, "%.1f ms", s * 1e3)
                : String.format(Locale.ROOT, s < 10 ? "%.2f s" : "%.1f s", s);
    }

    private static String count(double v) {
        return Double.isNaN(v) ? "—" : v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String counters(List<Transfer> t) {
        return count(medianOf(t, Transfer::serverRtos)) + " / " + count(medianOf(t, Transfer::serverProbes)) + " / "
                + count(medianOf(t, Transfer::serverRecoveries));
    }

    private String ratio(Cell c) {
        double r = c.ratio();
        if (Double.isNaN(r)) {
            return "—";
        }
        if (r == 0) { // jiip timed out: the ratio is below kernel / timeout
            return String.format(Locale.ROOT, "< %.3f", medianSeconds(c.kernel) / options.timeout.toSeconds());
        }
        return String.format(Locale.ROOT, r >= 0.1 ? "%.2f" : "%.3f", r);
    }

    private static String percent(double p) {
        return p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%s", p);
    }

    private static String size(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes % 1024 == 0 ? (bytes >> 10) + " KiB"
                : bytes + " B";
    }

    /** The Markdown rows of {@link #cells()} under their header. */
    public List<String> table() {
        List<String> t = new ArrayList<>();
        t.add("| loss | TSO | transfer | jiip time | jiip RTO / TLP / FR | client RTO | kernel time "
                + "| kernel RTO / TLP / FR | client RTO | kernel / jiip |");
        t.add("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Cell c : cells) {
            t.add(String.format(Locale.ROOT, "| %s %% | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                    percent(c.lossPercent), c.tso ? "on" : "off", c.workload.label, time(c.jiip), counters(c.jiip),
                    count(medianOf(c.jiip, Transfer::clientRtos)), time(c.kernel), counters(c.kernel),
                    count(medianOf(c.kernel, Transfer::clientRtos)), ratio(c)));
        }
        return t;
    }

    private void printTable() {
        out.println(header());
        out.println();
        table().forEach(out::println);
        out.println();
        out.println("Times: median (min–max) from the established connection to the verified end. RTO / TLP / FR: "
                + "the server's retransmission timeouts, tail loss probes and entries into fast recovery per "
                + "transfer, medians (jiip: TCP_TIMEOUTS, TCP_TLP_PROBES, TCP_FAST_RETRANSMITS; Linux: TCPTimeouts, "
                + "TCPLossProbes, TCPSackRecovery + TCPRenoRecovery). Client RTO: the kernel client's TCPTimeouts. "
                + "kernel / jiip: the ratio of the median times (1: as fast as the kernel).");
    }

    /** Writes every transfer of every cell as JSON. */
    public void writeJson(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"bytes\": ").append(options.bytes).append(",\n  \"runs\": ").append(options.runs)
                .append(",\n  \"rx_gso\": ").append(options.rxGso)
                .append(",\n  \"congestion_control\": \"").append(options.congestionControl.name()
                        .toLowerCase(Locale.ROOT)).append('"')
                .append(",\n  \"kernel_congestion_control\": \"").append(options.kernelCongestionControl).append('"')
                .append(",\n  \"timeout_s\": ").append(options.timeout.toSeconds()).append(",\n  \"cells\": [");
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            b.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT,
                    "    {\"loss_percent\": %s, \"tso\": %s, \"workload\": \"%s\", \"ratio\": %s,\n", c.lossPercent,
                    c.tso, c.workload.name().toLowerCase(Locale.ROOT), number(c.ratio())));
            b.append("     \"jiip\": ").append(json(c.jiip)).append(",\n     \"kernel\": ").append(json(c.kernel))
                    .append("}");
        }
        b.append("\n  ]\n}\n");
        Files.writeString(file, b.toString());
    }

    private static String json(List<Transfer> transfers) {
        StringBuilder b = new StringBuilder("{\"median_s\": ").append(number(medianSeconds(transfers)))
                .append(", \"transfers\": [");
        for (int i = 0; i < transfers.size(); i++) {
            Transfer t = transfers.get(i);
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "{\"status\": \"%s\", \"seconds\": %s, "
                    + "\"server_rtos\": %d, \"server_tlp\": %d, \"server_recoveries\": %d, "
                    + "\"server_retransmits\": %d, \"client_rtos\": %d, \"dropped_in\": %d, \"dropped_out\": %d}",
                    t.status.name().toLowerCase(Locale.ROOT), number(t.seconds), t.serverRtos, t.serverProbes,
                    t.serverRecoveries, t.serverRetransmits, t.clientRtos, t.droppedIn, t.droppedOut));
        }
        return b.append("]}").toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "null";
    }
}
