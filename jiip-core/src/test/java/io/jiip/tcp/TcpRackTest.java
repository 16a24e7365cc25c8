package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.TcpConfig;
import io.jiip.link.FrameHook;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The D-SACK blocks (RFC 2883) that let a sender see its needless retransmissions (RFC 8985 §6.2 step 4). */
class TcpRackTest {
    private static final int B = Ipv4Address.parse(TestNet.B_IP);

    /** The TCP header offset of an Ethernet/IPv4/TCP frame, or -1. */
    static int tcpOffset(ByteBuffer buf, int off) {
        int ip = off + 14;
        if (buf.getShort(off + 12) != 0x0800 || Ipv4Header.protocol(buf, ip) != Ipv4Header.PROTO_TCP) {
            return -1;
        }
        return ip + Ipv4Header.headerLength(buf, ip);
    }

    /** Payload bytes of a TCP frame at {@code tcp}. */
    static int payload(ByteBuffer buf, int off, int tcp) {
        return Ipv4Header.totalLength(buf, off + 14) - (tcp - off - 14) - TcpHeader.headerLength(buf, tcp);
    }

    /** RFC 2883: a segment received twice is reported once, in the first SACK block of the next ACK. */
    @Test
    void shouldReportDuplicateDataInADsackBlock() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().isnKey(new byte[16]).build()), 0);
        TcpBasicsTest.Recorder server = new TcpBasicsTest.Recorder();
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, new TcpBasicsTest.Recorder(), null);
        net.pump();
        net.a().stack.tcpNoDelay(conn, true);
        int[] dataFrames = {0};
        int[] duplicated = new int[2];
        List<String> acks = new ArrayList<>();
        net.link.hook((from, buf, off, len) -> {
            int tcp = tcpOffset(buf, off);
            if (tcp < 0) {
                return FrameHook.PASS;
            }
            if (from == 0 && payload(buf, off, tcp) > 0 && ++dataFrames[0] == 2) {
                duplicated[0] = buf.getInt(tcp + 4);
                duplicated[1] = duplicated[0] + payload(buf, off, tcp);
                return FrameHook.DUPLICATE;
            }
            if (from == 1) {
                TcpOptions o = new TcpOptions();
                int thl = TcpHeader.headerLength(buf, tcp);
                o.parse(buf, tcp + TcpHeader.MIN_LENGTH, thl - TcpHeader.MIN_LENGTH);
                int ack = buf.getInt(tcp + 8);
                acks.add(o.sackBlocks == 0 ? "ack" : "ack dsack " + (o.sackLeft[0] - duplicated[0]) + ".."
                        + (o.sackRight[0] - duplicated[0]) + (Seq.le(o.sackRight[0], ack) ? " below ack" : ""));
            }
            return FrameHook.PASS;
        });
        for (int i = 0; i < 3; i++) {
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, TcpBasicsTest.payload(net.a(), "x".repeat(100)), 0));
            net.pump();
        }
        net.advance(100_000_000L);
        int dupLen = duplicated[1] - duplicated[0];
        assertEquals(1, acks.stream().filter(a -> a.startsWith("ack dsack")).count(), acks.toString());
        assertTrue(acks.contains("ack dsack 0.." + dupLen + " below ack"), acks.toString());
        assertEquals(1, net.b().stack.stats().get(Counter.DROP_TCP_DUPLICATE));
        assertEquals("x".repeat(300), server.received.toString());
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
    }
}
