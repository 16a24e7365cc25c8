package io.jiip.bench.tool;

import io.jiip.api.Counter;
import io.jiip.api.Stats;
import io.jiip.bench.ConnectionChurn;
import io.jiip.bench.tool.BenchConfig.Model;
import io.jiip.bench.tool.BenchConfig.Workload;
import io.jiip.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./jiip bench}: the benchmark tool (jiip's bench-iip). */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark jiip: TCP ping-pong (default), TCP bulk, UDP ping-pong or UDP stream.",
            "--pair runs client and server contexts over the in-memory link in this process (no root, no network);"
                + " prints a line per second per thread and a total, then a summary with latency percentiles."},
        footer = {"", "Examples:",
            "  ./jiip bench --pair -t 5                     1-byte ping-pong",
            "  ./jiip bench --pair -c 32 -d 4 --threads 2   2 threads, 32 conns x 4",
            "  ./jiip bench --pair --bulk --no-tso          bulk, TSO off",
            "  ./jiip bench --pair --model split -r 10000   2 threads per context",
            "  ./jiip bench --churn 1000000                 a million connections, the server closing first",
            "  ./jiip bench --listen 7 --tap tap0 --ip 10.0.0.2/24 --host-ip 10.0.0.1/24"})
public final class BenchCommand implements Callable<Integer> {
    /** Exit code of a bad command line (picocli's usage code). */
    public static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--pair", description = "Run client and server over the memory link in one process (default).")
    boolean pair;

    @Option(names = "--listen", paramLabel = "PORT",
            description = "Server role on --tap: ping-pong echoes (with -m: answers each payload with the message),"
                    + " --bulk sinks.")
    Integer listen;

    @Option(names = "--server", paramLabel = "IP:PORT",
            description = "Client role on --tap: ping-pong against an echo server, or --bulk.")
    String server;

    @Option(names = "--link", paramLabel = "memory|tap", description = "Backend (default: ${DEFAULT-VALUE}).")
    String link = "memory";

    @Option(names = "--tap", paramLabel = "NAME", description = "TAP device backend (with --listen/--server).")
    String tap;

    @Option(names = "--ip", paramLabel = "A/N", description = "With --tap: jiip's IPv4 address and prefix.")
    String ip;

    @Option(names = "--host-ip", paramLabel = "A/N",
            description = "With --tap: also give the kernel side this address.")
    String hostIp;

    @Option(names = "--netns", paramLabel = "NAME",
            description = "With --tap: open the TAP inside this (existing) network namespace.")
    String netns;

    @Option(names = "--bulk", description = "TCP bulk: the client sends, the server sinks.")
    boolean bulk;

    @Option(names = "--udp", description = "UDP ping-pong.")
    boolean udp;

    @Option(names = "--udp-stream", description = "UDP stream: the client sends, the server counts.")
    boolean udpStream;

    @Option(names = "--churn", paramLabel = "N",
            description = "Connection churn on the memory link: N sequential connections of one request and response,"
                    + " the server closing first (TIME-WAIT on the server), default configuration; prints the rate.")
    long churn;

    @Option(names = "-l", paramLabel = "BYTES",
            description = "Payload length (default 1; bulk 65160, i.e. 45 MSS).")
    Integer length;

    @Option(names = "-m", paramLabel = "TEXT",
            description = "Literal message sent as request and response (\\r \\n \\t \\\\ escapes).")
    String message;

    @Option(names = "-d", paramLabel = "N",
            description = "I/O depth: messages in flight per connection (default 1; bulk 16; UDP stream: datagrams"
                    + " per flow per loop).")
    Integer depth;

    @Option(names = "-c", paramLabel = "N", description = "Connections (UDP: flows) per thread (default: 1).")
    int connections = 1;

    @Option(names = "-r", paramLabel = "N", description = "Requests/s per connection, 0 = unpaced (default: 0).")
    long rate;

    @Option(names = "-t", paramLabel = "SECONDS", description = "Duration (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--warmup", paramLabel = "SECONDS",
            description = "Excluded from the summary (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--threads", paramLabel = "N",
            description = "Contexts, each on its own thread and queue pair (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--model", paramLabel = "unified|split|merge",
            description = "CPU-core model (default: ${DEFAULT-VALUE}). split: network and app threads, spinning;"
                    + " merge: the app thread sleeps when idle.")
    String model = "unified";

    @Option(names = "--no-csum-offload", description = "Software checksums.")
    boolean noCsum;

    @Option(names = "--no-tso", description = "No TCP segmentation / UDP GSO offload.")
    boolean noTso;

    @Option(names = "--no-lro", description = "No large receive offload.")
    boolean noLro;

    @Option(names = "--no-sg", description = "No scatter-gather (zero-copy transmit off: payload copied).")
    boolean noSg;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON.")
    Path json;

    @Option(names = {"-q", "--quiet"}, description = "No per-second lines (a progress indicator on a terminal).")
    boolean quiet;

    /** The last run's result (tests). */
    BenchResult result;

    @Override
    public Integer call() throws Exception {
        BenchConfig cfg = config();
        if (churn > 0) {
            return churn();
        }
        PrintStream out = System.out;
        boolean tty = System.console() != null && System.console().isTerminal();
        result = cfg.tap != null ? TapRole.run(cfg, out) : BenchRunner.run(cfg, out, tty);
        if (json != null) {
            Files.writeString(json, result.toJson(), StandardCharsets.UTF_8);
        }
        return 0;
    }

    private int churn() {
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "churn: %,d sequential connections, the server closing first, memory link%n", churn);
        ConnectionChurn.Outcome r = ConnectionChurn.run(churn, out);
        Stats s = r.serverStats();
        out.printf(Locale.ROOT, "%,d connections in %.2f s: %,.0f connections/s, slowest %.2f ms, %d failed%n",
                r.connections(), r.elapsedNanos() / 1e9, r.rate(), r.slowestNanos() / 1e6, r.failures());
        out.printf(Locale.ROOT, "server TIME-WAIT: %,d entered, %,d recycled, %,d expired, %,d reopened;"
                + " retransmissions %d (client %d), SYN cookies %d, drops %d%n",
                s.get(Counter.TCP_TIME_WAIT_ENTERED), s.get(Counter.TCP_TIME_WAIT_RECYCLED),
                s.get(Counter.TCP_TIME_WAIT_EXPIRED), s.get(Counter.TCP_TIME_WAIT_REOPENED),
                s.get(Counter.TCP_RETRANSMITS),
                r.clientStats().get(Counter.TCP_RETRANSMITS),
                s.get(Counter.SYN_COOKIES_SENT), s.totalDrops());
        return r.failures() == 0 ? 0 : 1;
    }

    /** Validates the options into a configuration; a {@link ParameterException} (exit code 2) on bad ones. */
    BenchConfig config() {
        BenchConfig c = new BenchConfig();
        if (churn < 0 || churn > 0 && (bulk || udp || udpStream || tap != null || listen != null || server != null)) {
            throw bad("--churn takes a count >= 1 and runs alone on the memory link");
        }
        int workloads = (bulk ? 1 : 0) + (udp ? 1 : 0) + (udpStream ? 1 : 0);
        if (workloads > 1) {
            throw bad("choose one of --bulk, --udp, --udp-stream");
        }
        c.workload = bulk ? Workload.BULK : udp ? Workload.UDP_PING_PONG : udpStream ? Workload.UDP_STREAM
                : Workload.PING_PONG;
        if (!"memory".equals(link) && !"tap".equals(link)) {
            throw bad("--link must be memory or tap, not '" + link + "'");
        }
        if (listen != null || server != null || tap != null || "tap".equals(link)) {
            tapRole(c);
        } else if (ip != null || hostIp != null || netns != null) {
            throw bad("--ip, --host-ip and --netns need --tap");
        }
        try {
            c.model = Model.valueOf(model.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("--model must be unified, split or merge, not '" + model + "'");
        }
        if (c.model != Model.UNIFIED && c.workload != Workload.PING_PONG) {
            throw bad("--model " + model + " supports TCP ping-pong only");
        }
        boolean tcp = c.workload.tcp();
        if (message != null) {
            if (length != null) {
                throw bad("-l and -m exclude each other");
            }
            c.message = unescape(message).getBytes(StandardCharsets.ISO_8859_1);
            if (c.message.length == 0) {
                throw bad("-m must not be empty");
            }
        }
        c.length = length != null ? length : c.workload == Workload.BULK ? 65_160 : 1;
        int max = tcp ? 65_160 : 1472;
        int len = c.requestLength();
        if (len < 1 || len > max) {
            throw bad((message != null ? "-m length" : "-l") + " must be 1.." + max + " for " + c.workload.label()
                    + ", not " + len);
        }
        c.depth = depth != null ? depth : c.workload == Workload.BULK ? 16 : c.workload == Workload.UDP_STREAM ? 32 : 1;
        range("-d", c.depth, 1, 1024);
        if (tcp && (long) c.depth * len > (c.workload == Workload.BULK ? 2 << 20 : 512 << 10)) {
            throw bad("-d x payload exceeds the send buffer (" + (c.workload == Workload.BULK ? "2 MiB" : "512 KiB")
                    + ")");
        }
        range("-c", connections, 1, tcp ? 16_000 : 10_000);
        if ((long) connections * c.depth > 262_144) {
            throw bad("-c x -d must be at most 262144 per thread");
        }
        c.connections = connections;
        range("--threads", threads, 1, 64);
        c.threads = threads;
        if (rate < 0 || rate > 1_000_000_000L) {
            throw bad("-r must be 0..1000000000, not " + rate);
        }
        c.rate = rate;
        if (!(duration > 0) || duration > 86_400) {
            throw bad("-t must be > 0 and at most 86400 seconds, not " + duration);
        }
        c.durationSeconds = duration;
        if (!(warmup >= 0) || warmup > 3600) {
            throw bad("--warmup must be 0..3600 seconds, not " + warmup);
        }
        c.warmupSeconds = warmup;
        c.csumOffload = !noCsum;
        c.tso = !noTso;
        c.lro = !noLro;
        c.scatterGather = !noSg;
        c.perSecond = !quiet;
        return c;
    }

    private void tapRole(BenchConfig c) {
        if (pair) {
            throw bad("--pair runs on the memory link; it excludes --listen, --server and --tap");
        }
        if (tap == null || ip == null) {
            throw bad("the TAP roles need --tap NAME and --ip A/N");
        }
        if ((listen == null) == (server == null)) {
            throw bad("with --tap give exactly one of --listen PORT and --server IP:PORT");
        }
        if (udp || udpStream) {
            throw bad("the TAP roles run TCP ping-pong or --bulk");
        }
        if (threads != 1 || !"unified".equalsIgnoreCase(model)) {
            throw bad("the TAP roles run one unified context (--threads 1)");
        }
        c.tap = tap;
        c.ip = ip;
        c.hostIp = hostIp;
        c.netns = netns;
        if (listen != null) {
            range("--listen", listen, 1, 65535);
            c.listenPort = listen;
        } else {
            int colon = server.lastIndexOf(':');
            try {
                c.serverIp = server.substring(0, colon);
                Ipv4Address.parse(c.serverIp);
                c.serverPort = Integer.parseInt(server.substring(colon + 1));
            } catch (RuntimeException e) {
                throw bad("--server must be IP:PORT, not '" + server + "'");
            }
            range("--server port", c.serverPort, 1, 65535);
        }
    }

    private void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw bad(name + " must be " + min + ".." + max + ", not " + value);
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(switch (n) {
                    case 'r' -> '\r';
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case '\\' -> '\\';
                    default -> throw bad("-m: unknown escape \\" + n);
                });
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /**
     * The one-line handler for bad options: {@code jiip bench: MESSAGE (see --help)} on stderr, exit code 2.
     * Install it on the root command line; other subcommands keep picocli's default.
     */
    public static CommandLine.IParameterExceptionHandler oneLineErrors(CommandLine.IParameterExceptionHandler other) {
        return (ex, args) -> {
            CommandLine cl = ex.getCommandLine();
            if (!(cl.getCommand() instanceof BenchCommand)) {
                return other.handleParseException(ex, args);
            }
            cl.getErr().println("jiip bench: " + ex.getMessage() + " (see --help)");
            cl.getErr().flush();
            return USAGE;
        };
    }

    /** Runs the command line as {@code ./jiip bench ARGS} would (tests; the CLI goes through jiip's Main). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setParameterExceptionHandler(oneLineErrors(cl.getParameterExceptionHandler()));
        return cl.execute(args);
    }
}
