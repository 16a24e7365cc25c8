package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpInfo;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Repairing a hole of one or two lost segments, with frames arriving one per run: the sender's NewReno recovery
 * (RFC 6582) and the receiver's ACKs once the hole is filled and SACK blocks while it is open (RFC 2018 §4).
 *
 * <p>Regression: on a partial ACK the next hole was retransmitted with a length taken from the send queue before the
 * acknowledged bytes left it, so near the end of the data it reached past the queue and threw
 * ArrayIndexOutOfBoundsException out of {@code run} (found by jiip-sim's soak, e.g. seed 0xe9316fe9c2c04c2d; with
 * scatter-gather in clonePayload, seed 0x723bd128e303416d). And: {@code recover} was never initialised to the ISS
 * (RFC 6582 §3.2 step 1), so for the half of the ISNs above 2^31 (or after a slot's previous life) three duplicate ACKs
 * were ignored and every loss waited for the RTO. The ISN secrets below cover both halves.
 */
class TcpHoleRepairTest {

    /** Drops the listed data-carrying frames (counted from 1) sent by port 0 (node A). */
    static final class DropData implements FrameHook {
        private final Set<Integer> drop;
        private int count;

        DropData(Integer... which) {
            this.drop = Set.of(which);
        }

        @Override
        public int onFrame(int from, ByteBuffer buf, int off, int len) {
            int ip = off + 14;
            if (from != 0 || buf.getShort(off + 12) != 0x0800 || Ipv4Header.protocol(buf, ip) != Ipv4Header.PROTO_TCP) {
                return PASS;
            }
            int tcp = ip + Ipv4Header.headerLength(buf, ip);
            int thl = ((buf.get(tcp + 12) & 0xf0) >> 4) * 4;
            int payload = Ipv4Header.totalLength(buf, ip) - (tcp - ip) - thl;
            return payload > 0 && drop.contains(++count) ? DROP : PASS;
        }
    }

    /** Like {@code TestNet.pump}, but one frame per run, as when segments arrive spaced by a link's rate. */
    static void pumpOneByOne(TestNet net) {
        Packet[] rx = new Packet[1];
        for (int round = 0; round < 100_000; round++) {
            int n = 0;
            for (TestNet.Node node : net.nodes) {
                int got = node.port.poll(rx, 1);
                node.nextDeadline = node.stack.run(rx, got);
                n += got;
            }
            if (n == 0) {
                return;
            }
        }
        throw new AssertionError("link did not go quiet");
    }

    @Test
    void shouldRetransmitOnlyTheQueuedTailOnAPartialAck() {
        for (int run = 0; run < 8; run++) {
            int features = run % 2 == 0 ? 0 : NicFeatures.TX_SCATTER_GATHER;
            byte[] key = new byte[16];
            key[0] = (byte) run;
            TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().isnKey(key).build()), features);
            RecordingApp server = new RecordingApp(net);
            RecordingApp client = new RecordingApp(net);
            assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
            int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
            net.pump();
            net.a().stack.tcpNoDelay(conn, true);
            TcpInfo info = new TcpInfo();
            net.a().stack.tcpInfo(conn, info);
            int mss = info.mss;
            // Seven full segments and a short eighth; the first and the last are lost: the retransmission of the
            // first brings a partial ACK up to the last, of which only 500 bytes are queued.
            net.link.hook(new DropData(1, 8));
            StringBuilder sent = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                String text = String.valueOf((char) ('a' + i)).repeat(i < 7 ? mss : 500);
                sent.append(text);
                assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), text), 0));
            }
            pumpOneByOne(net);
            for (int t = 0; t < 20 && server.received.length() < sent.length(); t++) {
                net.clock.advance(300_000_000L);
                pumpOneByOne(net);
            }
            assertEquals(sent.toString(), server.received.toString());
            assertEquals(1, net.a().stack.stats().get(Counter.TCP_FAST_RETRANSMITS), "fast retransmits, run " + run);
            assertEquals(0, net.a().stack.stats().get(Counter.TCP_TIMEOUTS), "retransmission timeouts, run " + run);
            assertEquals(Result.OK, net.a().stack.tcpClose(conn));
            net.pump();
            assertEquals(Result.OK, net.b().stack.tcpClose(server.conn));
            net.pump();
            net.advance(61_000_000_000L);
            assertEquals("closed NORMAL", client.log.get(client.log.size() - 1));
            net.assertNoLeaks();
        }
    }

    /**
     * Regression: when a retransmission filled a hole, the receiver drained its out-of-order queue and the
     * application's {@code tcpRxConsumed} (called from {@code onPayload}) sent a window update after every second
     * segment, each with an intermediate acknowledgment number: a burst of partial ACKs that made the NewReno
     * sender retransmit data the receiver already held (found by jiip-sim's lossy-lfn: 3,500 retransmissions
     * for 112 losses).
     */
    @Test
    void shouldAcknowledgeAFilledHoleOnceAndRetransmitOnlyTheHole() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().isnKey(new byte[16]).build()), 0);
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        net.a().stack.tcpNoDelay(conn, true);
        TcpInfo info = new TcpInfo();
        net.a().stack.tcpInfo(conn, info);
        net.link.hook(new DropData(1));
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            String text = String.valueOf((char) ('a' + i)).repeat(info.mss);
            sent.append(text);
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), text), 0));
        }
        pumpOneByOne(net);
        for (int t = 0; t < 10 && server.received.length() < sent.length(); t++) {
            net.clock.advance(300_000_000L);
            pumpOneByOne(net);
        }
        assertEquals(sent.length(), server.received.length());
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_RETRANSMITS), "only the lost segment is resent");
        assertEquals(0, net.b().stack.stats().get(Counter.DROP_TCP_DUPLICATE), "no segment arrives twice");
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
    }

    /**
     * Regression: the duplicate ACK for an out-of-order segment was sent before the segment joined the
     * out-of-order queue, so its SACK blocks never covered it (RFC 2018 §4 wants it in the first block): every SACK
     * lagged one segment behind, and a sender with few segments in flight saw too few SACKed bytes to start
     * recovery, so it waited for the retransmission timeout (jiip's own sender, at 5 % loss: twice the time).
     */
    @Test
    void shouldSackTheSegmentThatTriggeredTheDuplicateAck() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().isnKey(new byte[16]).build()), 0);
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, new RecordingApp(net), null);
        net.pump();
        net.a().stack.tcpNoDelay(conn, true);
        TcpInfo info = new TcpInfo();
        net.a().stack.tcpInfo(conn, info);
        // Record the SACK blocks of B's ACKs, then drop A's first data segment.
        DropData dropFirst = new DropData(1);
        List<String> firstBlocks = new ArrayList<>();
        int[] dataStart = {0};
        net.link.hook((from, buf, off, len) -> {
            int ip = off + 14;
            int tcp = ip + Ipv4Header.headerLength(buf, ip);
            int thl = TcpHeader.headerLength(buf, tcp);
            if (from == 0 && dataStart[0] == 0 && Ipv4Header.totalLength(buf, ip) > (tcp - ip) + thl) {
                dataStart[0] = buf.getInt(tcp + 4);
            }
            if (from == 1) {
                TcpOptions o = new TcpOptions();
                o.parse(buf, tcp + TcpHeader.MIN_LENGTH, thl - TcpHeader.MIN_LENGTH);
                if (o.sackBlocks > 0) {
                    firstBlocks.add((o.sackLeft[0] - dataStart[0]) + ".." + (o.sackRight[0] - dataStart[0]));
                }
            }
            return dropFirst.onFrame(from, buf, off, len);
        });
        int mss = info.mss;
        for (int i = 0; i < 3; i++) {
            String text = String.valueOf((char) ('a' + i)).repeat(mss);
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), text), 0));
        }
        pumpOneByOne(net);
        assertEquals(List.of(mss + ".." + 2 * mss, mss + ".." + 3 * mss), firstBlocks,
                "the first block of each duplicate ACK covers the segment that triggered it");
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
    }
}
