package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpInfo;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TestNet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Flow control. Regression: when the peer's window was open but smaller than an MSS and than half its largest
 * window, sender SWS avoidance held the data back with nothing in flight and no timer armed; if the peer's window
 * update was then lost, the connection stalled for ever (found by jiip-sim's soak, seed 0x60c1dfd20ddd7cd6: a
 * slow reader's two window updates were corrupted on the wire). RFC 1122 §4.2.3.4 asks for an override timeout:
 * the persist timer now covers this case too.
 */
class TcpWindowTest {

    /** Receives without consuming until told to. */
    static final class LazyReader implements TcpEvents<Packet> {
        final StringBuilder received = new StringBuilder();
        int connection = -1;
        int unconsumed;

        @Override
        public Object onAccepted(Stack<Packet> stack, int conn) {
            connection = conn;
            return null;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                int length) {
            byte[] b = new byte[length];
            packet.buffer().get(offset, b);
            received.append(new String(b, StandardCharsets.US_ASCII));
            unconsumed += length;
        }
    }

    /** Drops the next {@code n} frames sent by port 1 (node B) once armed. */
    static final class DropFromB implements FrameHook {
        int armed;

        @Override
        public int onFrame(int from, ByteBuffer buf, int off, int len) {
            if (from == 1 && armed > 0) {
                armed--;
                return DROP;
            }
            return PASS;
        }
    }

    @Test
    void shouldProbeASmallWindowWhenTheWindowUpdateIsLost() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().receiveBuffer(4096)
                .delayedAck(false).build()), 0);
        DropFromB drop = new DropFromB();
        net.link.hook(drop);
        LazyReader server = new LazyReader();
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        String data = "x".repeat(3000) + "y".repeat(3000);
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), data.substring(0, 1500)), 0));
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), data.substring(1500, 3000)), 0));
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), data.substring(3000, 4500)), 0));
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), data.substring(4500)), 0));
        net.pump();
        // B's window is nearly full and less than an MSS (and half its buffer) remains: A holds back, idle.
        int held = server.received.length();
        assertEquals(true, held < data.length() && held > 2048, "received " + held);
        drop.armed = 1; // the window update B sends when its reader catches up is lost
        net.b().stack.tcpRxConsumed(server.connection, server.unconsumed);
        server.unconsumed = 0;
        net.pump();
        for (int i = 0; i < 60 && server.received.length() < data.length(); i++) {
            net.advance(500_000_000L);
            net.b().stack.tcpRxConsumed(server.connection, server.unconsumed);
            server.unconsumed = 0;
            net.pump();
        }
        assertEquals(data.length(), server.received.length(), "bytes received");
        assertEquals(true, data.contentEquals(server.received), "content");
        net.assertNoLeaks();
    }

    /**
     * RFC 9438 §5.8 / RFC 7661: a request-response connection never fills its window, so its ACKs do not grow it;
     * before, every ACK of slow start added its bytes and a long-lived RPC connection reached a window far beyond
     * anything the path was ever shown to carry, for its first bulk transfer to burst out. A bulk transfer on the
     * same kind of connection still grows its window.
     */
    @Test
    void shouldNotGrowTheWindowOfAnApplicationLimitedConnection() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().nagle(false).build()), 0);
        RecordingApp server = new RecordingApp(net);
        server.echo = true;
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        TcpInfo info = new TcpInfo();
        assertEquals(Result.OK, net.a().stack.tcpInfo(conn, info));
        int initial = info.cwnd;
        for (int i = 0; i < 200; i++) {
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), "ping " + i), 0));
            net.pump();
        }
        assertEquals(200, client.received.toString().split("ping").length - 1, "every request answered");
        assertEquals(Result.OK, net.a().stack.tcpInfo(conn, info));
        assertEquals(initial, info.cwnd, "200 round trips of a few bytes each left the window as it was");

        for (int i = 0; i < 64; i++) { // now a bulk transfer: the window limits it, and grows
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), "x".repeat(1400)), 0));
        }
        net.pump();
        assertEquals(Result.OK, net.a().stack.tcpInfo(conn, info));
        assertEquals(true, info.cwnd > initial, "bulk grew the window: " + info.cwnd + " vs " + initial);
    }
}
