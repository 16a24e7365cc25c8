package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.MS;
import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpFixtures.bytes;
import static io.jiip.testkit.TcpFixtures.connected;
import static io.jiip.testkit.TcpFixtures.send;
import static io.jiip.testkit.TcpFixtures.stackTcp;
import static io.jiip.testkit.TcpPeer.ACK;
import static io.jiip.testkit.TcpPeer.FIN;
import static io.jiip.testkit.TcpPeer.PSH;
import static io.jiip.testkit.TcpPeer.RST;
import static io.jiip.testkit.TcpPeer.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stats;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpInfo;
import io.jiip.api.TcpState;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.wire.TcpOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Blind-attack defences (RFC 5961), PAWS (RFC 7323 §5), RST generation (RFC 9293 §3.10.7.1), ISNs (RFC 6528) and
 * option negotiation, driven by a scripted {@link TcpPeer} against one stack listening on port 80.
 */
class TcpSecurityTest {
    static Stats stats(TcpPeer peer) {
        return peer.net.a().stack.stats();
    }

    static TcpState state(TcpPeer peer, RecordingApp server) {
        return peer.net.a().stack.tcpState(server.conn);
    }

    /** The stack's ACK of everything the peer sent, nothing more. */
    static void assertPlainAck(TcpPeer peer, Seg s) {
        assertEquals(ACK, s.flags(), s.toString());
        assertEquals(peer.rcvNxt, s.seq(), "at SND.NXT");
        assertEquals(peer.sndNxt, s.ack(), "acknowledges RCV.NXT, nothing beyond");
        assertEquals(0, s.payload().length);
    }

    // ---- RFC 5961 ----

    @Test
    void shouldChallengeAckInWindowRstNotAtRcvNxt() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.send(RST, peer.sndNxt + 100, 0, 0);
        assertPlainAck(peer, peer.expect());
        peer.expectNone();
        assertEquals(1, stats(peer).get(Counter.TCP_CHALLENGE_ACKS));
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_BAD_RST));
        assertEquals(TcpState.ESTABLISHED, state(peer, server[0]));

        peer.data(bytes("still here"));
        assertEquals("still here", server[0].received.toString());
        assertEquals(List.of("accepted"), server[0].log);
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldCloseOnRstExactlyAtRcvNxt() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.send(RST | ACK, peer.sndNxt, peer.rcvNxt, 0);
        peer.expectNone();
        assertEquals(List.of("accepted", "closed RESET_BY_PEER"), server[0].log);
        assertEquals(1, stats(peer).get(Counter.TCP_RESETS_RX));
        assertEquals(0, peer.net.a().stack.tcpConnectionCount());
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldIgnoreRstOutsideTheWindow() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.send(RST, peer.sndNxt + 0x4000_0000, 0, 0);
        peer.send(RST, peer.sndNxt - 1, 0, 0);
        peer.expectNone(); // silently: no RST is ever answered
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_OUT_OF_WINDOW));
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_DUPLICATE));
        assertEquals(TcpState.ESTABLISHED, state(peer, server[0]));
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldChallengeAckSynOnEstablishedConnection() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.send(SYN, peer.sndNxt, 0, 65535, Opts.all(1460, 7, peer.tsVal, 0));
        assertPlainAck(peer, peer.expect());
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_BAD_SYN));
        assertEquals(1, stats(peer).get(Counter.TCP_CHALLENGE_ACKS));
        // Outside the window: acknowledged as well, never a RST, never a new connection.
        peer.send(SYN, peer.sndNxt + 0x4000_0000, 0, 65535, Opts.all(1460, 7, peer.tsVal, 0));
        assertPlainAck(peer, peer.expect());
        peer.expectNone();
        assertEquals(TcpState.ESTABLISHED, state(peer, server[0]));
        assertEquals(1, peer.net.a().stack.tcpConnectionCount());
        assertEquals(List.of("accepted"), server[0].log);
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldDropAckOfDataNeverSentAndAckBack() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.send(ACK | PSH, peer.sndNxt, peer.rcvNxt + 1000, 65535, peer.tsOpts(), bytes("forged"));
        assertPlainAck(peer, peer.expect());
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_BAD_ACK));
        // An ACK far below SND.UNA - MAX.SND.WND is just as unacceptable (RFC 5961 §5.2).
        peer.send(ACK | PSH, peer.sndNxt, peer.rcvNxt - 0x4000_0000, 65535, peer.tsOpts(), bytes("forged"));
        assertPlainAck(peer, peer.expect());
        assertEquals(2, stats(peer).get(Counter.DROP_TCP_BAD_ACK));
        assertEquals("", server[0].received.toString(), "no data accepted from a segment with a bad ACK");

        peer.data(bytes("genuine"));
        assertEquals("genuine", server[0].received.toString());
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldRateLimitChallengeAcks() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(stackTcp(t -> t.challengeAcksPerSecond(2)), server);
        for (int i = 0; i < 5; i++) {
            peer.pushSegment(peer.localPort, 80, RST, peer.sndNxt + 100 + i, 0, 0, null, null);
        }
        assertEquals(2, peer.drain().size(), "burst of 2");
        assertEquals(2, stats(peer).get(Counter.TCP_CHALLENGE_ACKS));
        assertEquals(3, stats(peer).get(Counter.TCP_CHALLENGE_ACKS_LIMITED));
        // SYNs draw from the same budget.
        peer.send(SYN, peer.sndNxt, 0, 65535, Opts.none().mss(1460).ts(peer.tsVal, 0));
        peer.expectNone();
        assertEquals(4, stats(peer).get(Counter.TCP_CHALLENGE_ACKS_LIMITED));

        peer.net.clock.advance(SECOND);
        peer.send(RST, peer.sndNxt + 100, 0, 0);
        assertPlainAck(peer, peer.expect());
        assertEquals(3, stats(peer).get(Counter.TCP_CHALLENGE_ACKS));
        assertEquals(TcpState.ESTABLISHED, state(peer, server[0]));
        peer.net.assertNoLeaks();
    }

    // ---- PAWS ----

    @Test
    void shouldDropSegmentWithOlderTimestamp() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.tsVal = 2000;
        peer.data(bytes("new"));
        peer.net.runFor(100 * MS);
        peer.drain();
        assertEquals("new", server[0].received.toString());

        peer.send(ACK | PSH, peer.sndNxt, peer.rcvNxt, 65535, Opts.none().ts(1500, peer.tsRecent), bytes("old"));
        Seg ack = peer.expect();
        assertPlainAck(peer, ack);
        assertEquals(2000, ack.tsEcr(), "TS.Recent unchanged by the old segment");
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_PAWS));
        assertEquals("new", server[0].received.toString());

        // RSTs are not subject to PAWS (RFC 7323 §5.3 recommends accepting them regardless).
        peer.send(RST, peer.sndNxt, 0, 0, Opts.none().ts(1, 0));
        assertEquals(List.of("accepted", "closed RESET_BY_PEER"), server[0].log);
        peer.net.assertNoLeaks();
    }

    // ---- RST generation, RFC 9293 §3.10.7.1 ----

    @Test
    void shouldAnswerSegmentsForClosedPortsWithCorrectReset() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));

        // With ACK: <SEQ=SEG.ACK><CTL=RST>.
        peer.segment(1234, 81, ACK, 5000, 777_777, 65535, null, null);
        Seg r = peer.expect(RST);
        assertEquals(777_777, r.seq());
        assertEquals(0, r.ack());
        assertEquals(1234, r.dstPort());
        assertEquals(81, r.srcPort());
        assertTrue(r.noOptions());
        peer.segment(1234, 81, ACK | PSH | FIN, 5000, 888_888, 65535, null, bytes("data"));
        assertEquals(888_888, peer.expect(RST).seq());

        // Without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count.
        peer.segment(1234, 81, SYN, 5000, 0, 65535, Opts.none().mss(1460), null);
        r = peer.expect(RST | ACK);
        assertEquals(0, r.seq());
        assertEquals(5001, r.ack());
        peer.segment(1234, 81, PSH, 6000, 0, 65535, null, bytes("0123456789"));
        assertEquals(6010, peer.expect(RST | ACK).ack());
        peer.segment(1234, 81, FIN | PSH, 7000, 0, 65535, null, bytes("0123456789"));
        assertEquals(7011, peer.expect(RST | ACK).ack());

        // A listener answers anything but a bare SYN the same way.
        peer.segment(1234, 80, ACK, 5000, 999_999, 65535, null, null);
        assertEquals(999_999, peer.expect(RST).seq());
        peer.segment(1234, 80, SYN | ACK, 5000, 555_555, 65535, Opts.none().mss(1460), null);
        assertEquals(555_555, peer.expect(RST).seq());
        assertEquals(0, peer.net.a().stack.tcpConnectionCount(), "a SYN-ACK opens nothing");

        // Never a RST for a RST.
        peer.segment(1234, 81, RST, 5000, 0, 0, null, null);
        peer.segment(1234, 81, RST | ACK, 5000, 1, 0, null, null);
        peer.segment(1234, 80, RST, 5000, 0, 0, null, null);
        peer.expectNone();
        assertEquals(10, stats(peer).get(Counter.DROP_TCP_NO_CONNECTION));
        assertEquals(7, stats(peer).get(Counter.TCP_RESETS_TX));
        assertTrue(server.log.isEmpty());
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldValidateResetsAndAcksInSynSent() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        RecordingApp app = new RecordingApp(peer.net);
        peer.ports(7000, 6000);
        int conn = peer.net.a().stack.tcpConnect(peer.ip, 7000, 6000, app, null);
        Seg syn = peer.expect(SYN);
        // RST without ACK, or with an ACK of something else: ignored, no answer.
        peer.send(RST, 0, 0, 0);
        peer.send(RST | ACK, 0, syn.seq() + 2, 0);
        peer.expectNone();
        assertEquals(TcpState.SYN_SENT, peer.net.a().stack.tcpState(conn));
        // An unacceptable ACK without RST: <SEQ=SEG.ACK><CTL=RST>, the open goes on.
        peer.send(ACK, 0, syn.seq() + 100, 0);
        Seg r = peer.expect(RST);
        assertEquals(syn.seq() + 100, r.seq());
        assertEquals(TcpState.SYN_SENT, peer.net.a().stack.tcpState(conn));
        // The real refusal.
        peer.send(RST | ACK, 0, syn.seq() + 1, 0);
        assertEquals(List.of("closed REFUSED"), app.log);
        peer.expectNone();
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldResetAnUnacceptableAckInSynReceived() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));
        peer.send(SYN, 100, 0, 65535, Opts.none().mss(1460));
        Seg synAck = peer.expect(SYN | ACK);
        peer.send(ACK, 101, synAck.seq() + 7, 65535);
        assertEquals(synAck.seq() + 7, peer.expect(RST).seq());
        assertTrue(server.log.isEmpty());
        peer.send(ACK, 101, synAck.seq() + 1, 65535);
        assertEquals(List.of("accepted"), server.log);
        peer.net.assertNoLeaks();
    }

    // ---- ISN, RFC 6528 ----

    static byte[] key(int seed) {
        byte[] k = new byte[16];
        for (int i = 0; i < 16; i++) {
            k[i] = (byte) (seed * 31 + i * 7);
        }
        return k;
    }

    @Test
    void shouldChooseUnpredictableInitialSequenceNumbers() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.isnKey(key(1))));
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));
        int[] isns = new int[4];
        for (int i = 0; i < isns.length; i++) {
            peer.segment(1001 + i, 80, SYN, 100, 0, 65535, Opts.none().mss(1460), null);
            isns[i] = peer.expect(SYN | ACK).seq();
        }
        // Same instant, neighbouring ports: no counter, no small steps.
        for (int i = 1; i < isns.length; i++) {
            long step = Math.abs((long) (isns[i] - isns[i - 1]));
            assertTrue(step > 1 << 20, "ISNs " + isns[i - 1] + " and " + isns[i] + " are " + step + " apart");
        }

        // The same 4-tuple later: the 4 µs clock (M) moved on, the keyed hash did not (RFC 6528 §3).
        for (int i = 0; i < isns.length; i++) {
            peer.segment(1001 + i, 80, RST, 101, 0, 0, null, null); // back to LISTEN
        }
        assertEquals(0, peer.net.a().stack.tcpConnectionCount());
        peer.net.clock.advance(10 * SECOND);
        peer.segment(1001, 80, SYN, 100, 0, 65535, Opts.none().mss(1460), null);
        assertEquals(isns[0] + 2_500_000, peer.expect(SYN | ACK).seq());

        // Another context (another secret): another ISN for the same 4-tuple at the same time.
        TcpPeer other = TcpPeer.withStack(stackTcp(t -> t.isnKey(key(2))));
        other.net.clock.advanceTo(peer.net.clock.nanoTime());
        assertEquals(Result.OK, other.net.a().stack.tcpListen(80, 16, new RecordingApp(other.net)));
        other.segment(1001, 80, SYN, 100, 0, 65535, Opts.none().mss(1460), null);
        assertNotEquals(isns[0] + 2_500_000, other.expect(SYN | ACK).seq());
        peer.net.assertNoLeaks();
        other.net.assertNoLeaks();
    }

    // ---- option negotiation ----

    @Test
    void shouldOmitOptionsThePeerDidNotOffer() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));
        Seg synAck = peer.connect(Opts.none().mss(1000));
        assertEquals(1460, synAck.mss(), "our MSS");
        assertEquals(-1, synAck.windowScale());
        assertFalse(synAck.sackPermitted());
        assertFalse(synAck.timestamps());
        assertEquals(24, synAck.headerLength(), "MSS only");

        TcpInfo info = new TcpInfo();
        assertEquals(Result.OK, peer.net.a().stack.tcpInfo(server.conn, info));
        assertFalse(info.windowScaling || info.timestamps || info.sackPermitted);
        assertEquals(1000, info.mss, "no timestamp option to subtract");

        send(peer.net.a(), server.conn, "plain");
        Seg data = peer.expect();
        assertEquals("plain", new String(data.payload(), StandardCharsets.US_ASCII));
        assertTrue(data.noOptions(), "no timestamps after the handshake: " + data);
        assertEquals(65535, data.window(), "unscaled window, capped at 65535");
        peer.data(bytes("reply"));
        peer.net.runFor(100 * MS);
        for (Seg s : peer.drain()) {
            assertTrue(s.noOptions(), s.toString());
        }
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldUse536WhenThePeerSendsNoMss() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));
        peer.connect(Opts.none());
        TcpInfo info = new TcpInfo();
        peer.net.a().stack.tcpInfo(server.conn, info);
        assertEquals(536, info.mss, "RFC 9293 §3.7.1 default");
        assertEquals(Result.OK, peer.net.a().stack.tcpNoDelay(server.conn, true));
        send(peer.net.a(), server.conn, "x".repeat(1200));
        List<Seg> segs = peer.drain();
        assertEquals(536, segs.get(0).payload().length);
        assertEquals(536, segs.get(1).payload().length);
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldScaleWindowsOnlyWhenBothOffer() {
        // Both offer: our shift fits the 256 KiB buffer in 16 bits (3); the peer's shift applies to its windows.
        TcpPeer peer = TcpPeer.withStack(b -> { });
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));
        Seg synAck = peer.connect(Opts.none().mss(1460).ws(7));
        assertEquals(3, synAck.windowScale());
        peer.window = 100;
        peer.ack();
        TcpInfo info = new TcpInfo();
        peer.net.a().stack.tcpInfo(server.conn, info);
        assertTrue(info.windowScaling);
        assertEquals(100 << 7, info.sendWindow);
        send(peer.net.a(), server.conn, "x");
        assertEquals(256 * 1024 >> 3, peer.expect().window(), "our window, scaled by 3");
        peer.net.assertNoLeaks();

        // A shift above 14 is taken as 14 (RFC 7323 §2.3).
        peer = TcpPeer.withStack(b -> { });
        server = new RecordingApp(peer.net);
        peer.net.a().stack.tcpListen(80, 16, server);
        peer.connect(Opts.none().mss(1460).ws(20));
        peer.window = 1;
        peer.ack();
        peer.net.a().stack.tcpInfo(server.conn, info);
        assertEquals(1 << 14, info.sendWindow);
        peer.net.assertNoLeaks();

        // Only we offer (the peer did not): nothing is scaled either way.
        peer = TcpPeer.withStack(b -> { });
        server = new RecordingApp(peer.net);
        peer.net.a().stack.tcpListen(80, 16, server);
        synAck = peer.connect(Opts.none().mss(1460));
        assertEquals(-1, synAck.windowScale());
        peer.window = 100;
        peer.ack();
        peer.net.a().stack.tcpInfo(server.conn, info);
        assertFalse(info.windowScaling);
        assertEquals(100, info.sendWindow);
        peer.net.assertNoLeaks();

        // Only the peer offers (we are configured not to): nothing is scaled, no option in our SYN-ACK.
        peer = TcpPeer.withStack(stackTcp(t -> t.windowScaling(false)));
        server = new RecordingApp(peer.net);
        peer.net.a().stack.tcpListen(80, 16, server);
        synAck = peer.connect(Opts.none().mss(1460).ws(7));
        assertEquals(-1, synAck.windowScale());
        peer.window = 100;
        peer.ack();
        peer.net.a().stack.tcpInfo(server.conn, info);
        assertEquals(100, info.sendWindow);
        send(peer.net.a(), server.conn, "x");
        assertEquals(65535, peer.expect().window());
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldNeverScaleTheWindowOfASyn() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.receiveBuffer(1 << 20)));
        RecordingApp app = new RecordingApp(peer.net);
        peer.ports(7000, 6000);
        int conn = peer.net.a().stack.tcpConnect(peer.ip, 7000, 6000, app, null);
        Seg syn = peer.expect(SYN);
        assertEquals(65535, syn.window(), "1 MiB does not fit a SYN's 16 bits");
        assertEquals(5, syn.windowScale());

        peer.send(SYN | ACK, 0x7000_0000, syn.seq() + 1, 1000, Opts.none().mss(1460).ws(7));
        assertEquals(List.of("connected"), app.log);
        TcpInfo info = new TcpInfo();
        peer.net.a().stack.tcpInfo(conn, info);
        assertEquals(1000, info.sendWindow, "the SYN-ACK's window as it is");
        Seg ack = peer.expect(ACK);
        assertEquals((1 << 20) >> 5, ack.window(), "the first scaled window");

        peer.send(ACK, 0x7000_0001, syn.seq() + 1, 1000);
        peer.net.a().stack.tcpInfo(conn, info);
        assertEquals(1000 << 7, info.sendWindow, "later windows scaled");
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldClampMssToTheMtu() {
        TcpPeer peer = TcpPeer.withStack(b -> b.mtu(1280));
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 16, server));
        Seg synAck = peer.connect(Opts.none().mss(1460));
        assertEquals(1280 - 40, synAck.mss());
        TcpInfo info = new TcpInfo();
        peer.net.a().stack.tcpInfo(server.conn, info);
        assertEquals(1240, info.mss);
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldClampMssToThePathMtu() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        send(peer.net.a(), server[0].conn, "x".repeat(1000));
        Seg sent = peer.expect(ACK);
        peer.sendFragmentationNeeded(1000, sent.seq()); // about data in flight: accepted (RFC 5927 §7.2)
        assertEquals(1, stats(peer).get(Counter.ICMP_FRAG_NEEDED_RX));
        assertEquals(1000, peer.net.a().stack.pathMtu(peer.ip));
        List<Seg> resent = peer.drain();
        assertEquals(1000 - 40 - TcpOptions.TIMESTAMPS_ALIGNED_LENGTH, resent.get(0).payload().length,
                "in-flight data resent at the new size");

        // A new connection to the same peer starts from the lower path MTU.
        peer.ports(6001, 80);
        Seg synAck = peer.connect(Opts.none().mss(1460).ts(peer.tsVal, 0));
        assertEquals(960, synAck.mss(), "path MTU minus 40");
        TcpInfo info = new TcpInfo();
        peer.net.a().stack.tcpInfo(server[0].conn, info);
        assertEquals(960 - TcpOptions.TIMESTAMPS_ALIGNED_LENGTH, info.mss, "and minus the timestamp option");

        // Our own SYN says the same.
        int conn = peer.net.a().stack.tcpConnect(peer.ip, 7000, 6000, new RecordingApp(peer.net), null);
        Seg syn = peer.expect(SYN);
        assertEquals(7000, syn.dstPort());
        assertEquals(960, syn.mss());
        peer.net.a().stack.tcpAbort(conn);
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldNotLetTinyOutOfOrderSegmentsPinMoreThanTheReceiveBufferInBuffers() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> b.tcp(TcpConfig.builder().receiveBuffer(65536).build()), server);
        peer.drain();
        // A gap at sndNxt, then 5,000 one-byte segments beyond it: each would pin a whole buffer.
        int base = peer.sndNxt;
        for (int i = 1; i <= 5000; i++) {
            peer.send(ACK | PSH, base + 2 * i, peer.rcvNxt, peer.window, peer.tsOpts(), new byte[] {(byte) i});
            peer.net.pump();
        }
        long held = peer.net.a().pool.inUse();
        assertTrue(held < 65536 / 1000 + 10, "frames held out of order: " + held);
        assertTrue(stats(peer).get(Counter.DROP_TCP_OOO_LIMIT) > 4900);
        // The gap still fills: the connection is alive and delivers in order.
        peer.send(ACK | PSH, base, peer.rcvNxt, peer.window, peer.tsOpts(), new byte[] {0});
        peer.net.pump();
        assertTrue(server[0].received.length() >= 1);
        peer.net.assertNoLeaks();
    }
}
