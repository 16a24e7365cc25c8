package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.testkit.Frames;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Checksum;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.10.7.1 and §3.10.7.2: segments for no connection. Regression: the ACK flag was tested with
 * {@code TcpHeader.Offset.ACK_NUMBER} (the offset of the acknowledgment field, 8, i.e. the PSH bit), so a bare ACK
 * to a closed port got a RST with sequence number 0, which the peer must ignore; a connection whose peer had
 * aborted (its RST lost) could never learn it (found by jiip-sim's soak: seed 0x18a39e3eb3190b45, an abort_client
 * flow whose server kept probing for hours). A SYN-ACK without PSH to a listening port was also taken for a new SYN,
 * and took over a TIME-WAIT. And every RST built outside a connection (closed port, abort) had a TCP checksum over
 * the pseudo-header only when the NIC does not checksum, so it was dropped by the peer.
 */
class TcpNoConnectionTest {
    private static final int SEQ = 0x1000_0000;
    private static final int ACK = 0x2000_0000;

    /** A TCP segment from A:srcPort to B:dstPort with the given flags, checksum correct. */
    static byte[] segment(int srcPort, int dstPort, int seq, int ack, int flags) {
        byte[] tcp = new byte[TcpHeader.MIN_LENGTH];
        ByteBuffer b = ByteBuffer.wrap(tcp);
        TcpHeader.write(b, 0, srcPort, dstPort, seq, ack, TcpHeader.MIN_LENGTH, flags, 65535);
        long acc = Checksum.pseudoHeader(Frames.A_IP, Frames.B_IP, Ipv4Header.PROTO_TCP, tcp.length);
        TcpHeader.checksum(b, 0, Checksum.finish(Checksum.add(acc, b, 0, tcp.length)));
        return Frames.ipv4(Ipv4Header.PROTO_TCP, tcp).build();
    }

    /** The TCP segments waiting in A's receive queue (taken out and freed): {flags, seq, ack} each. */
    private static List<int[]> replies(TestNet net) {
        List<int[]> out = new ArrayList<>();
        Packet[] rx = new Packet[64];
        int n = net.a().port.poll(rx, rx.length);
        for (int i = 0; i < n; i++) {
            ByteBuffer buf = rx[i].buffer();
            int ip = rx[i].offset() + 14;
            if (buf.getShort(rx[i].offset() + 12) == 0x0800 && Ipv4Header.protocol(buf, ip) == Ipv4Header.PROTO_TCP) {
                int tcp = ip + Ipv4Header.headerLength(buf, ip);
                out.add(new int[] {TcpHeader.flags(buf, tcp), TcpHeader.seq(buf, tcp), TcpHeader.ack(buf, tcp)});
            }
            net.a().pool.free(rx[i]);
        }
        return out;
    }

    /** The last TCP segment B sent to A, {flags, seq, ack}; null if none. */
    private static int[] reply(TestNet net) {
        List<int[]> all = replies(net);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    private static TestNet resolvedNet() {
        TestNet net = TestNet.twoNodes();
        net.a().stack.arpRequest(B); // so that B knows A's MAC and answers without ARP
        net.pump();
        return net;
    }

    @Test
    void shouldAnswerABareAckToAClosedPortWithItsAckNumber() {
        TestNet net = resolvedNet();
        Frames.inject(net.b(), segment(40000, 9999, SEQ, ACK, TcpHeader.FLAG_ACK));
        int[] r = reply(net);
        assertEquals(TcpHeader.FLAG_RST, r[0], "flags of the reply");
        assertEquals(ACK, r[1], "a RST answering an ACK carries SEG.ACK as its sequence number");
        net.assertNoLeaks();
    }

    @Test
    void shouldAnswerASegmentWithoutAckWithRstAck() {
        TestNet net = resolvedNet();
        Frames.inject(net.b(), segment(40000, 9999, SEQ, 0, TcpHeader.FLAG_PSH));
        int[] r = reply(net);
        assertEquals(TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, r[0]);
        assertEquals(0, r[1]);
        assertEquals(SEQ, r[2]);
        net.assertNoLeaks();
    }

    @Test
    void shouldRefuseASynAckToAListeningPort() {
        TestNet net = resolvedNet();
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, new TcpEvents<Packet>() {
            @Override
            public boolean onAccept(Stack<Packet> stack, int localPort, int remoteIp, int remotePort) {
                throw new AssertionError("a SYN-ACK is not a connection request");
            }
        }));
        Frames.inject(net.b(), segment(40000, 80, SEQ, ACK, TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
        assertEquals(0, net.b().stack.tcpConnectionCount());
        int[] r = reply(net);
        assertTrue(r != null && r[0] == TcpHeader.FLAG_RST && r[1] == ACK, "expected RST seq=SEG.ACK");
        net.assertNoLeaks();
    }

    @Test
    void shouldAnswerSynAckToListenerWithResetAtItsAckNumber() {
        TestNet net = TestNet.twoNodes();
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, new RecordingApp(net)));
        Frames.inject(net.b(), segment(40000, 80, 1000, 5000, TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
        assertEquals(0, net.b().stack.tcpConnectionCount(), "a SYN-ACK opens nothing on a listening port");
        assertEquals(0, net.b().stack.stats().get(Counter.TCP_PASSIVE_OPENS));
        List<int[]> replies = replies(net);
        assertEquals(1, replies.size());
        assertEquals(5000, replies.get(0)[1], "RST at SEG.ACK (RFC 9293 §3.10.7.2)");
        assertEquals(TcpHeader.FLAG_RST, replies.get(0)[0]);
        net.assertNoLeaks();
    }

    @Test
    void shouldResetHalfOpenPeerWhenConnectIsAbandoned() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        assertEquals(Result.OK, net.a().stack.arpRequest(B));
        net.pump();
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        assertTrue(conn >= 0);
        assertEquals(Result.OK, net.a().stack.tcpClose(conn)); // SYN already sent: the TCB goes at once
        assertEquals(List.of("closed ABORTED"), client.log);
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
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        assertEquals(List.of("accepted"), server.log);
        assertEquals(Result.OK, net.a().stack.tcpAbort(conn));
        net.pump();
        assertEquals(0, net.b().stack.stats().get(Counter.DROP_TCP_BAD_CHECKSUM));
        assertEquals(List.of("accepted", "closed RESET_BY_PEER"), server.log);
        assertEquals(0, net.b().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldKeepTimeWaitWhenSynAckArrives() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, 40000, client, null);
        net.pump();
        assertEquals(Result.OK, net.b().stack.tcpClose(server.conn)); // B closes first: B keeps TIME-WAIT
        net.pump();
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        assertEquals("closed NORMAL", server.log.get(server.log.size() - 1));
        assertEquals(1, net.b().stack.tcpTimeWaitCount());
        long opens = net.b().stack.stats().get(Counter.TCP_PASSIVE_OPENS);

        Frames.inject(net.b(), segment(40000, 80, 0x40000000, 0,
                TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK));
        assertEquals(opens, net.b().stack.stats().get(Counter.TCP_PASSIVE_OPENS), "no new incarnation from a SYN-ACK");
        assertEquals(1, net.b().stack.tcpTimeWaitCount(), "TIME-WAIT kept");
        assertEquals(0, net.b().stack.tcpConnectionCount());
        assertTrue(replies(net).stream().noneMatch(s -> (s[0] & TcpHeader.FLAG_SYN) != 0), "no SYN-ACK in reply");
        assertEquals(null, net.b().stack.tcpState(server.conn));
        net.assertNoLeaks();
    }

    @Test
    void shouldStillAcceptPlainSyn() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        Frames.inject(net.b(), segment(40000, 80, 1000, 0, TcpHeader.FLAG_SYN));
        assertEquals(1, net.b().stack.tcpConnectionCount());
        List<int[]> replies = replies(net);
        assertEquals(1, replies.size());
        assertEquals(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, replies.get(0)[0]);
        assertEquals(1001, replies.get(0)[2]);
        net.assertNoLeaks();
    }
}
