package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.testkit.Frames;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.TcpHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regressions of the connection-less segment paths. Segments that carry ACK but not PSH were taken for segments without
 * ACK where the listener and closed-port paths test the flag (they tested the field offset
 * {@code TcpHeader.Offset.ACK_NUMBER}, 8, i.e. PSH): a SYN-ACK opened a connection on a listening port or took over a
 * TIME-WAIT, and stray ACKs were answered with a RST at sequence 0 that the peer must ignore (RFC 5961). And every RST
 * built outside a connection (closed port, abort) had a TCP checksum over the pseudo-header only when the NIC does not
 * checksum, so it was dropped by the peer.
 */
class TcpRegressionTest {
    static final int LISTEN_PORT = 80;
    static final int CLIENT_PORT = 40000;

    static final class Events implements TcpEvents<Packet> {
        final List<String> log = new ArrayList<>();
        int connection = -1;

        @Override
        public Object onAccepted(Stack<Packet> stack, int conn) {
            connection = conn;
            log.add("accepted");
            return null;
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

    /** A bare TCP segment A -> B (no options), checksum correct. */
    static byte[] segment(int srcPort, int dstPort, int seq, int ack, int flags) {
        byte[] t = new byte[TcpHeader.MIN_LENGTH];
        ByteBuffer b = ByteBuffer.wrap(t);
        TcpHeader.write(b, 0, srcPort, dstPort, seq, ack, TcpHeader.MIN_LENGTH, flags, 65535);
        long acc = Checksum.add(Checksum.pseudoHeader(Frames.A_IP, Frames.B_IP, 6, t.length), b, 0, t.length);
        TcpHeader.checksum(b, 0, Checksum.finish(acc));
        return Frames.ipv4(6, t).build();
    }

    /** The TCP segments waiting in A's receive queue (taken out and freed): {seq, ack, flags}. */
    static List<int[]> segmentsToA(TestNet net) {
        List<int[]> out = new ArrayList<>();
        Packet[] rx = new Packet[64];
        int n = net.a().port.poll(rx, rx.length);
        for (int i = 0; i < n; i++) {
            ByteBuffer buf = rx[i].buffer();
            int ip = rx[i].offset() + 14;
            if (Bytes.u16(buf, rx[i].offset() + 12) == 0x0800 && Bytes.u8(buf, ip + 9) == 6) {
                int t = ip + (Bytes.u8(buf, ip) & 0xf) * 4;
                out.add(new int[] {TcpHeader.seq(buf, t), TcpHeader.ack(buf, t), TcpHeader.flags(buf, t)});
            }
            net.a().pool.free(rx[i]);
        }
        return out;
    }

    @Test
    void shouldAnswerSynAckToListenerWithResetAtItsAckNumber() {
        TestNet net = TestNet.twoNodes();
        assertEquals(Result.OK, net.b().stack.tcpListen(LISTEN_PORT, 16, new Events()));
        Frames.inject(net.b(), segment(CLIENT_PORT, LISTEN_PORT, 1000, 5000, TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
        assertEquals(0, net.b().stack.tcpConnectionCount(), "a SYN-ACK opens nothing on a listening port");
        assertEquals(0, net.b().stack.stats().get(Counter.TCP_PASSIVE_OPENS));
        List<int[]> replies = segmentsToA(net);
        assertEquals(1, replies.size());
        assertEquals(5000, replies.get(0)[0], "RST at SEG.ACK (RFC 9293 §3.10.7.2)");
        assertEquals(TcpHeader.FLAG_RST, replies.get(0)[2]);
        net.assertNoLeaks();
    }

    @Test
    void shouldResetHalfOpenPeerWhenConnectIsAbandoned() {
        TestNet net = TestNet.twoNodes();
        Events server = new Events();
        Events client = new Events();
        assertEquals(Result.OK, net.b().stack.tcpListen(LISTEN_PORT, 16, server));
        assertEquals(Result.OK, net.a().stack.arpRequest(Frames.B_IP));
        net.pump();
        int conn = net.a().stack.tcpConnect(Frames.B_IP, LISTEN_PORT, 0, client, null);
        assertTrue(conn >= 0);
        assertEquals(Result.OK, net.a().stack.tcpClose(conn)); // SYN already sent: the TCB goes at once
        assertEquals(List.of("closed " + TcpCloseReason.ABORTED), client.log);
        net.pump();
        // B's SYN-ACK met no connection; A's RST must carry SEG.ACK as its sequence number to be accepted.
        assertEquals(1, net.b().stack.stats().get(Counter.TCP_RESETS_RX));
        assertEquals(0, net.b().stack.tcpConnectionCount(), "the half-open connection is gone without a timeout");
        net.assertNoLeaks();
    }

    /** A RST built outside a connection had its checksum computed over the pseudo-header only (no TX offload). */
    @Test
    void shouldResetPeerOnAbortWithValidChecksum() {
        TestNet net = TestNet.twoNodes();
        Events server = new Events();
        Events client = new Events();
        assertEquals(Result.OK, net.b().stack.tcpListen(LISTEN_PORT, 16, server));
        int conn = net.a().stack.tcpConnect(Frames.B_IP, LISTEN_PORT, 0, client, null);
        net.pump();
        assertEquals(List.of("accepted"), server.log);
        assertEquals(Result.OK, net.a().stack.tcpAbort(conn));
        net.pump();
        assertEquals(0, net.b().stack.stats().get(Counter.DROP_TCP_BAD_CHECKSUM));
        assertEquals(List.of("accepted", "closed " + TcpCloseReason.RESET_BY_PEER), server.log);
        assertEquals(0, net.b().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldKeepTimeWaitWhenSynAckArrives() {
        TestNet net = TestNet.twoNodes();
        Events server = new Events();
        Events client = new Events();
        assertEquals(Result.OK, net.b().stack.tcpListen(LISTEN_PORT, 16, server));
        int conn = net.a().stack.tcpConnect(Frames.B_IP, LISTEN_PORT, CLIENT_PORT, client, null);
        net.pump();
        assertEquals(Result.OK, net.b().stack.tcpClose(server.connection)); // B closes first: B keeps TIME-WAIT
        net.pump();
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        assertEquals("closed " + TcpCloseReason.NORMAL, server.log.get(server.log.size() - 1));
        assertEquals(1, net.b().stack.tcpTimeWaitCount());
        long opens = net.b().stack.stats().get(Counter.TCP_PASSIVE_OPENS);

        Frames.inject(net.b(), segment(CLIENT_PORT, LISTEN_PORT, 0x40000000, 0,
                TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
        assertEquals(opens, net.b().stack.stats().get(Counter.TCP_PASSIVE_OPENS), "no new incarnation from a SYN-ACK");
        assertEquals(1, net.b().stack.tcpTimeWaitCount(), "TIME-WAIT kept");
        assertEquals(0, net.b().stack.tcpConnectionCount());
        assertTrue(segmentsToA(net).stream().noneMatch(s -> (s[2] & TcpHeader.FLAG_SYN) != 0), "no SYN-ACK in reply");
        assertEquals(null, net.b().stack.tcpState(server.connection));
        net.assertNoLeaks();
    }

    @Test
    void shouldStillAcceptPlainSyn() {
        TestNet net = TestNet.twoNodes();
        Events server = new Events();
        assertEquals(Result.OK, net.b().stack.tcpListen(LISTEN_PORT, 16, server));
        Frames.inject(net.b(), segment(CLIENT_PORT, LISTEN_PORT, 1000, 0, TcpHeader.FLAG_SYN));
        assertEquals(1, net.b().stack.tcpConnectionCount());
        List<int[]> replies = segmentsToA(net);
        assertEquals(1, replies.size());
        assertEquals(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, replies.get(0)[2]);
        assertEquals(1001, replies.get(0)[1]);
        net.assertNoLeaks();
    }
}
