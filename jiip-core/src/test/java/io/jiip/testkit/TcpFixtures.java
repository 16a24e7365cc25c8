package io.jiip.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpState;
import io.jiip.link.Packet;
import io.jiip.testkit.TcpPeer.Opts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The shared set-ups of the TCP tests: time units, the two nodes' addresses, payloads, and connections brought to
 * ESTABLISHED stack against stack ({@link #establish}) or stack against a scripted {@link TcpPeer}
 * ({@link #connected}).
 */
public final class TcpFixtures {
    public static final long MS = 1_000_000L;
    public static final long SECOND = 1_000_000_000L;
    /** Node A's address ({@link TestNet#A_IP}). */
    public static final int A = Frames.A_IP;
    /** Node B's address ({@link TestNet#B_IP}). */
    public static final int B = Frames.B_IP;

    private TcpFixtures() {
    }

    /** {@code text} in US-ASCII. */
    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A packet from {@code node}'s pool holding {@code text}, one byte per char (ISO-8859-1). */
    public static Packet payload(TestNet.Node node, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Packet p = node.pool.alloc(bytes.length);
        p.buffer().put(p.offset(), bytes);
        node.pool.length(p, bytes.length);
        return p;
    }

    /** Queues {@code text} on {@code conn}, asserting the stack takes it. */
    public static void send(TestNet.Node node, int conn, String text) {
        assertEquals(Result.OK, node.stack.tcpSend(conn, payload(node, text), 0), "tcpSend " + text);
    }

    /** A stack-config tweak that sets the TCP config built by {@code tcp}. */
    public static Consumer<StackConfig.Builder> stackTcp(Consumer<TcpConfig.Builder> tcp) {
        return b -> {
            TcpConfig.Builder t = TcpConfig.builder();
            tcp.accept(t);
            b.tcp(t.build());
        };
    }

    /** Two nodes whose TCP config is built by {@code tcp}. */
    public static TestNet net(Consumer<TcpConfig.Builder> tcp) {
        return TestNet.twoNodes(stackTcp(tcp), 0);
    }

    /** Client A (from {@code localPort}, 0 = ephemeral) to server B:80, established; returns A's handle. */
    public static int establish(TestNet net, RecordingApp server, RecordingApp client, int localPort) {
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, localPort, client, null);
        assertTrue(conn >= 0, Result.name(conn));
        net.pump();
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(conn));
        assertEquals(TcpState.ESTABLISHED, net.b().stack.tcpState(server.conn));
        return conn;
    }

    /**
     * A stack (configured by {@code tweak}) listening on 80 with a new {@link RecordingApp} put in
     * {@code server[0]}, and a scripted peer connected to it with MSS 1460, window scale 7 and timestamps.
     */
    public static TcpPeer connected(Consumer<StackConfig.Builder> tweak, RecordingApp[] server) {
        TcpPeer peer = TcpPeer.withStack(tweak);
        server[0] = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server[0]));
        peer.timestamps = true;
        peer.connect(Opts.all(1460, 7, peer.tsVal, 0));
        assertEquals(List.of("accepted"), server[0].log);
        return peer;
    }
}
