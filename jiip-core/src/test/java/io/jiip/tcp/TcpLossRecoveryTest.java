package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.MS;
import static io.jiip.testkit.TcpPeer.ACK;
import static io.jiip.testkit.TcpPeer.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpSendFlags;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Ipv4Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery against a scripted peer, the cases a real link showed (Linux over a lossy TAP): a tail loss probe
 * that covers only part of an application packet, the recovery after a retransmission timeout (SACK state kept,
 * RACK's marks retransmitted, a lost retransmission caught without a second timeout, a reneging receiver), the
 * probe timeout on a short path, an old duplicate carrying the only copy of an ACK, and TSO super-segments sized
 * to leave several frames in flight, and deferred while an ACK that makes room for a larger one is due.
 */
class TcpLossRecoveryTest {
    private static final int MSS = 1448; // 1460 less the timestamps option

    /** A stack with one connection accepted from a scripted peer (SACK, timestamps, window scaling), 1 ms RTT. */
    private static final class Fixture {
        final TcpPeer peer;
        final TestNet net;
        final RecordingApp app;
        final int conn;
        /** The stack's sequence number of the first data byte. */
        final int first;

        Fixture() {
            this(0);
        }

        /** The stack's NIC offers {@code features}. */
        Fixture(int features) {
            peer = TcpPeer.withStack(b -> b.tcp(TcpConfig.builder().isnKey(new byte[16]).build()), features);
            net = peer.net;
            app = new RecordingApp(net);
            assertEquals(Result.OK, net.a().stack.tcpListen(80, 16, app));
            peer.ports(40000, 80);
            peer.timestamps = true;
            peer.sndNxt = peer.iss;
            peer.send(SYN, peer.iss, 0, 65535, Opts.all(1460, 7, peer.tsVal, 0));
            Seg synAck = peer.expect(SYN | ACK);
            net.advance(MS); // the handshake's RTT sample: SRTT 1 ms
            peer.sndNxt = peer.iss + 1;
            peer.rcvNxt = synAck.seq() + 1;
            peer.tsVal++;
            peer.ack();
            conn = app.conn;
            first = synAck.seq() + 1;
        }

        /** The stack sends {@code bytes} bytes as one application packet (one send-queue descriptor). */
        void sendPacket(int bytes) {
            Packet p = net.a().pool.alloc(bytes);
            net.a().pool.length(p, bytes);
            assertEquals(Result.OK, net.a().stack.tcpSend(conn, p, 0));
        }

        /** The start of the stack's {@code n}th full-sized segment (from 0). */
        int seg(int n) {
            return first + n * MSS;
        }

        /** An ACK from the peer of everything below {@code ack}, with SACK blocks, echoing the newest TSval. */
        void ack(int ack, int... sackEdges) {
            ackEchoing(peer.tsRecent, ack, sackEdges);
        }

        /** An ACK echoing {@code tsEcr}: a receiver echoes the TSval of in-order data only (RFC 7323 §4.3). */
        void ackEchoing(int tsEcr, int ack, int... sackEdges) {
            peer.tsVal++;
            Opts o = Opts.none().ts(peer.tsVal, tsEcr);
            if (sackEdges.length > 0) {
                o.sack(sackEdges);
            }
            peer.send(ACK, peer.sndNxt, ack, 65535, o);
        }

        long count(Counter c) {
            return net.a().stack.stats().get(c);
        }

        /** Data segments the stack sent since the last call. */
        List<Seg> dataSent() {
            List<Seg> out = new ArrayList<>();
            for (Seg s : peer.drain()) {
                if (s.payload().length > 0) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /**
     * The case behind most of the timeouts on a real link: ten segments of one application packet, all but the
     * first lost; the tail loss probe resends the last MSS and the peer SACKs it. RACK counts delivery per
     * descriptor, so the probe's bytes must become a descriptor of their own, dated by the probe: then the SACK
     * gives RACK its reference, the other nine are deemed lost, and fast recovery repairs them. Without the split
     * the packet is never wholly delivered, RACK learns nothing, and the retransmission timeout fires.
     */
    @Test
    void shouldRecoverWithoutATimeoutWhenTheProbeCoversPartOfAPacket() {
        Fixture f = new Fixture();
        f.sendPacket(10 * MSS);
        List<Seg> window = f.dataSent();
        assertEquals(10, window.size(), "the initial window");
        f.ack(f.seg(1)); // only the first arrived
        f.net.runFor(20 * MS);
        List<Seg> probe = f.dataSent();
        assertEquals(1, f.count(Counter.TCP_TLP_PROBES));
        assertEquals(f.seg(9), probe.get(0).seq(), "the probe resends the last segment");
        assertTrue(probe.get(0).tsVal() != window.get(0).tsVal(), "the probe is a clock tick later");
        // The SACK of the probe echoes the timestamp of the last in-order segment, older than the probe's: RACK
        // must not take that for an ACK of an earlier transmission (RFC 8985 §6.2 step 2 applies it to
        // cumulatively acknowledged data).
        f.ackEchoing(window.get(0).tsVal(), f.seg(1), f.seg(9), f.seg(10));
        f.net.runFor(5 * MS);
        List<Seg> repaired = f.dataSent();
        assertEquals(0, f.count(Counter.TCP_TIMEOUTS));
        assertEquals(1, f.count(Counter.TCP_FAST_RETRANSMITS), "RACK starts recovery");
        assertFalse(repaired.isEmpty());
        assertEquals(f.seg(1), repaired.get(0).seq(), "the first hole first");
        for (Seg s : repaired) {
            assertTrue(Seq.lt(s.seq(), f.seg(9)), "nothing SACKed is resent: " + s);
        }
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /**
     * A probe's SACK that comes back a little under min_RTT (whose samples waited for the receiver's batching) is
     * the probe's own delivery, and gives RACK its reference: taken for the original's ACK (RFC 8985 §6.2 step 2 read
     * to the nanosecond), it taught RACK nothing and the RTO fired 200 ms later (soak seed 0xd42e01ccd7190bd6).
     */
    @Test
    void shouldTakeAProbeSackedJustUnderMinRttAsItsOwnDelivery() {
        Fixture f = new Fixture();
        f.sendPacket(10 * MSS);
        assertEquals(10, f.dataSent().size());
        f.net.advance(MS);
        f.ack(f.seg(1)); // min_RTT 1 ms, from a segment sent once
        for (int i = 0; i < 200 && f.count(Counter.TCP_TLP_PROBES) == 0; i++) {
            f.net.advance(MS / 10);
        }
        List<Seg> probe = f.dataSent();
        assertEquals(1, f.count(Counter.TCP_TLP_PROBES));
        assertEquals(f.seg(9), probe.get(0).seq());
        f.net.advance(MS * 9 / 10); // 0.9 ms: under min_RTT, within its allowance
        f.ack(f.seg(1), f.seg(9), f.seg(10));
        f.net.runFor(5 * MS);
        assertEquals(1, f.count(Counter.TCP_FAST_RETRANSMITS), "RACK starts recovery on the probe's SACK");
        assertEquals(0, f.count(Counter.TCP_TIMEOUTS));
        assertEquals(f.seg(1), f.dataSent().get(0).seq(), "the first hole first");
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /**
     * RFC 8985 §7.2 on a short path: the probe comes 2·SRTT plus a 2 ms allowance after the last transmission when
     * more than a segment is in flight (it came no sooner than 10 ms before, whatever the RTT), and with a single
     * segment in flight the peer's delayed ACK is allowed for too.
     */
    @Test
    void shouldProbeTwoRoundTripsPlusTheAllowanceAfterTheLastTransmission() {
        Fixture f = new Fixture();
        long sentAt = f.net.clock.nanoTime();
        f.sendPacket(4 * MSS);
        f.dataSent();
        f.net.runFor(30 * MS);
        List<Seg> probe = f.dataSent();
        assertEquals(1, probe.size());
        long after = probe.get(0).time() - sentAt;
        assertTrue(after >= 4 * MS && after <= 6 * MS, "2 x 1 ms + 2 ms, at the wheel's granularity: " + after);

        Fixture g = new Fixture();
        long singleAt = g.net.clock.nanoTime();
        g.sendPacket(100);
        g.dataSent();
        g.net.runFor(150 * MS);
        assertEquals(0, g.count(Counter.TCP_TLP_PROBES), "one segment out: the peer may delay its ACK 200 ms");
        g.net.runFor(100 * MS);
        List<Seg> single = g.dataSent();
        assertEquals(1, g.count(Counter.TCP_TLP_PROBES));
        assertTrue(single.get(0).time() - singleAt >= 200 * MS);
        f.net.a().stack.tcpAbort(f.conn);
        g.net.a().stack.tcpAbort(g.conn);
        f.net.assertNoLeaks();
        g.net.assertNoLeaks();
    }

    /** Holes at segments 1, 4 and 7 of ten; everything else SACKed; then silence until the timeout. */
    private static Fixture timeoutWithThreeHoles() {
        Fixture f = new Fixture();
        f.sendPacket(10 * MSS);
        f.dataSent();
        f.ack(f.seg(1), f.seg(2), f.seg(4), f.seg(5), f.seg(7), f.seg(8), f.seg(10));
        f.dataSent(); // fast recovery's retransmissions: all lost (the peer ignores them)
        f.net.runFor(250 * MS);
        assertEquals(1, f.count(Counter.TCP_TIMEOUTS));
        return f;
    }

    /**
     * RFC 8985 §6.3: a retransmission timeout keeps the SACK information (the receiver holds segments 2, 3, 5, 6,
     * 8, 9) and marks the rest lost; the recovery then resends the three holes and nothing the peer holds. Going back
     * to SND.UNA with the scoreboard cleared sent SACKed segments again.
     */
    @Test
    void shouldResendOnlyTheHolesAfterATimeout() {
        Fixture f = timeoutWithThreeHoles();
        List<Seg> sent = new ArrayList<>(f.dataSent());
        assertEquals(1, sent.size(), "one segment: the window after a timeout");
        assertEquals(f.seg(1), sent.get(0).seq());
        f.ack(f.seg(4), f.seg(5), f.seg(7), f.seg(8), f.seg(10));
        sent.addAll(f.dataSent());
        f.ack(f.seg(7), f.seg(8), f.seg(10));
        sent.addAll(f.dataSent());
        f.ack(f.seg(10));
        f.net.runFor(5 * MS);
        sent.addAll(f.dataSent());
        List<Integer> seqs = new ArrayList<>();
        for (Seg s : sent) {
            seqs.add((s.seq() - f.first) / MSS);
        }
        assertEquals(List.of(1, 4, 7), seqs, "the holes, once each");
        assertEquals(1, f.count(Counter.TCP_TIMEOUTS));
        assertEquals(10L * MSS, f.app.acked);
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /**
     * After a timeout, a lost retransmission is RACK's to find like any loss: the retransmission of hole 4 is lost,
     * that of hole 7 (sent after it) is SACKed, so hole 4 goes again at once instead of after a second, doubled
     * timeout.
     */
    @Test
    void shouldRepairALostRetransmissionAfterATimeoutWithoutAnotherTimeout() {
        Fixture f = timeoutWithThreeHoles();
        assertEquals(f.seg(1), f.dataSent().get(0).seq());
        f.ack(f.seg(4), f.seg(5), f.seg(7), f.seg(8), f.seg(10));
        List<Seg> two = f.dataSent();
        assertEquals(List.of(f.seg(4), f.seg(7)), List.of(two.get(0).seq(), two.get(1).seq()), "window 2: " + two);
        f.net.advance(MS); // a round trip later (RACK ignores a retransmission's ACK that comes back sooner)
        f.ack(f.seg(4), f.seg(5), f.seg(10)); // hole 7's retransmission arrived, hole 4's did not
        f.net.runFor(5 * MS);
        List<Seg> again = f.dataSent();
        assertEquals(f.seg(4), again.get(0).seq(), "hole 4 resent by RACK: " + again);
        f.ack(f.seg(10));
        f.net.runFor(5 * MS);
        assertEquals(1, f.count(Counter.TCP_TIMEOUTS));
        assertEquals(10L * MSS, f.app.acked);
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /**
     * The FIN rides on the last data segment and is lost with it; RACK finds that segment lost (the retransmission
     * of an earlier hole, sent after it, was delivered) and resends it: with the FIN, which takes sequence space
     * and has no descriptor of its own. Resent without it, the FIN waited for a probe or the retransmission timeout.
     */
    @Test
    void shouldResendTheFinWithTheLostLastSegment() {
        Fixture f = new Fixture();
        f.net.a().stack.tcpNoDelay(f.conn, true);
        Packet p = f.net.a().pool.alloc(3 * MSS + 100);
        f.net.a().pool.length(p, 3 * MSS + 100);
        assertEquals(Result.OK, f.net.a().stack.tcpSend(f.conn, p, TcpSendFlags.MORE));
        assertEquals(Result.OK, f.net.a().stack.tcpClose(f.conn));
        List<Seg> sent = f.dataSent();
        assertEquals(4, sent.size());
        assertTrue(sent.get(3).has(TcpPeer.FIN), "the FIN rides on the last segment: " + sent);
        f.net.advance(MS);
        f.ack(f.seg(1), f.seg(2), f.seg(3)); // segments 1 and 3 (with the FIN) were lost
        f.net.runFor(5 * MS);
        List<Seg> hole = f.dataSent();
        assertEquals(List.of(f.seg(1)), seqs(hole), "RACK resends the first hole: " + hole + " probes "
                + f.count(Counter.TCP_TLP_PROBES) + " fr " + f.count(Counter.TCP_FAST_RETRANSMITS));
        f.net.advance(MS);
        f.ack(f.seg(3)); // the hole's retransmission arrived: the last segment, sent before it, is lost
        f.net.runFor(5 * MS);
        List<Seg> last = f.dataSent();
        assertEquals(List.of(f.seg(3)), seqs(last), "last: " + last);
        assertTrue(last.get(0).has(TcpPeer.FIN), "with the FIN: " + last);
        assertEquals(0, f.count(Counter.TCP_TIMEOUTS));
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    private static List<Integer> seqs(List<Seg> segs) {
        List<Integer> out = new ArrayList<>();
        for (Seg s : segs) {
            out.add(s.seq());
        }
        return out;
    }

    /**
     * RFC 2018 §8: a receiver may discard data it SACKed. One whose cumulative ACK stops inside a range it SACKed has
     * done so; at the timeout its SACK information is forgotten and everything from SND.UNA is resent.
     */
    @Test
    void shouldForgetSackInformationOfAReceiverThatReneged() {
        Fixture f = new Fixture();
        f.sendPacket(6 * MSS);
        f.dataSent();
        f.ack(f.seg(1), f.seg(2), f.seg(6));
        f.ack(f.seg(3) + 100); // the ACK stops inside the SACKed range: the rest of it was discarded
        f.dataSent();
        f.net.runFor(250 * MS);
        assertEquals(1, f.count(Counter.TCP_TIMEOUTS));
        assertEquals(1, f.count(Counter.TCP_SACK_RENEGING));
        List<Seg> resent = f.dataSent();
        assertEquals(f.seg(3) + 100, resent.get(0).seq(), "from SND.UNA, SACKed or not");
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /**
     * A peer's tail loss probe resends its last segment, data we have, carrying its newest ACK; when the ACK segments
     * before it were lost, the probe is the only news that our data arrived. Its ACK is processed (the data is
     * dropped as a duplicate), so no retransmission timeout follows.
     */
    @Test
    void shouldTakeTheAckOfAnOldDuplicateSegment() {
        Fixture f = new Fixture();
        f.peer.data("request".getBytes(StandardCharsets.US_ASCII));
        f.sendPacket(3 * MSS);
        f.dataSent();
        // The peer's probe: its last data segment again, now acknowledging all our data.
        f.peer.tsVal++;
        f.peer.send(ACK, f.peer.sndNxt - 7, f.seg(3), 65535, Opts.none().ts(f.peer.tsVal, f.peer.tsRecent),
                "request".getBytes(StandardCharsets.US_ASCII));
        assertEquals(3L * MSS, f.app.acked);
        assertEquals(1, f.count(Counter.DROP_TCP_DUPLICATE));
        f.net.runFor(300 * MS);
        assertEquals(0, f.count(Counter.TCP_TIMEOUTS));
        assertEquals(0, f.count(Counter.TCP_RETRANSMITS));
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /**
     * TSO autosizing: a window is sent as at least two super-segments, so that a lost one is followed by another
     * whose SACKs reveal it; the whole initial window in one frame made every loss a tail loss.
     */
    @Test
    void shouldSendAWindowAsSeveralSuperSegments() {
        TestNet net = TestNet.twoNodes(b -> { }, NicFeatures.TCP_TSO | NicFeatures.TCP_TX_CSUM
                | NicFeatures.TX_SCATTER_GATHER);
        List<Integer> frames = new ArrayList<>(); // wire frames, after the emulated NIC's segmentation
        boolean[] silenceB = {false};
        net.link.hook((from, buf, off, len) -> {
            int ip = off + 14;
            if (from == 0 && buf.getShort(off + 12) == 0x0800 && Ipv4Header.protocol(buf, ip) == Ipv4Header.PROTO_TCP
                    && Ipv4Header.totalLength(buf, ip) > 200) {
                frames.add(Ipv4Header.totalLength(buf, ip));
            }
            return from == 1 && silenceB[0] ? FrameHook.DROP : FrameHook.PASS;
        });
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        silenceB[0] = true; // no ACK comes back: what goes out is the initial window
        Packet p = net.a().pool.alloc(60_000);
        net.a().pool.length(p, 60_000);
        long emitted = net.a().stack.stats().get(Counter.TCP_TX);
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, p, 0));
        net.pump();
        int payload = 0;
        for (int f : frames) {
            payload += f - 52; // IPv4 and TCP headers with timestamps; the link carries the NIC's segments
        }
        assertEquals(10 * MSS, payload, "RFC 6928: ten segments");
        assertEquals(2, net.a().stack.stats().get(Counter.TCP_TX) - emitted, "two super-segments of five");
        silenceB[0] = false;
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
    }

    /**
     * TSO deferral: when the window allows less than a full super-segment and the ACK of the oldest data is due
     * within half an RTT, the stack waits for that ACK and sends one larger frame, instead of a small frame per ACK.
     * The small frame goes at once when no ACK is due soon: the oldest data went out less than SRTT/2 ago, or more
     * than 2·SRTT ago (its ACK is overdue).
     */
    @Test
    void shouldDeferASmallSuperSegmentOnlyWhileAnAckIsDue() {
        int tso = NicFeatures.TCP_TSO | NicFeatures.TCP_TX_CSUM | NicFeatures.TX_SCATTER_GATHER;
        Fixture f = fixtureWithInitialWindowSent(tso);
        // SRTT is 1 ms; the window went out just now. One segment acknowledged: the window (11 segments, slow start)
        // has room for 2, a super-segment would carry 5, a third of the window is 3.67; no further ACK is due yet.
        long emitted = f.count(Counter.TCP_TX);
        f.ack(f.seg(1));
        assertEquals(1, f.count(Counter.TCP_TX) - emitted, "not deferred: the window was sent just now");
        assertEquals(2, f.dataSent().size());

        f = fixtureWithInitialWindowSent(tso);
        f.net.advance(600_000); // the window was sent 0.6 ms ago: its ACKs are due
        emitted = f.count(Counter.TCP_TX);
        f.ack(f.seg(1));
        assertEquals(0, f.count(Counter.TCP_TX) - emitted, "deferred: the next ACK is due");
        assertTrue(f.dataSent().isEmpty());
        f.ack(f.seg(3)); // 13 segments of window, 7 in flight: 6 can go, a full super-segment
        List<Seg> sent = f.dataSent();
        assertEquals(1, f.count(Counter.TCP_TX) - emitted, "one frame for the room of both ACKs");
        assertEquals(6, sent.size());
        assertEquals(f.seg(10), sent.get(0).seq());

        f.net.advance(3 * MS); // the rest of the initial window was sent 3.6 ms ago: its ACK is overdue
        emitted = f.count(Counter.TCP_TX);
        f.ack(f.seg(4));
        assertEquals(1, f.count(Counter.TCP_TX) - emitted, "not deferred: no ACK to count on");
        assertEquals(2, f.dataSent().size(), "the room the ACK made (slow start: two segments)");
        assertEquals(0, f.count(Counter.TCP_TLP_PROBES) + f.count(Counter.TCP_TIMEOUTS));
        f.net.a().stack.tcpAbort(f.conn);
        f.net.assertNoLeaks();
    }

    /** A fixture whose NIC offers {@code features}, with 290 KB queued and the initial window sent. */
    private static Fixture fixtureWithInitialWindowSent(int features) {
        Fixture f = new Fixture(features);
        long emitted = f.count(Counter.TCP_TX);
        for (int i = 0; i < 5; i++) {
            f.sendPacket(40 * MSS);
        }
        assertEquals(10, f.dataSent().size(), "the initial window, on the wire as MSS segments");
        assertEquals(2, f.count(Counter.TCP_TX) - emitted, "as two super-segments");
        return f;
    }
}
