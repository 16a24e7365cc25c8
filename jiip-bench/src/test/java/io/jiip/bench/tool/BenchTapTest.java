package io.jiip.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiip.io.NetNs;
import io.jiip.io.TapDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --listen} on a TAP inside a throw-away namespace (root only; skipped elsewhere): the kernel, as a Python
 * client in that namespace, ping-pongs 500 one-byte requests against the jiip bench server.
 */
class BenchTapTest {
    private static final String CLIENT = String.join("\n",
            "import socket, time",
            "deadline = time.time() + 10",
            "while True:",
            "    try:",
            "        s = socket.create_connection(('10.78.0.2', 7), timeout=2); break",
            "    except OSError:",
            "        if time.time() > deadline: raise",
            "        time.sleep(0.1)",
            "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)",
            "n = 0",
            "for i in range(500):",
            "    s.sendall(b'x')",
            "    if s.recv(1) == b'x': n += 1",
            "print('ok', n)");

    @Test
    void shouldServePingPongToTheKernelOverTap() throws Exception {
        String cause = NetNs.unavailabilityCause();
        assumeTrue(cause == null, () -> "TAP bench skipped: " + cause);
        assumeTrue(TapDevice.isAvailable(), "TAP unavailable");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no python3");
        try (NetNs ns = NetNs.create("jiipb")) {
            BenchCommand command = new BenchCommand();
            AtomicInteger code = new AtomicInteger(-1);
            Thread server = new Thread(() -> code.set(new CommandLine(command).execute("--listen", "7", "--tap",
                    "jb0", "--netns", ns.name(), "--ip", "10.78.0.2/24", "--host-ip", "10.78.0.1/24", "-t", "6",
                    "-q")));
            server.start();
            NetNs.Result client = ns.exec(Duration.ofSeconds(30), "python3", "-c", CLIENT);
            server.join(30_000);
            assertTrue(client.ok(), client.output());
            assertTrue(client.output().contains("ok 500"), client.output());
            assertEquals(0, code.get());
            assertEquals(500, command.result.serverReceived, command.result.summary());
            assertEquals(500, command.result.serverSent, command.result.summary());
            assertEquals(500, command.result.serverReceivedBytes, command.result.summary());
        }
    }

    /** {@code --server}: the jiip client on a TAP against kernel servers (socat echo, socat sink). */
    @Test
    void shouldRunClientPingPongAndBulkAgainstTheKernel() throws Exception {
        String cause = NetNs.unavailabilityCause();
        assumeTrue(cause == null, () -> "TAP bench skipped: " + cause);
        assumeTrue(TapDevice.isAvailable(), "TAP unavailable");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "no socat");
        try (NetNs ns = NetNs.create("jiipb")) {
            ns.start(null, "socat", "TCP-LISTEN:7,fork,reuseaddr", "EXEC:cat");
            ns.start(null, "socat", "-u", "TCP-LISTEN:9,fork,reuseaddr", "OPEN:/dev/null");
            Thread.sleep(300);
            BenchCommand pp = new BenchCommand();
            int code = new CommandLine(pp).execute("--server", "10.78.0.1:7", "--tap", "jb1", "--netns", ns.name(),
                    "--ip", "10.78.0.2/24", "--host-ip", "10.78.0.1/24", "-t", "2", "-q", "-c", "2", "-d", "2");
            assertEquals(0, code);
            BenchResult r = pp.result;
            assertTrue(r.clientReceived > 0 && r.p50Ns > 0, r.summary());
            assertTrue(r.clientSent - r.clientReceived <= 4, r.summary()); // sent = received + in flight
            assertEquals(r.clientReceived, r.latencySamples, r.summary());
            BenchCommand bulk = new BenchCommand();
            code = new CommandLine(bulk).execute("--server", "10.78.0.1:9", "--bulk", "--tap", "jb1", "--netns",
                    ns.name(), "--ip", "10.78.0.2/24", "--host-ip", "10.78.0.1/24", "-t", "2", "-q");
            assertEquals(0, code);
            assertTrue(bulk.result.clientReceived > 0, bulk.result.summary()); // acknowledged messages
            assertTrue(bulk.result.clientSent - bulk.result.clientReceived <= 16, bulk.result.summary());
        }
    }
}
