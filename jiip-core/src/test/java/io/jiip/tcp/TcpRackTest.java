package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.MS;
import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpFixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.TcpConfig;
import io.jiip.link.FaultInjector;
import io.jiip.link.FrameHook;
import io.jiip.testkit.ByteStream;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpFixtures;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RACK (RFC 8985 §6) end to end: a lost retransmission repaired without a retransmission timeout, reordering
 * tolerated once seen, and the D-SACK blocks (RFC 2883) that tell a sender of its needless retransmissions.
 * Always byte-exact (SHA-256 of the stream at both ends).
 */
class TcpRackTest {
    /** Outcome of one transfer. */
    record Run(long retransmits, long timeouts, long fastRetransmits, boolean exact) {
    }

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

    /** Drops the {@code nth} data segment node A sends, and then its first retransmission too. */
    static final class DropSegmentTwice implements FrameHook {
        private final int nth;
        private int count;
        private int target;
        int drops;

        DropSegmentTwice(int nth) {
            this.nth = nth;
        }

        @Override
        public int onFrame(int from, ByteBuffer buf, int off, int len) {
            int tcp = tcpOffset(buf, off);
            if (from != 0 || tcp < 0 || payload(buf, off, tcp) == 0) {
                return PASS;
            }
            int seq = buf.getInt(tcp + 4);
            if (++count == nth) {
                target = seq;
            }
            if (count >= nth && seq == target && drops < 2) {
                drops++;
                return DROP;
            }
            return PASS;
        }
    }

    static Run transfer(boolean rack, FrameHook hook, long seed, int bytes) {
        TcpConfig tcp = TcpConfig.builder().rack(rack).congestionControl(CongestionAlgorithm.CUBIC)
                .isnKey(new byte[16]).build();
        TestNet net = TestNet.twoNodes(b -> b.tcp(tcp), 0);
        net.link.hook(hook);
        ByteStream stream = new ByteStream(seed, bytes, 1000, 1999);
        int conn = stream.sendFromA(net, 9000, 200_000);
        var stats = net.a().stack.stats();
        Run run = new Run(stats.get(Counter.TCP_RETRANSMITS), stats.get(Counter.TCP_TIMEOUTS),
                stats.get(Counter.TCP_FAST_RETRANSMITS), stream.exact());
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
        return run;
    }

    /**
     * RFC 8985's main gain over RFC 6675: the retransmission of a lost segment is lost as well. Its new
     * transmission time makes RACK mark it lost again once data sent after it is SACKed, so fast recovery repairs
     * it; with DupThresh only a retransmission timeout can.
     */
    @Test
    void shouldRepairALostRetransmissionWithoutATimeout() {
        DropSegmentTwice withRackDrops = new DropSegmentTwice(100);
        Run withRack = transfer(true, withRackDrops, 7, 1_000_000);
        DropSegmentTwice withoutRackDrops = new DropSegmentTwice(100);
        Run withoutRack = transfer(false, withoutRackDrops, 7, 1_000_000);
        assertTrue(withRack.exact() && withoutRack.exact(), withRack + " / " + withoutRack);
        assertEquals(2, withRackDrops.drops);
        assertEquals(2, withoutRackDrops.drops);
        assertEquals(0, withRack.timeouts(), "RACK: " + withRack);
        assertEquals(1, withRack.fastRetransmits(), "RACK: one recovery repairs both losses; " + withRack);
        assertEquals(2, withRack.retransmits(), "RACK: the segment twice, nothing else; " + withRack);
        assertEquals(1, withoutRack.timeouts(), "DupThresh: " + withoutRack);
    }

    /** Random loss both ways (5 %), several seeds: byte-exact, and RACK needs fewer timeouts. */
    @Test
    void shouldNeedFewerTimeoutsWithRackUnderRandomLoss() {
        long withRack = 0;
        long without = 0;
        for (long seed = 1; seed <= 3; seed++) {
            Run r = transfer(true, new FaultInjector(seed).drop(0.05), seed, 2_000_000);
            Run n = transfer(false, new FaultInjector(seed).drop(0.05), seed, 2_000_000);
            assertTrue(r.exact() && n.exact(), "seed " + seed + ": " + r + " / " + n);
            withRack += r.timeouts();
            without += n.timeouts();
        }
        System.out.printf("retransmission timeouts at 5 %% loss, seeds 1..3: RACK %d, DupThresh %d%n", withRack,
                without);
        assertTrue(withRack < without, "RACK " + withRack + " vs DupThresh " + without);
    }

    /**
     * Reordering without loss, over 5 ms each way at 100 Mbit/s (a segment every 0.12 ms): the 20th new segment
     * from A is held 0.3 ms, so that two segments overtake it; then one new segment in 40 is held 1 ms, and up to
     * eight do. DupThresh needlessly retransmits each late segment that three overtake (three duplicate ACKs).
     * RACK sees the first late segment, never retransmitted, delivered below RACK.fack (RFC 8985 §6.2 step 3), and
     * from then on waits a quarter of the minimum RTT (2.5 ms) before deeming anything lost, however many segments
     * overtook it: no retransmission at all. (With 2 ms of delay the margin is thinner than the variation of the
     * queueing delay at the 100 Mbit/s bottleneck, and one late segment in 70 is retransmitted.)
     */
    @Test
    void shouldNotRetransmitReorderedSegmentsOnceReorderingWasSeen() {
        long[] withRack = reorderedTransfer(true);
        long[] without = reorderedTransfer(false);
        System.out.printf("retransmissions of late segments: RACK %d, DupThresh %d (of %d late)%n", withRack[0],
                without[0], without[1]);
        assertTrue(without[1] >= 40, "late segments: " + without[1]);
        assertTrue(without[0] >= 20, "DupThresh: each late segment that three overtake is retransmitted; "
                + without[0]);
        assertEquals(0, withRack[0], "RACK: the window covers the delay");
    }

    /** Returns the retransmissions of the sender and the number of segments held back. */
    private static long[] reorderedTransfer(boolean rack) {
        TcpTransferTest.Pair p = new TcpTransferTest.Pair(TcpTransferTest.tcp().rack(rack).build(),
                5 * MS, 100_000_000L, 0);
        int[] highest = {0};
        boolean[] started = {false};
        int[] segments = {0};
        long[] held = {0};
        p.line.extraDelay((toNode, frame) -> {
            ByteBuffer buf = frame.buffer();
            int off = frame.offset();
            int tcp = tcpOffset(buf, off);
            if (toNode != 1 || tcp < 0 || payload(buf, off, tcp) == 0) {
                return 0;
            }
            int seq = buf.getInt(tcp + 4);
            if (started[0] && !Seq.gt(seq, highest[0])) {
                return 0; // a retransmission
            }
            started[0] = true;
            highest[0] = seq;
            int n = ++segments[0];
            if (n == 20) {
                held[0]++;
                return 300 * TcpTransferTest.US;
            }
            if (n > 20 && n % 40 == 20) {
                held[0]++;
                return MS;
            }
            return 0;
        });
        p.a.send(4 * TcpTransferTest.MIB, 21);
        p.a.closeWhenQueued = true;
        p.connect();
        p.runToClose(600 * SECOND);
        p.assertExactAndClosed();
        assertEquals(0, p.a.count(Counter.TCP_TIMEOUTS), "no loss, no timeout");
        long retransmits = p.a.count(Counter.TCP_RETRANSMITS);
        p.line.assertNoLeaks();
        return new long[] {retransmits, held[0]};
    }

    /** RFC 2883: a segment received twice is reported once, in the first SACK block of the next ACK. */
    @Test
    void shouldReportDuplicateDataInADsackBlock() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().isnKey(new byte[16]).build()), 0);
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, new RecordingApp(net), null);
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
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, TcpFixtures.payload(net.a(), "x".repeat(100)), 0));
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
