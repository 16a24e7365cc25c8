package io.jiip.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.TcpConfig;
import io.jiip.bench.ConnectionChurn;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code jiip bench}: option validation, a short {@code --pair} run of every workload and model, the JSON. */
class BenchCommandTest {

    private static final class Run {
        int code;
        String err;
        BenchCommand command;
    }

    private static Run parse(String... args) {
        Run r = new Run();
        r.command = new BenchCommand();
        CommandLine cl = new CommandLine(r.command);
        cl.setParameterExceptionHandler(BenchCommand.oneLineErrors(cl.getParameterExceptionHandler()));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        // Validation only: parse, then build the configuration as call() would.
        try {
            cl.parseArgs(args);
            r.command.config();
            r.code = 0;
        } catch (CommandLine.ParameterException e) {
            try {
                r.code = cl.getParameterExceptionHandler().handleParseException(e, args);
            } catch (Exception x) {
                throw new AssertionError(x);
            }
        } catch (RuntimeException e) {
            throw new AssertionError(e);
        }
        r.err = err.toString();
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"-d 0", "-d x", "-c 0", "-l 0", "-l 70000", "--udp -l 1500", "--threads 0", "-t 0",
        "-t -1", "-r -5", "--model fast", "--model split --bulk", "--bulk --udp", "-l 4 -m hi", "--link carrier",
        "--listen 80", "--pair --tap tap0", "--tap t0 --ip 10.0.0.2/24", "--tap t0 --ip 1.2.3.4 --server x:1",
        "--tap t0 --ip 1.2.3.4 --listen 7 --udp", "--ip 1.2.3.4", "--warmup -1", "--nonsense", "-m \\q",
        "--churn -1", "--churn 5 --bulk", "--churn 5 --listen 7"})
    void shouldRejectBadValuesWithOneLineAndExitCode2(String args) {
        Run r = parse(args.split(" "));
        assertEquals(2, r.code, args);
        assertTrue(r.err.startsWith("jiip bench: "), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void shouldAcceptGoodOptionsAndPickWorkloadDefaults() {
        Run r = parse("--pair", "-c", "4", "-d", "2", "-l", "64", "-r", "1000", "-t", "1.5", "--threads", "2",
                "--no-csum-offload", "--no-tso", "--no-lro", "--no-sg");
        assertEquals(0, r.code, r.err);
        BenchConfig c = r.command.config();
        assertEquals(BenchConfig.Workload.PING_PONG, c.workload);
        assertEquals(4, c.connections);
        assertEquals(2, c.depth);
        assertEquals(64, c.length);
        assertEquals(1000, c.rate);
        assertEquals("csum=off tso=off lro=off sg=off", c.offloads());
        BenchConfig bulk = parse("--bulk").command.config();
        assertEquals(65_160, bulk.length);
        assertEquals(16, bulk.depth);
        BenchConfig msg = parse("-m", "HTTP/1.1 200 OK\\r\\n\\r\\n").command.config();
        assertEquals(19, msg.requestLength());
        assertEquals(BenchConfig.Model.MERGE, parse("--model", "merge").command.config().model);
    }

    private static BenchResult runPair(String... args) {
        BenchConfig cfg = parse(args).command.config();
        cfg.durationSeconds = 0.3;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            return BenchRunner.run(cfg, new PrintStream(out, true, StandardCharsets.UTF_8), false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Every message sent was received once the drain is over: sent = received + in flight, with 0 in flight. */
    private static void assertConsistent(BenchResult r) {
        assertTrue(r.clientSent > 0, r.summary());
        assertEquals(0, r.inFlight, r.summary());
        assertEquals(0, r.sendFailures, r.summary());
        assertTrue(r.txMsgs > 0 && r.rxMsgs > 0 && r.seconds > 0, r.summary());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-c 4 -d 3 -l 100", "--threads 2 -c 2", "-m GET_/_HTTP/1.0", "--no-csum-offload",
        "--model split -c 2 -d 2", "--model merge", "-c 2 -r 2000"})
    void shouldRunPingPongConsistently(String args) {
        BenchResult r = runPair(args.isEmpty() ? new String[0] : args.split(" "));
        assertConsistent(r);
        assertEquals(r.clientSent, r.serverReceived, r.summary());
        assertEquals(r.serverReceived, r.serverSent, r.summary());
        assertEquals(r.serverSent, r.clientReceived, r.summary());
        assertEquals(r.clientReceived, r.latencySamples, r.summary());
        assertTrue(r.roundTripsPerSecond > 0 && r.p50Ns > 0, r.summary());
        assertTrue(r.p50Ns <= r.p90Ns && r.p90Ns <= r.p99Ns && r.p99Ns <= r.p999Ns && r.p999Ns <= r.maxNs,
                r.summary());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bulk", "--bulk --no-tso --no-lro --no-sg --no-csum-offload", "--bulk -l 1000 -c 2"})
    void shouldRunBulkConsistently(String args) {
        BenchResult r = runPair(args.split(" "));
        assertConsistent(r);
        assertEquals(r.clientSentBytes, r.serverReceivedBytes, r.summary());
        assertEquals(r.clientSent, r.serverReceived, r.summary());
        assertEquals(0, r.serverSent, r.summary());
    }

    /**
     * Issue 13's target: a server that closes first, with the default configuration, serves 1,000,000 sequential
     * connections on the memory link without a stall (a connection that waits over 5 s for an answer to its SYN
     * counts as a failure). The real clock runs, so retransmissions after a scheduling pause are not held against it.
     */
    @Test
    void shouldServeAMillionSequentialConnectionsWithTheDefaultConfiguration() {
        ConnectionChurn.Outcome r = ConnectionChurn.run(1_000_000,
                new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(1_000_000, r.connections());
        assertEquals(0, r.failures());
        assertEquals(1_000_000, r.serverStats().get(Counter.TCP_TIME_WAIT_ENTERED));
    }

    @Test
    void shouldRunConnectionChurnWithTheServerClosingFirst() {
        TcpConfig defaults = TcpConfig.defaults();
        int tables = defaults.connections() + defaults.timeWaitCapacity();
        ConnectionChurn.Outcome r = ConnectionChurn.run(tables + 1000,
                new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(tables + 1000, r.connections());
        assertEquals(0, r.failures());
        assertEquals(tables + 1000, r.serverStats().get(Counter.TCP_TIME_WAIT_ENTERED));
        assertTrue(r.serverStats().get(Counter.TCP_TIME_WAIT_RECYCLED) > 0);
        assertEquals(0, BenchCommand.execute("--churn", "100"));
    }

    @Test
    void shouldRunUdpPingPongConsistently() {
        BenchResult r = runPair("--udp", "-c", "3", "-d", "2", "-l", "200");
        assertConsistent(r);
        assertEquals(r.clientSent, r.serverReceived + r.linkDrops, r.summary());
        assertEquals(r.serverSent, r.clientReceived, r.summary());
        assertTrue(r.p50Ns > 0, r.summary());
    }

    @Test
    void shouldRunUdpStreamConsistently() {
        BenchResult r = runPair("--udp-stream", "-c", "2", "-l", "100");
        assertConsistent(r);
        assertEquals(r.clientSent, r.serverReceived + r.linkDrops, r.summary());
        assertEquals(0, r.roundTripsPerSecond);
    }

    @Test
    void shouldWriteJsonWithTheSummaryNumbers(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        int code = BenchCommand.execute("--pair", "-t", "0.3", "-q", "-c", "2", "--json", json.toString());
        assertEquals(0, code);
        String text = Files.readString(json);
        assertTrue(text.strip().startsWith("{") && text.strip().endsWith("}"), text);
        for (String key : new String[] {"round_trips_per_s", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "workload",
            "model", "threads", "connections", "depth", "payload_bytes", "tx_msgs", "rx_msgs", "rx_mbit_per_s",
            "tx_mbit_per_s", "msgs_per_s", "client_sent", "server_received", "in_flight"}) {
            Matcher m = Pattern.compile("\"" + key + "\": (\"[^\"]*\"|-?[0-9.]+),?\\n").matcher(text);
            assertTrue(m.find(), key + " in " + text);
        }
        Matcher rt = Pattern.compile("\"round_trips_per_s\": ([0-9.]+)").matcher(text);
        assertTrue(rt.find() && Double.parseDouble(rt.group(1)) > 0, text);
        Matcher p50 = Pattern.compile("\"p50_ns\": ([0-9]+)").matcher(text);
        assertTrue(p50.find() && Long.parseLong(p50.group(1)) > 0, text);
        // Every line but the braces is "key": value, separated by commas: one flat object.
        long entries = text.lines().filter(l -> l.startsWith("  \"")).count();
        assertEquals(text.lines().count() - 2, entries, text);
    }
}
