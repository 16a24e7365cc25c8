package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpState;
import io.jiip.link.Packet;
import io.jiip.testkit.TestNet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpBasicsTest {
    /** Records events of one side, with the attachments, and echoes when asked to. */
    private static final class Recorder implements TcpEvents<Packet> {
        final List<String> log = new ArrayList<>();
        final StringBuilder received = new StringBuilder();
        int connection = -1;
        boolean echo;

        @Override
        public Object onAccepted(Stack<Packet> stack, int conn) {
            connection = conn;
            log.add("accepted");
            return "server-attachment";
        }

        @Override
        public Object onConnected(Stack<Packet> stack, int conn, Object attachment) {
            log.add("connected " + attachment);
            return attachment;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                int length) {
            byte[] b = new byte[length];
            packet.buffer().get(offset, b);
            received.append(new String(b, StandardCharsets.UTF_8));
            stack.tcpRxConsumed(conn, length);
            if (echo) {
                Packet reply = stack.packetOps().clone(packet);
                stack.packetOps().trimHead(reply, offset - reply.offset());
                stack.packetOps().length(reply, length);
                assertEquals(Result.OK, stack.tcpSend(conn, reply, 0));
            }
        }

        @Override
        public void onRemoteShutdown(Stack<Packet> stack, int conn, Object attachment) {
            log.add("remote-shutdown");
        }

        @Override
        public void onClosed(Stack<Packet> stack, int conn, Object attachment, int reason) {
            log.add("closed " + reason);
        }
    }

    @Test
    void shouldHandshakeEchoAndCloseBothWays() {
        TestNet net = TestNet.twoNodes();
        Recorder server = new Recorder();
        server.echo = true;
        Recorder client = new Recorder();
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, "client-attachment");
        assertTrue(conn >= 0, Result.name(conn));
        net.pump();
        assertEquals(List.of("connected client-attachment"), client.log);
        assertEquals(List.of("accepted"), server.log);
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(conn));

        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), "hello, "), 0));
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), "tcp"), 0));
        net.pump();
        net.advance(50_000_000L);
        assertEquals("hello, tcp", server.received.toString());
        assertEquals("hello, tcp", client.received.toString());

        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        assertEquals(List.of("accepted", "remote-shutdown"), server.log);
        assertEquals(Result.OK, net.b().stack.tcpClose(server.connection));
        net.pump();
        assertEquals(List.of("accepted", "remote-shutdown", "closed " + TcpCloseReason.NORMAL), server.log);
        assertEquals("closed " + TcpCloseReason.NORMAL, client.log.get(client.log.size() - 1));
        assertNull(net.a().stack.tcpState(conn));
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(1, net.a().stack.tcpTimeWaitCount()); // TIME-WAIT on the active closer
        net.advance(61_000_000_000L);
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        assertEquals(0, net.b().stack.tcpConnectionCount());
        System.out.println(net.a().stack.stats());
        System.out.println(net.b().stack.stats());
        net.assertNoLeaks();
    }
}
