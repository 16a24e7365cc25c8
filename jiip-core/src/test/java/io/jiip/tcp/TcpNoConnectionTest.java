package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.testkit.Frames;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Checksum;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * RFC 9293 §3.10.7.1 and §3.10.7.2: segments for no connection. Regression: the ACK flag was tested with
 * {@code TcpHeader.Offset.ACK_NUMBER} (the offset of the acknowledgment field, 8, i.e. the PSH bit), so a bare ACK
 * to a closed port got a RST with sequence number 0, which the peer must ignore; a connection whose peer had
 * aborted (its RST lost) could never learn it (found by jiip-sim's soak: seed 0x18a39e3eb3190b45, an abort_client
 * flow whose server kept probing for hours). A SYN-ACK without PSH to a listening port was also taken for a new SYN.
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

    /** The one TCP segment B sent to A: {flags, seq, ack}. */
    private static int[] reply(TestNet net) {
        Packet[] rx = new Packet[8];
        int n = net.a().port.poll(rx, rx.length);
        int[] out = null;
        for (int i = 0; i < n; i++) {
            ByteBuffer buf = rx[i].buffer();
            int ip = rx[i].offset() + 14;
            if (buf.getShort(rx[i].offset() + 12) == 0x0800 && Ipv4Header.protocol(buf, ip) == Ipv4Header.PROTO_TCP) {
                int tcp = ip + Ipv4Header.headerLength(buf, ip);
                out = new int[] {TcpHeader.flags(buf, tcp), TcpHeader.seq(buf, tcp), TcpHeader.ack(buf, tcp)};
            }
            net.a().pool.free(rx[i]);
        }
        return out;
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
}
