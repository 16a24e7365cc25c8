package io.jiip.cli;

import io.jiip.api.Result;
import io.jiip.api.StackConfig;
import io.jiip.io.NetNs;
import io.jiip.io.TapConfig;
import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.io.app.HttpServer;
import io.jiip.io.app.Pattern;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jiip demo tap}: a throw-away network namespace with a TAP in it; the Linux kernel on one side, the jiip
 * HTTP server on the other; ping, ARP and curl from the kernel, then everything is deleted. Needs root.
 */
@Command(name = "tap", mixinStandardHelpOptions = true,
        description = "The Linux kernel talks to a jiip HTTP server over a TAP, inside a temporary network "
                + "namespace that is deleted afterwards (needs root).")
public final class TapDemoCommand implements Callable<Integer> {
    static final String KERNEL_IP = "10.77.0.1";
    static final String JIIP_IP = "10.77.0.2";

    @Option(names = "--bytes", description = "Size of the bulk download (default: ${DEFAULT-VALUE}).")
    String bytes = "256m";

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        String cause = NetNs.unavailabilityCause();
        if (cause != null) {
            System.err.println("jiip demo tap: " + cause);
            return 2;
        }
        long n = Pattern.parseSize(bytes);
        boolean ok = true;
        try (NetNs ns = NetNs.create("jiip-demo")) {
            out.printf("namespace %s created: everything below lives inside it%n", ns.name());
            try (TapDevice tap = TapDevice.open(TapConfig.builder().name("jiip0").netns(ns.name()).build())) {
                ns.execOrThrow("ip", "addr", "add", KERNEL_IP + "/24", "dev", tap.name());
                ns.execOrThrow("ip", "link", "set", tap.name(), "up");
                out.printf("TAP %s: kernel side %s, jiip side %s; %s%n", tap.name(), KERNEL_IP, JIIP_IP,
                        TapOptions.describe(tap));
                StackConfig config = StackConfig.builder().mac(TapOptions.randomMac()).ipv4(JIIP_IP, 24).build();
                TapNode node = TapNode.start(tap.queue(0), config, null);
                HttpServer http = new HttpServer();
                try {
                    if (node.call(s -> s.tcpListen(80, 64, http)) != Result.OK) {
                        throw new IllegalStateException("listen failed");
                    }
                    out.printf("jiip HTTP server listening on %s:80 (event loop thread %s)%n%n", JIIP_IP,
                            node.loop().thread().getName());
                    ok &= show(ns, "ping from the kernel", "ping", "-c", "3", "-i", "0.2", JIIP_IP);
                    ok &= show(ns, "the kernel's ARP entry for jiip", "ip", "neigh", "show", JIIP_IP);
                    ok &= show(ns, "curl from the kernel", "curl", "-sS", "-i", "--max-time", "10",
                            "http://" + JIIP_IP + "/");
                    out.printf("$ curl http://%s/bytes/%d | sha256sum   (expected %s)%n", JIIP_IP, n,
                            Pattern.sha256(n));
                    long t0 = System.nanoTime();
                    NetNs.Result r = ns.exec(Duration.ofSeconds(300), "bash", "-c", "set -o pipefail; curl -sS "
                            + "--max-time 290 http://" + JIIP_IP + "/bytes/" + n + " | sha256sum");
                    double s = (System.nanoTime() - t0) / 1e9;
                    boolean same = r.ok() && r.output().startsWith(Pattern.sha256(n));
                    out.print(r.output());
                    out.printf("%,d bytes in %.2f s = %.1f MB/s, SHA-256 %s%n%n", n, s, n / s / 1e6,
                            same ? "equal" : "DIFFERENT");
                    ok &= same;
                    out.printf("TAP queue: %s%n", node.queue().counters());
                    out.print(node.<String>call(st -> st.stats().toString()));
                } finally {
                    node.execute(st -> http.release());
                    node.close();
                }
            }
        }
        out.printf("%nnamespace deleted; %s%n", ok ? "demo OK" : "demo FAILED");
        return ok ? 0 : 1;
    }

    private boolean show(NetNs ns, String title, String... command) throws Exception {
        out.printf("$ %s        # %s%n", String.join(" ", command), title);
        NetNs.Result r = ns.exec(command);
        out.println(r.output().stripTrailing());
        out.println();
        return r.ok();
    }
}
