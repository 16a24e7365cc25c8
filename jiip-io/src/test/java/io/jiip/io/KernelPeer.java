package io.jiip.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiip.api.Counter;
import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.api.TcpConfig;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The interop test bed: a fresh namespace {@code jiip-<random>} holding a TAP whose kernel side is
 * {@value #KERNEL_IP}/24, and a jiip stack on {@value #JIIP_IP} driven by an event loop thread of this JVM (the TAP
 * is opened inside the namespace: {@link TapConfig.Builder#netns}). {@link #close()} tears everything down, and the
 * namespace's shutdown hook does it if the JVM dies first.
 */
final class KernelPeer implements AutoCloseable {
    static final String KERNEL_IP = "10.77.0.1";
    static final String JIIP_IP = "10.77.0.2";
    static final String JIIP_MAC = "02:4a:49:49:50:02";

    final NetNs ns;
    final TapDevice tap;
    final TapNode node;

    /** What to vary between tests. */
    static final class Options {
        TapConfig.Builder tap = TapConfig.builder();
        TcpConfig.Builder tcp = TcpConfig.builder();
        Consumer<StackConfig.Builder> stack = b -> { };
        StackEvents<Packet> events;
        FrameHook txHook;
        FrameHook rxHook;
    }

    private KernelPeer(NetNs ns, TapDevice tap, TapNode node) {
        this.ns = ns;
        this.tap = tap;
        this.node = node;
    }

    /** Skips the calling test (with the reason) unless namespaces and TAP can be used here. */
    static void assumeAvailable() {
        String cause = NetNs.unavailabilityCause();
        assumeTrue(cause == null, () -> "kernel interop skipped: " + cause);
        String missing = missingTools("curl", "socat", "python3", "ethtool", "ping", "ss", "sha256sum");
        assumeTrue(missing == null, () -> "kernel interop skipped: not installed: " + missing);
    }

    /** Those of {@code tools} not found on the {@code PATH}, or {@code null} when all are there. */
    static String missingTools(String... tools) {
        StringBuilder missing = new StringBuilder();
        for (String tool : tools) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                missing.append(missing.length() == 0 ? "" : ", ").append(tool);
            }
        }
        return missing.length() == 0 ? null : missing.toString();
    }

    static KernelPeer start() throws Exception {
        return start(new Options());
    }

    static KernelPeer start(Options o) throws Exception {
        assumeAvailable();
        NetNs ns = NetNs.create("jiip");
        TapDevice tap = null;
        try {
            tap = TapDevice.open(o.tap.name("jtap0").netns(ns.name()).build());
            ns.execOrThrow("ip", "addr", "add", KERNEL_IP + "/24", "dev", tap.name());
            ns.execOrThrow("ip", "link", "set", tap.name(), "up");
            StackConfig.Builder sb = StackConfig.builder().mac(JIIP_MAC).ipv4(JIIP_IP, 24).tcp(o.tcp.build());
            o.stack.accept(sb);
            TapNode node = TapNode.start(tap.queue(0), sb.build(), o.events, o.txHook, o.rxHook, 0,
                    "jiip-test-loop");
            return new KernelPeer(ns, tap, node);
        } catch (Exception | Error e) {
            if (tap != null) {
                tap.close();
            }
            ns.close();
            throw e;
        }
    }

    /** The same jiip node, with kernel-side commands run in {@code other} (a namespace routed to ours). */
    KernelPeer withKernel(NetNs other) {
        return new KernelPeer(other, tap, node);
    }

    NetNs.Result exec(String... command) throws IOException {
        return ns.exec(command);
    }

    /** The stack's counters, read on the loop thread. */
    String stats() {
        return node.<String>call(s -> s.stats().toString());
    }

    long counter(Counter c) {
        return node.<Long>call(s -> s.stats().get(c));
    }

    @Override
    public void close() {
        try {
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
