package io.jiip.cli;

import io.jiip.api.Result;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.io.app.DiscardServer;
import io.jiip.io.app.EchoServer;
import io.jiip.io.app.HttpServer;
import io.jiip.wire.Ipv4Address;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./jiip serve echo|http|discard --tap NAME --ip A/N}: a jiip server on a TAP device until interrupted.
 * With {@code --queues N} the TAP is multi-queue and N stacks serve on N threads (the kernel steers each flow to
 * one queue).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves echo (TCP+UDP, port 7), http (port 80: / and /bytes/N) or discard (TCP, port 9) "
                + "with jiip on a TAP device, until interrupted.",
            "Example: ./jiip serve http --tap tap0 --ip 10.0.0.2/24 --host-ip 10.0.0.1/24; "
                + "then: curl http://10.0.0.2/bytes/1g | sha256sum"})
public final class ServeCommand implements Callable<Integer> {
    enum Service { echo, http, discard }

    @Parameters(index = "0", description = "echo, http or discard")
    Service service;

    @Mixin
    TapOptions tap;

    @Option(names = "--port", description = "Port (default: 7 echo, 80 http, 9 discard).")
    Integer port;

    @Option(names = "--queues", description = "TAP queues, one stack and thread each (default: ${DEFAULT-VALUE}).")
    int queues = 1;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Throwable cause = TapDevice.unavailabilityCause();
        if (cause != null) {
            System.err.println("jiip serve: TAP unavailable: " + cause.getMessage());
            return 2;
        }
        int p = port != null ? port : service == Service.echo ? 7 : service == Service.http ? 80 : 9;
        TapDevice device = tap.open(queues);
        List<TapNode> nodes = new ArrayList<>();
        List<Object> handlers = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            shutdown(device, nodes, handlers);
            stopped.countDown();
        }, "jiip-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            StackConfig.Builder base = tap.stackConfig(device);
            int span = (65535 - 49152) / queues;
            for (int i = 0; i < queues; i++) {
                // Disjoint ephemeral ports: two stacks never pick the same 4-tuple.
                int low = 49152 + i * span;
                StackConfig config = base.tcp(TcpConfig.builder().ephemeralPorts(low, low + span - 1).build())
                        .build();
                TapNode node = TapNode.start(device.queue(i), config, null, null, null, tap.busyPollMicros * 1000,
                        "jiip-" + device.name() + "-" + i);
                nodes.add(node);
                Object h = listen(node, p);
                handlers.add(h);
            }
            out.printf("jiip %s on %s:%d via TAP %s (%s), %d queue(s); Ctrl-C to stop%n", service,
                    Ipv4Address.toString(nodes.get(0).stack().config().ipv4()), p, device.name(),
                    TapOptions.describe(device), queues);
            if (tap.hostIp == null) {
                out.printf("kernel side: ip addr add <address>/<prefix> dev %s%n", device.name());
            }
            if (service == Service.discard) {
                reportDiscard(handlers, stopped);
            }
            stopped.await();
            return 0;
        } catch (Exception | Error e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            shutdown(device, nodes, handlers);
            throw e;
        }
    }

    private Object listen(TapNode node, int p) {
        switch (service) {
            case echo: {
                EchoServer echo = new EchoServer();
                check(node.call(s -> s.tcpListen(p, 1024, echo)), "listen");
                check(node.call(s -> s.udpBind(p, echo)), "UDP bind");
                return echo;
            }
            case http: {
                HttpServer http = new HttpServer();
                check(node.call(s -> s.tcpListen(p, 1024, http)), "listen");
                return http;
            }
            default: {
                DiscardServer discard = new DiscardServer();
                check(node.call(s -> s.tcpListen(p, 1024, discard)), "listen");
                return discard;
            }
        }
    }

    private static void check(int result, String what) {
        if (result != Result.OK) {
            throw new IllegalStateException(what + ": " + Result.name(result));
        }
    }

    /** Prints the discard rate every two seconds while bytes arrive. */
    private void reportDiscard(List<Object> handlers, CountDownLatch stopped) throws InterruptedException {
        long last = 0;
        long lastAt = System.nanoTime();
        while (!stopped.await(2, TimeUnit.SECONDS)) {
            long total = 0;
            for (Object h : handlers) {
                total += ((DiscardServer) h).bytes();
            }
            long now = System.nanoTime();
            if (total != last) {
                out.printf("discard: %,d bytes, %.1f MB/s over the last %.1f s%n", total,
                        (total - last) * 1e3 / (now - lastAt), (now - lastAt) / 1e9);
            }
            last = total;
            lastAt = now;
        }
    }

    private void shutdown(TapDevice device, List<TapNode> nodes, List<Object> handlers) {
        for (int i = 0; i < nodes.size(); i++) {
            TapNode n = nodes.get(i);
            Object h = i < handlers.size() ? handlers.get(i) : null;
            try {
                if (h instanceof HttpServer http) {
                    n.execute(s -> http.release());
                }
                String stats = n.<String>call(s -> s.stats().toString());
                n.close();
                out.printf("%nqueue %d: %s%n%s", i, n.queue().counters(), stats);
            } catch (Exception e) {
                System.err.println("jiip serve: stopping queue " + i + ": " + e);
            }
        }
        device.close();
    }
}
