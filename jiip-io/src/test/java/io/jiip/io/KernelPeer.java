package io.jiip.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.api.TcpConfig;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import java.io.IOException;

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

    private KernelPeer(NetNs ns, TapDevice tap, TapNode node) {
        this.ns = ns;
        this.tap = tap;
        this.node = node;
    }

    /** Skips the calling test (with the reason) unless namespaces and TAP can be used here. */
    static void assumeAvailable() {
        String cause = NetNs.unavailabilityCause();
        assumeTrue(cause == null, () -> "kernel interop skipped: " + cause);
    }

    static KernelPeer start() throws Exception {
        return start(TapConfig.builder(), TcpConfig.builder(), null, null, null);
    }

    static KernelPeer start(TapConfig.Builder tapConfig, TcpConfig.Builder tcp, StackEvents<Packet> events,
            FrameHook txHook, FrameHook rxHook) throws Exception {
        assumeAvailable();
        NetNs ns = NetNs.create("jiip");
        TapDevice tap = null;
        try {
            tap = TapDevice.open(tapConfig.name("jtap0").netns(ns.name()).build());
            ns.execOrThrow("ip", "addr", "add", KERNEL_IP + "/24", "dev", tap.name());
            ns.execOrThrow("ip", "link", "set", tap.name(), "up");
            StackConfig config = StackConfig.builder().mac(JIIP_MAC).ipv4(JIIP_IP, 24).tcp(tcp.build()).build();
            TapNode node = TapNode.start(tap.queue(0), config, events, txHook, rxHook, 0, "jiip-test-loop");
            return new KernelPeer(ns, tap, node);
        } catch (Exception | Error e) {
            if (tap != null) {
                tap.close();
            }
            ns.close();
            throw e;
        }
    }

    NetNs.Result exec(String... command) throws IOException {
        return ns.exec(command);
    }

    @Override
    public void close() throws Exception {
        try {
            node.close();
        } finally {
            try {
                tap.close();
            } finally {
                ns.close();
            }
        }
    }
}
