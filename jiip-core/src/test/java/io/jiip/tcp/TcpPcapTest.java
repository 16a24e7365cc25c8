package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.LinkType;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.FaultInjector;
import io.jiip.link.Packet;
import io.jiip.link.PcapWriter;
import io.jiip.testkit.TestNet;
import io.jiip.testkit.Tshark;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TCP conversations captured on the wire and read back by tshark: no malformed packet, no expert complaint. */
class TcpPcapTest {
    @TempDir
    Path dir;

    /** A sink that consumes everything and half-closes when the peer does. */
    static final class Sink implements TcpEvents<Packet> {
        long received;

        @Override
        public void onPayload(Stack<Packet> s, int c, Object a, Packet p, int off, int len) {
            received += len;
            s.tcpRxConsumed(c, len);
        }

        @Override
        public void onRemoteShutdown(Stack<Packet> s, int c, Object a) {
            s.tcpClose(c);
        }
    }

    private static int sendPattern(TestNet.Node node, int conn, int total, int chunk) {
        int sent = 0;
        while (sent < total) {
            int n = Math.min(chunk, total - sent);
            Packet p = node.pool.alloc(n);
            for (int i = 0; i < n; i++) {
                p.buffer().put(p.offset() + i, (byte) (sent + i));
            }
            node.pool.length(p, n);
            int r = node.stack.tcpSend(conn, p, 0);
            if (r != Result.OK) {
                node.pool.free(p);
                return sent;
            }
            sent += n;
        }
        return sent;
    }

    private TestNet conversation(Path file, int features, double loss) throws Exception {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().isnKey(new byte[16]).build()), features);
        net.link.capture(PcapWriter.create(file, LinkType.ETHERNET));
        if (loss > 0) {
            net.link.hook(new FaultInjector(42).drop(loss));
        }
        Sink server = new Sink();
        Sink client = new Sink();
        assertEquals(Result.OK, net.b().stack.tcpListen(5001, 8, new TcpEvents<>() {
            @Override
            public Object onAccepted(Stack<Packet> s, int c) {
                sendPattern(net.b(), c, 20_000, 3000); // server talks back while it receives
                return null;
            }

            @Override
            public void onPayload(Stack<Packet> s, int c, Object a, Packet p, int off, int len) {
                server.onPayload(s, c, a, p, off, len);
            }

            @Override
            public void onRemoteShutdown(Stack<Packet> s, int c, Object a) {
                server.onRemoteShutdown(s, c, a);
            }
        }));
        int conn = net.a().stack.tcpConnect(B, 5001, 0, client, null);
        assertTrue(conn >= 0);
        net.pump();
        int total = 200_000;
        int sent = 0;
        for (int round = 0; round < 10_000 && sent < total; round++) {
            sent += sendPattern(net.a(), conn, total - sent, 1000 + round % 7 * 300);
            net.advance(1_000_000L);
        }
        assertEquals(total, sent);
        assertEquals(Result.OK, net.a().stack.tcpShutdownOutput(conn));
        for (int i = 0; i < 200 && (server.received < total || client.received < 20_000); i++) {
            net.advance(100_000_000L);
        }
        net.advance(5_000_000_000L);
        assertEquals(total, server.received);
        assertEquals(20_000, client.received);
        return net;
    }

    @ParameterizedTest(name = "features {0}")
    @ValueSource(ints = {0, NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER})
    void shouldCaptureACleanConversationWithoutExpertWarnings(int features) throws Exception {
        Path file = dir.resolve("tcp.pcap");
        TestNet net = conversation(file, features, 0);
        net.advance(120_000_000_000L); // TIME-WAIT over
        net.assertNoLeaks();
        Tshark.assume();
        assertEquals(List.of(), Tshark.problems(file));
        List<String> flags = Tshark.run(file, "-Y", "tcp.flags.syn == 1", "-T", "fields", "-e", "tcp.flags.str");
        assertEquals(2, flags.size(), "one SYN and one SYN-ACK: " + flags);
    }

    @Test
    void shouldCaptureALossyConversationWithOnlyLossRelatedWarnings() throws Exception {
        Path file = dir.resolve("lossy.pcap");
        TestNet net = conversation(file, 0, 0.02);
        net.advance(120_000_000_000L);
        net.assertNoLeaks();
        Tshark.assume();
        // Frames dropped before the capture point make tshark see gaps: those warnings are the scenario's point.
        Set<String> expected = Set.of("Previous segment(s) not captured (common at capture start)",
                "ACKed segment that wasn't captured (common at capture start)",
                "This frame is a (suspected) out-of-order segment",
                "This frame is a (suspected) retransmission", "This frame is a (suspected) fast retransmission",
                "This frame is a (suspected) spurious retransmission");
        List<String> unexpected = Tshark.problems(file).stream()
                .map(line -> line.substring(line.indexOf('\t') + 1))
                .flatMap(messages -> List.of(messages.split(",")).stream())
                .filter(m -> !expected.contains(m))
                .collect(Collectors.toList());
        assertEquals(List.of(), unexpected);
    }
}
