package io.jiip.tcp;

import static io.jiip.testkit.SegmentTap.isFromA;
import static io.jiip.testkit.TcpFixtures.A;
import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.MS;
import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpFixtures.establish;
import static io.jiip.testkit.TcpFixtures.net;
import static io.jiip.testkit.TcpFixtures.payload;
import static io.jiip.testkit.TcpFixtures.send;
import static io.jiip.testkit.TcpFixtures.stackTcp;
import static io.jiip.testkit.TcpPeer.ACK;
import static io.jiip.testkit.TcpPeer.FIN;
import static io.jiip.testkit.TcpPeer.RST;
import static io.jiip.testkit.TcpPeer.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpInfo;
import io.jiip.api.TcpState;
import io.jiip.link.Packet;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.SegmentTap;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.testkit.TestNet;
import io.jiip.wire.TcpOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RFC 9293 connection state machine: opens, closes, timers and the API's state rules, stack against stack and
 * stack against a scripted {@link TcpPeer}. Virtual time only.
 */
class TcpStateMachineTest {
    /** Timers fire at the first wheel tick at or after their deadline: allow two ticks of lateness. */
    static final long SLACK = 2 * (1L << 20);

    static void assertNear(long expected, long actual, String what) {
        assertTrue(actual >= expected && actual <= expected + SLACK,
                what + ": expected " + expected + " (+ at most " + SLACK + "), was " + actual + " (off by "
                        + (actual - expected) + " ns)");
    }

    // ---- opening ----

    @Test
    void shouldOpenWithThreeWayHandshakeAndNegotiateOptions() {
        TestNet net = TestNet.twoNodes();
        SegmentTap tap = SegmentTap.on(net);
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, "att");
        assertEquals(TcpState.SYN_SENT, net.a().stack.tcpState(conn));
        net.pump();

        assertEquals(List.of("connected"), client.log);
        assertEquals(List.of("accepted"), server.log);
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(conn));
        assertEquals(TcpState.ESTABLISHED, net.b().stack.tcpState(server.conn));
        assertEquals(2, tap.fromA.size(), "SYN and ACK: " + tap.fromA);
        assertEquals(1, tap.fromB.size(), "SYN-ACK: " + tap.fromB);
        Seg syn = tap.fromA.get(0);
        Seg synAck = tap.fromB.get(0);
        Seg ack = tap.fromA.get(1);
        assertEquals(SYN, syn.flags());
        assertEquals(1460, syn.mss());
        assertTrue(syn.windowScale() >= 0 && syn.sackPermitted() && syn.timestamps(), syn.toString());
        assertEquals(0, syn.tsEcr(), "TSecr of the first SYN");
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(syn.seq() + 1, synAck.ack());
        assertEquals(syn.tsVal(), synAck.tsEcr());
        assertTrue(synAck.windowScale() >= 0 && synAck.sackPermitted() && synAck.timestamps(), synAck.toString());
        assertEquals(ACK, ack.flags());
        assertEquals(syn.seq() + 1, ack.seq());
        assertEquals(synAck.seq() + 1, ack.ack());
        TcpInfo info = new TcpInfo();
        assertEquals(Result.OK, net.a().stack.tcpInfo(conn, info));
        assertTrue(info.windowScaling && info.timestamps && info.sackPermitted);
        assertEquals(1460 - TcpOptions.TIMESTAMPS_ALIGNED_LENGTH, info.mss, "MSS minus the timestamp option");

        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        assertEquals(Result.OK, net.b().stack.tcpClose(server.conn));
        net.pump();
        net.runFor(61 * SECOND);
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(0, net.b().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldSendDataQueuedInSynSentOnceEstablished() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        send(net.a(), conn, "early ");
        send(net.a(), conn, "bird");
        net.pump();
        net.runFor(100 * MS);
        assertEquals("early bird", server.received.toString());
        assertEquals(10, client.acked);
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
    }

    @Test
    void shouldCompleteSimultaneousOpenBetweenTwoStacks() {
        TestNet net = TestNet.twoNodes();
        SegmentTap tap = SegmentTap.on(net);
        RecordingApp a = new RecordingApp(net);
        RecordingApp b = new RecordingApp(net);
        int ca = net.a().stack.tcpConnect(B, 5000, 6000, a, null);
        int cb = net.b().stack.tcpConnect(A, 6000, 5000, b, null);
        assertTrue(ca >= 0 && cb >= 0);
        net.pump();

        assertEquals(List.of("connected"), a.log);
        assertEquals(List.of("connected"), b.log);
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(ca));
        assertEquals(TcpState.ESTABLISHED, net.b().stack.tcpState(cb));
        // Both sent a bare SYN, then a SYN-ACK from the same ISN (RFC 9293 §3.5 figure 8).
        assertEquals(SYN, tap.fromA.get(0).flags());
        assertEquals(SYN, tap.fromB.get(0).flags());
        assertEquals(SYN | ACK, tap.fromA.get(1).flags());
        assertEquals(tap.fromA.get(0).seq(), tap.fromA.get(1).seq());
        assertEquals(tap.fromB.get(0).seq() + 1, tap.fromA.get(1).ack());

        send(net.a(), ca, "ping");
        send(net.b(), cb, "pong");
        net.runFor(100 * MS);
        assertEquals("ping", b.received.toString());
        assertEquals("pong", a.received.toString());
        net.a().stack.tcpClose(ca);
        net.b().stack.tcpClose(cb);
        net.runFor(61 * SECOND);
        assertEquals("closed NORMAL", a.log.get(a.log.size() - 1));
        assertEquals("closed NORMAL", b.log.get(b.log.size() - 1));
        net.assertNoLeaks();
    }

    @Test
    void shouldCompleteSimultaneousOpenWithSynAckFromPeer() {
        // RFC 9293 §3.5 figure 8, scripted: our SYN, the peer's SYN crossing it, our SYN-ACK, the peer's SYN-ACK.
        TcpPeer peer = TcpPeer.withStack(b -> { });
        TestNet net = peer.net;
        RecordingApp app = new RecordingApp(net);
        peer.ports(7000, 6000);
        int conn = net.a().stack.tcpConnect(peer.ip, 7000, 6000, app, null);
        Seg syn = peer.expect(SYN);
        int p = 0x5000_0000;
        peer.send(SYN, p, 0, 65535, Opts.none().mss(1460).ws(7));
        assertEquals(TcpState.SYN_RECEIVED, net.a().stack.tcpState(conn));
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(syn.seq(), synAck.seq(), "SYN-ACK from the same ISN");
        assertEquals(p + 1, synAck.ack());
        assertTrue(app.log.isEmpty());

        peer.send(SYN | ACK, p, syn.seq() + 1, 1000, Opts.none().mss(1460).ws(7));
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(conn), "the peer's SYN-ACK completes the open");
        assertEquals(List.of("connected"), app.log);
        TcpInfo info = new TcpInfo();
        net.a().stack.tcpInfo(conn, info);
        assertEquals(1000, info.sendWindow, "the window of a SYN-ACK is not scaled (RFC 7323 §2.2)");
        peer.drain();

        peer.send(ACK | TcpPeer.PSH, p + 1, syn.seq() + 1, 65535, null, "hi".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hi", app.received.toString());
        net.a().stack.tcpAbort(conn);
        net.assertNoLeaks();
    }

    @Test
    void shouldHoldFinQueuedInSynReceivedUntilEstablished() {
        // RFC 9293 §3.10.4: CLOSE in SYN-RECEIVED queues the FIN until ESTABLISHED; it follows the queued data.
        TcpPeer peer = TcpPeer.withStack(b -> { });
        TestNet net = peer.net;
        RecordingApp app = new RecordingApp(net);
        peer.ports(7000, 6000);
        int conn = net.a().stack.tcpConnect(peer.ip, 7000, 6000, app, null);
        Seg syn = peer.expect(SYN);
        send(net.a(), conn, "abc");
        int p = 0x5000_0000;
        peer.send(SYN, p, 0, 65535, Opts.none().mss(1460));
        peer.expect(SYN | ACK);
        assertEquals(Result.OK, net.a().stack.tcpShutdownOutput(conn));
        peer.expectNone();

        peer.send(ACK, p + 1, syn.seq() + 1, 65535);
        assertEquals(List.of("connected"), app.log);
        Seg data = peer.expect();
        assertEquals(syn.seq() + 1, data.seq());
        assertEquals("abc", new String(data.payload(), StandardCharsets.US_ASCII));
        Seg fin = data.has(FIN) ? data : peer.expect(FIN | ACK);
        assertEquals(syn.seq() + 4, fin.seq() + fin.payload().length, "FIN right after the data");
        assertEquals(TcpState.FIN_WAIT_1, net.a().stack.tcpState(conn));
        peer.send(ACK, p + 1, syn.seq() + 5, 65535);
        assertEquals(TcpState.FIN_WAIT_2, net.a().stack.tcpState(conn));
        assertEquals(3, app.acked);
        net.assertNoLeaks();
    }

    @Test
    void shouldRetransmitSynWithExponentialBackoffThenTimeOut() {
        TestNet net = TestNet.twoNodes();
        SegmentTap tap = SegmentTap.on(net);
        tap.drop = s -> isFromA(s) && s.has(SYN);
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        long t0 = net.clock.nanoTime();
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.runFor(200 * SECOND);

        // Initial RTO 1 s (RFC 6298 §2.1), doubled on every timeout (§5.5); 6 retries (synRetries) then TIMEOUT.
        List<Seg> syns = tap.fromA;
        assertEquals(7, syns.size(), "SYN plus 6 retransmissions: " + syns);
        assertEquals(t0, syns.get(0).time());
        long expected = t0;
        for (int i = 1; i < syns.size(); i++) {
            expected += SECOND << (i - 1);
            assertNear(expected, syns.get(i).time(), "SYN retransmission " + i);
            assertEquals(syns.get(0).seq(), syns.get(i).seq(), "same ISN");
        }
        assertEquals(List.of("closed TIMEOUT"), client.log);
        assertNear(t0 + 127 * SECOND, client.closedAt, "give up");
        assertNull(net.a().stack.tcpState(conn));
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(6, net.a().stack.stats().get(Counter.TCP_TIMEOUTS));
        assertEquals(6, net.a().stack.stats().get(Counter.TCP_RETRANSMITS));
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_CLOSED_TIMEOUT));
        assertTrue(server.log.isEmpty());
        net.assertNoLeaks();
    }

    @Test
    void shouldConnectAfterLostSyns() {
        TestNet net = TestNet.twoNodes();
        SegmentTap tap = SegmentTap.on(net);
        int[] synsSeen = {0};
        tap.drop = s -> isFromA(s) && s.has(SYN) && ++synsSeen[0] <= 2;
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        long t0 = net.clock.nanoTime();
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.runFor(10 * SECOND);
        assertEquals(List.of("connected"), client.log);
        assertEquals(List.of("accepted"), server.log);
        assertEquals(3, synsSeen[0]);
        assertNear(t0 + 3 * SECOND, tap.fromA.get(2).time(), "third SYN");
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(conn));
        net.a().stack.tcpAbort(conn);
        net.pump();
        net.assertNoLeaks();
    }

    @Test
    void shouldRetransmitSynAckThenForgetHalfOpenConnection() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.synRetries(3)));
        TestNet net = peer.net;
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.a().stack.tcpListen(80, 1, server));
        long t0 = net.clock.nanoTime();
        peer.send(SYN, 100, 0, 65535, Opts.none().mss(1460));
        net.runFor(60 * SECOND);
        List<Seg> synAcks = peer.drain();
        assertEquals(4, synAcks.size(), "SYN-ACK and 3 retransmissions: " + synAcks);
        long expected = t0;
        for (int i = 0; i < synAcks.size(); i++) {
            assertEquals(SYN | ACK, synAcks.get(i).flags());
            assertEquals(101, synAcks.get(i).ack());
            assertEquals(synAcks.get(0).seq(), synAcks.get(i).seq());
            if (i > 0) {
                expected += SECOND << (i - 1);
                assertNear(expected, synAcks.get(i).time(), "SYN-ACK retransmission " + i);
            }
        }
        assertEquals(0, net.a().stack.tcpConnectionCount(), "half-open connection forgotten after 1+2+4+8 s");
        assertTrue(server.log.isEmpty(), "the application never saw it: " + server.log);
        // Its backlog slot (backlog 1) is free again.
        peer.ports(40001, 80).send(SYN, 200, 0, 65535, Opts.none().mss(1460));
        assertEquals(201, peer.expect(SYN | ACK).ack());
        net.assertNoLeaks();
    }

    @Test
    void shouldRetransmitSynAckWhenPeerRetransmitsItsSyn() {
        // Our SYN-ACK was lost and the peer's SYN timer fired: answer the same SYN with the same SYN-ACK again
        // (a bare ACK would be dropped by the peer in SYN-SENT and leave both waiting for our RTO).
        TcpPeer peer = TcpPeer.withStack(b -> { });
        TestNet net = peer.net;
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.a().stack.tcpListen(80, 4, server));
        peer.send(SYN, 100, 0, 65535, Opts.none().mss(1460));
        Seg first = peer.expect(SYN | ACK);
        net.clock.advance(SECOND / 2);
        peer.send(SYN, 100, 0, 65535, Opts.none().mss(1460));
        Seg again = peer.expect(SYN | ACK);
        assertEquals(first.seq(), again.seq());
        assertEquals(101, again.ack());
        peer.send(ACK, 101, first.seq() + 1, 65535);
        assertEquals(List.of("accepted"), server.log);
        net.assertNoLeaks();
    }

    @Test
    void shouldReportRefusedForClosedPort() {
        TestNet net = TestNet.twoNodes();
        RecordingApp client = new RecordingApp(net);
        int conn = net.a().stack.tcpConnect(B, 81, 0, client, null);
        net.pump();
        assertEquals(List.of("closed REFUSED"), client.log);
        assertNull(net.a().stack.tcpState(conn));
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(1, net.b().stack.stats().get(Counter.DROP_TCP_NO_CONNECTION));
        assertEquals(1, net.b().stack.stats().get(Counter.TCP_RESETS_TX));
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_RESETS_RX));
        net.assertNoLeaks();
    }

    @Test
    void shouldReportRefusedWhenAcceptSaysNo() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        server.refuse = true;
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, server));
        net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        assertEquals(List.of("closed REFUSED"), client.log);
        assertEquals(1, net.b().stack.stats().get(Counter.DROP_TCP_REFUSED));
        assertEquals(0, net.b().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldDropSynsBeyondTheListenBacklog() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.synCookies(false)));
        TestNet net = peer.net;
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.a().stack.tcpListen(80, 2, server));
        peer.segment(1001, 80, SYN, 1000, 0, 65535, null, null);
        Seg first = peer.expect(SYN | ACK);
        peer.segment(1002, 80, SYN, 2000, 0, 65535, null, null);
        peer.expect(SYN | ACK);
        peer.segment(1003, 80, SYN, 3000, 0, 65535, null, null);
        peer.expectNone();
        assertEquals(1, net.a().stack.stats().get(Counter.DROP_TCP_BACKLOG_FULL));
        assertEquals(2, net.a().stack.tcpConnectionCount());

        // Completing one handshake frees a backlog slot: the retransmitted third SYN is answered.
        peer.segment(1001, 80, ACK, 1001, first.seq() + 1, 65535, null, null);
        assertEquals(List.of("accepted"), server.log);
        peer.segment(1003, 80, SYN, 3000, 0, 65535, null, null);
        assertEquals(3001, peer.expect(SYN | ACK).ack());
        assertEquals(3, net.a().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    // ---- closing ----

    @Test
    void shouldKeepReceivingAfterShutdownOutput() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        assertEquals(Result.OK, net.a().stack.tcpShutdownOutput(conn));
        net.pump();
        assertEquals(TcpState.FIN_WAIT_2, net.a().stack.tcpState(conn));
        assertEquals(TcpState.CLOSE_WAIT, net.b().stack.tcpState(server.conn));
        assertEquals(List.of("accepted", "remote-shutdown"), server.log);

        send(net.b(), server.conn, "still ");
        send(net.b(), server.conn, "flowing");
        net.runFor(100 * MS);
        assertEquals("still flowing", client.received.toString());
        assertEquals(13, server.acked);
        Packet p = payload(net.a(), "no");
        assertEquals(Result.WRONG_STATE, net.a().stack.tcpSend(conn, p, 0));
        net.a().pool.free(p);

        assertEquals(Result.OK, net.b().stack.tcpClose(server.conn));
        net.pump();
        assertEquals(List.of("connected", "remote-shutdown", "closed NORMAL"), client.log,
                "a half-closed reader hears of the peer's FIN before the close");
        assertEquals(List.of("accepted", "remote-shutdown", "closed NORMAL"), server.log);
        assertEquals(0, net.a().stack.tcpConnectionCount(), "TIME-WAIT holds no connection slot");
        assertEquals(1, net.a().stack.tcpTimeWaitCount(), "TIME-WAIT on the side that closed first");
        assertEquals(0, net.b().stack.tcpConnectionCount());
        assertEquals(0, net.b().stack.tcpTimeWaitCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldKeepSendingAfterPeerShutsDown() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        assertEquals(Result.OK, net.b().stack.tcpShutdownOutput(server.conn));
        net.pump();
        assertEquals(List.of("connected", "remote-shutdown"), client.log);
        assertEquals(TcpState.CLOSE_WAIT, net.a().stack.tcpState(conn));
        assertEquals(TcpState.FIN_WAIT_2, net.b().stack.tcpState(server.conn));

        send(net.a(), conn, "request body");
        net.runFor(100 * MS);
        assertEquals("request body", server.received.toString());
        send(net.a(), conn, ", more");
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        assertEquals(TcpState.LAST_ACK, net.a().stack.tcpState(conn));
        net.pump();
        assertEquals("request body, more", server.received.toString());
        assertEquals(List.of("connected", "remote-shutdown", "closed NORMAL"), client.log);
        assertEquals(List.of("accepted", "remote-shutdown", "closed NORMAL"), server.log,
                "the half-closed server still reads: the client's FIN is its end of input");
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(0, net.b().stack.tcpConnectionCount());
        assertEquals(1, net.b().stack.tcpTimeWaitCount(), "TIME-WAIT on the side that closed first");
        net.assertNoLeaks();
    }

    /** Runs a node over at most one received frame. */
    static void stepOne(TestNet.Node node) {
        Packet[] rx = new Packet[1];
        int n = node.port.poll(rx, 1);
        node.nextDeadline = node.stack.run(rx, n);
    }

    @Test
    void shouldGoThroughClosingWhenBothCloseAtOnce() {
        TestNet net = TestNet.twoNodes(stackTcp(t -> t.mslNanos(5 * SECOND)), 0);
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int ca = establish(net, server, client, 0);
        int cb = server.conn;
        assertEquals(Result.OK, net.a().stack.tcpClose(ca));
        assertEquals(Result.OK, net.b().stack.tcpClose(cb));
        assertEquals(TcpState.FIN_WAIT_1, net.a().stack.tcpState(ca));
        assertEquals(TcpState.FIN_WAIT_1, net.b().stack.tcpState(cb));

        stepOne(net.a()); // B's FIN, which does not acknowledge ours
        assertEquals(TcpState.CLOSING, net.a().stack.tcpState(ca));
        stepOne(net.b()); // A's FIN
        assertEquals(TcpState.CLOSING, net.b().stack.tcpState(cb));
        net.pump(); // the ACKs of both FINs
        assertEquals(List.of("connected", "closed NORMAL"), client.log);
        assertEquals(List.of("accepted", "closed NORMAL"), server.log);
        assertEquals(1, net.a().stack.tcpTimeWaitCount(), "A in TIME-WAIT");
        assertEquals(1, net.b().stack.tcpTimeWaitCount(), "B in TIME-WAIT");
        net.runFor(10 * SECOND + SLACK);
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        assertEquals(0, net.b().stack.tcpTimeWaitCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldHoldTimeWaitForTwoMslThenFreeTheTuple() {
        TestNet net = TestNet.twoNodes(stackTcp(t -> t.mslNanos(5 * SECOND)), 0);
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 50000);
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        assertEquals(Result.OK, net.b().stack.tcpClose(server.conn));
        net.pump();
        long enteredAt = net.clock.nanoTime();
        assertEquals(List.of("connected", "closed NORMAL"), client.log);
        assertEquals(1, net.a().stack.tcpTimeWaitCount());
        RecordingApp again = new RecordingApp(net);
        assertEquals(Result.ADDRESS_IN_USE, net.a().stack.tcpConnect(B, 80, 50000, again, null),
                "the 4-tuple is held in TIME-WAIT");

        net.runFor(10 * SECOND - 10 * MS);
        assertEquals(1, net.a().stack.tcpTimeWaitCount(), "still in TIME-WAIT just before 2 MSL");
        net.runFor(10 * MS + SLACK);
        assertEquals(0, net.a().stack.tcpTimeWaitCount(), "TIME-WAIT over at " + (net.clock.nanoTime() - enteredAt));
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_TIME_WAIT_EXPIRED));

        int c2 = net.a().stack.tcpConnect(B, 80, 50000, again, null);
        assertTrue(c2 >= 0, Result.name(c2));
        net.pump();
        assertEquals(List.of("connected"), again.log);
        net.a().stack.tcpAbort(c2);
        net.pump();
        net.assertNoLeaks();
    }

    @Test
    void shouldAckRetransmittedFinInTimeWaitAndRestartTwoMsl() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.mslNanos(5 * SECOND)));
        TestNet net = peer.net;
        RecordingApp server = new RecordingApp(net);
        assertEquals(Result.OK, net.a().stack.tcpListen(80, 4, server));
        peer.connect(Opts.none().mss(1460));
        assertEquals(Result.OK, net.a().stack.tcpClose(server.conn));
        Seg fin = peer.expect(FIN | ACK);
        peer.fin(); // acknowledges theirs and sends ours
        Seg ack = peer.expect(ACK);
        assertEquals(peer.sndNxt, ack.ack());
        assertEquals(fin.seq() + 1, ack.seq());
        assertEquals(1, net.a().stack.tcpTimeWaitCount());

        net.runFor(8 * SECOND);
        // Our ACK was "lost": the peer retransmits its FIN; TIME-WAIT ACKs it and starts 2 MSL over.
        peer.send(FIN | ACK, peer.sndNxt - 1, peer.rcvNxt, 65535);
        Seg again = peer.expect(ACK);
        assertEquals(peer.sndNxt, again.ack());
        net.runFor(8 * SECOND);
        assertEquals(1, net.a().stack.tcpTimeWaitCount(), "2 MSL restarted by the retransmitted FIN");
        net.runFor(2 * SECOND + SLACK);
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        net.assertNoLeaks();
    }

    /** Peer connects to the stack's port 80, the stack closes first, the stack is left in TIME-WAIT. */
    static Seg serverInTimeWait(TcpPeer peer, RecordingApp server) {
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 4, server));
        Seg synAck = peer.connect(peer.timestamps ? Opts.none().mss(1460).ts(peer.tsVal, 0) : Opts.none().mss(1460));
        peer.data("x".getBytes(StandardCharsets.US_ASCII));
        peer.net.runFor(100 * MS);
        peer.drain(); // the ACK (window update) of the data
        assertEquals(Result.OK, peer.net.a().stack.tcpClose(server.conn));
        peer.expect(FIN | ACK);
        peer.tsVal += 10;
        peer.fin();
        peer.expect(ACK);
        assertEquals(List.of("accepted", "closed NORMAL"), server.log);
        assertEquals(0, peer.net.a().stack.tcpConnectionCount());
        assertEquals(1, peer.net.a().stack.tcpTimeWaitCount());
        return synAck;
    }

    @Test
    void shouldLetNewSynWithHigherSequenceReopenTimeWait() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        TestNet net = peer.net;
        RecordingApp server = new RecordingApp(net);
        serverInTimeWait(peer, server);

        // A SYN below the old RCV.NXT is an old duplicate: ACKed, TIME-WAIT stays (RFC 9293 §3.10.7.4).
        peer.send(SYN, peer.sndNxt - 10, 0, 65535, Opts.none().mss(1460));
        assertEquals(ACK, peer.expect().flags());
        assertEquals(1, net.a().stack.tcpTimeWaitCount());

        // A SYN-ACK is no new connection request, whatever its sequence number: ACKed, TIME-WAIT stays.
        peer.send(SYN | ACK, peer.sndNxt + 100_000, 12345, 65535, Opts.none().mss(1460));
        assertEquals(ACK, peer.expect().flags());
        assertEquals(1, net.a().stack.tcpTimeWaitCount());

        // RFC 6191 (no timestamps): a SYN above RCV.NXT starts a new incarnation.
        int newIss = peer.sndNxt + 100_000;
        peer.send(SYN, newIss, 0, 65535, Opts.none().mss(1460));
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(newIss + 1, synAck.ack());
        peer.send(ACK, newIss + 1, synAck.seq() + 1, 65535);
        assertEquals(List.of("accepted", "closed NORMAL", "accepted"), server.log);
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(server.conn));
        net.assertNoLeaks();
    }

    @Test
    void shouldLetNewSynWithHigherTimestampReopenTimeWait() {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        peer.timestamps = true;
        TestNet net = peer.net;
        RecordingApp server = new RecordingApp(net);
        serverInTimeWait(peer, server);

        // Older timestamp: PAWS drops it (and ACKs), TIME-WAIT stays, even with a higher sequence number.
        peer.send(SYN, peer.sndNxt + 100_000, 0, 65535, Opts.none().mss(1460).ts(peer.tsVal - 100, 0));
        assertEquals(ACK, peer.expect().flags());
        assertEquals(1, net.a().stack.stats().get(Counter.DROP_TCP_PAWS));
        assertEquals(1, net.a().stack.tcpTimeWaitCount());

        // RFC 6191: a higher timestamp allows the new incarnation, even with a lower sequence number.
        int newIss = peer.sndNxt - 1_000_000;
        peer.send(SYN, newIss, 0, 65535, Opts.none().mss(1460).ts(peer.tsVal + 100, 0));
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(newIss + 1, synAck.ack());
        assertTrue(synAck.timestamps());
        net.assertNoLeaks();
    }

    @Test
    void shouldResetPeerOnAbort() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        send(net.a(), conn, "queued and never acknowledged");
        assertEquals(Result.OK, net.a().stack.tcpAbort(conn));
        assertEquals(List.of("connected", "closed ABORTED"), client.log, "onClosed fires before abort returns");
        net.pump();
        assertEquals(List.of("accepted", "closed RESET_BY_PEER"), server.log);
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(0, net.b().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    // ---- timers that end connections ----

    @Test
    void shouldTimeOutWhenKeepaliveProbesGoUnanswered() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        long lastHeard = net.clock.nanoTime();
        assertEquals(Result.OK, net.a().stack.tcpKeepalive(conn, 10 * SECOND, SECOND, 3));
        SegmentTap tap = SegmentTap.on(net);
        tap.dropAll = true;
        net.runFor(30 * SECOND);

        assertEquals(List.of("connected", "closed TIMEOUT"), client.log);
        assertNear(lastHeard + 13 * SECOND, client.closedAt, "idle + 3 x interval");
        assertEquals(3, tap.fromA.size(), "three probes: " + tap.fromA);
        for (int i = 0; i < 3; i++) {
            Seg probe = tap.fromA.get(i);
            assertNear(lastHeard + (10 + i) * SECOND, probe.time(), "probe " + i);
            assertEquals(ACK, probe.flags());
            assertEquals(0, probe.payload().length);
        }
        assertEquals(3, net.a().stack.stats().get(Counter.TCP_KEEPALIVES));
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_CLOSED_TIMEOUT));
        assertEquals(0, net.a().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldKeepIdleConnectionAliveWhenProbesAreAnswered() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        assertEquals(Result.OK, net.a().stack.tcpKeepalive(conn, 10 * SECOND, SECOND, 3));
        SegmentTap tap = SegmentTap.on(net);
        net.runFor(65 * SECOND);
        assertEquals(TcpState.ESTABLISHED, net.a().stack.tcpState(conn));
        assertEquals(6, net.a().stack.stats().get(Counter.TCP_KEEPALIVES), "one probe per idle period");
        Seg probe = tap.fromA.get(0);
        Seg answer = tap.fromB.get(0);
        assertEquals(answer.ack() - 1, probe.seq(), "probe at SND.UNA - 1");
        assertEquals(ACK, answer.flags());
        net.assertNoLeaks();
    }

    @Test
    void shouldCloseWhenUserTimeoutExpires() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        assertEquals(Result.OK, net.a().stack.tcpUserTimeout(conn, 5 * SECOND));
        SegmentTap tap = SegmentTap.on(net);
        tap.dropAll = true;
        long sentAt = net.clock.nanoTime();
        send(net.a(), conn, "lost");
        net.runFor(60 * SECOND);
        assertEquals(List.of("connected", "closed TIMEOUT"), client.log);
        assertNear(sentAt + 5 * SECOND, client.closedAt, "user timeout");
        assertTrue(net.a().stack.stats().get(Counter.TCP_RETRANSMITS) < 15, "before the retry limit");
        net.assertNoLeaks();
    }

    @Test
    void shouldTimeOutAfterTheRetransmissionLimit() {
        TestNet net = net(t -> t.maxRetries(3));
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        SegmentTap tap = SegmentTap.on(net);
        tap.dropAll = true;
        long sentAt = net.clock.nanoTime();
        send(net.a(), conn, "lost");
        net.runFor(60 * SECOND);

        // A tail loss probe (RFC 8985) comes first, at the RTO's time (200 ms floor, a single segment out), and
        // re-arms the RTO; then the timeouts, doubled each time: 0.2, 0.4, 0.8 s after one another.
        assertEquals(5, tap.fromA.size(), "original, probe and 3 retransmissions: " + tap.fromA);
        long[] at = {0, 200 * MS, 400 * MS, 800 * MS, 1600 * MS};
        for (int i = 0; i < 5; i++) {
            assertNear(sentAt + at[i], tap.fromA.get(i).time(), "transmission " + i);
            assertEquals("lost", new String(tap.fromA.get(i).payload(), StandardCharsets.US_ASCII));
        }
        assertEquals(List.of("connected", "closed TIMEOUT"), client.log);
        assertNear(sentAt + 3200 * MS, client.closedAt, "4th timeout");
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_TLP_PROBES));
        assertEquals(4, net.a().stack.stats().get(Counter.TCP_RETRANSMITS));
        assertNull(net.a().stack.tcpState(conn));
        net.assertNoLeaks();
    }

    @Test
    void shouldResetWhenDataArrivesAfterClose() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        assertEquals(TcpState.FIN_WAIT_2, net.a().stack.tcpState(conn));
        send(net.b(), server.conn, "too late");
        net.pump();
        // RFC 1122 §4.2.2.13 / RFC 9293 §3.10.7.4: data for a closed receiver is answered with RST.
        assertEquals(1, net.a().stack.stats().get(Counter.DROP_TCP_DATA_AFTER_CLOSE));
        assertEquals(1, net.a().stack.stats().get(Counter.TCP_RESETS_TX));
        assertEquals("", client.received.toString());
        assertEquals(List.of("connected", "closed ABORTED"), client.log);
        assertEquals(List.of("accepted", "remote-shutdown", "closed RESET_BY_PEER"), server.log);
        assertEquals(0, net.a().stack.tcpConnectionCount());
        assertEquals(0, net.b().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    @Test
    void shouldEndFinWait2AfterTimeoutOnlyWhenClosed() {
        TestNet net = net(t -> t.finWait2TimeoutNanos(10 * SECOND));
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        long at = net.clock.nanoTime();
        assertEquals(TcpState.FIN_WAIT_2, net.a().stack.tcpState(conn));
        net.runFor(10 * SECOND - 10 * MS);
        assertEquals(TcpState.FIN_WAIT_2, net.a().stack.tcpState(conn));
        net.runFor(10 * MS + SLACK);
        assertEquals(List.of("connected", "closed TIMEOUT"), client.log);
        assertNear(at + 10 * SECOND, client.closedAt, "FIN-WAIT-2 timeout");
        assertEquals(0, net.a().stack.tcpConnectionCount());
        // The peer's late FIN finds no connection: RST (at its RCV.NXT), which the peer accepts.
        assertEquals(Result.OK, net.b().stack.tcpClose(server.conn));
        net.pump();
        assertEquals(List.of("accepted", "remote-shutdown", "closed RESET_BY_PEER"), server.log);

        // After shutdownOutput (no close) FIN-WAIT-2 waits as long as the peer likes.
        RecordingApp server2 = new RecordingApp(net);
        RecordingApp client2 = new RecordingApp(net);
        net.b().stack.tcpUnlisten(80);
        int c2 = establish(net, server2, client2, 0);
        assertEquals(Result.OK, net.a().stack.tcpShutdownOutput(c2));
        net.runFor(100 * SECOND);
        assertEquals(TcpState.FIN_WAIT_2, net.a().stack.tcpState(c2));
        // ... until close() starts the timer.
        assertEquals(Result.OK, net.a().stack.tcpClose(c2));
        net.runFor(10 * SECOND + SLACK);
        assertEquals(List.of("connected", "closed TIMEOUT"), client2.log);
        net.assertNoLeaks();
    }

    // ---- API rules ----

    @Test
    void shouldRefuseWrongStateCallsWithoutTakingOwnership() {
        TestNet net = net(t -> t.sendBuffer(1000));
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 50000);
        Stack<Packet> a = net.a().stack;

        Packet big = net.a().pool.alloc(1001);
        net.a().pool.length(big, 1001);
        assertEquals(Result.WOULD_BLOCK, a.tcpSend(conn, big, 0));
        net.a().pool.free(big);

        Packet head = payload(net.a(), "chained");
        net.a().pool.chainAppend(head, payload(net.a(), "packet"));
        assertEquals(Result.INVALID_ARGUMENT, a.tcpSend(conn, head, 0));
        net.a().pool.free(head);

        assertEquals(Result.ADDRESS_IN_USE, net.b().stack.tcpListen(80, 4, server));
        assertEquals(Result.INVALID_ARGUMENT, net.b().stack.tcpListen(0, 4, server));
        assertEquals(Result.INVALID_ARGUMENT, net.b().stack.tcpListen(81, 0, server));
        assertEquals(Result.NOT_BOUND, net.b().stack.tcpUnlisten(81));
        assertEquals(Result.ADDRESS_IN_USE, a.tcpConnect(B, 80, 50000, client, null));
        assertEquals(Result.INVALID_ARGUMENT, a.tcpConnect(B, 0, 0, client, null));
        assertEquals(Result.INVALID_ARGUMENT, a.tcpRxConsumed(conn, -1));
        assertEquals(Result.INVALID_ARGUMENT, a.tcpKeepalive(conn, SECOND, SECOND, 0));
        assertEquals(Result.INVALID_ARGUMENT, a.tcpUserTimeout(conn, -1));

        assertEquals(Result.OK, a.tcpShutdownOutput(conn));
        assertEquals(Result.OK, a.tcpShutdownOutput(conn), "idempotent");
        Packet late = payload(net.a(), "after shutdown");
        assertEquals(Result.WRONG_STATE, a.tcpSend(conn, late, 0));
        net.a().pool.free(late); // still ours: the pool throws on a double free
        net.pump();
        assertEquals(Result.OK, a.tcpClose(conn));
        assertEquals(Result.OK, a.tcpClose(conn), "closing twice is fine");
        Packet later = payload(net.a(), "after close");
        assertEquals(Result.WRONG_STATE, a.tcpSend(conn, later, 0));
        net.a().pool.free(later);
        assertEquals("", server.received.toString());
        net.b().stack.tcpClose(server.conn);
        net.pump();
        net.assertNoLeaks();
    }

    @Test
    void shouldRefuseStaleHandlesAfterOnClosed() {
        TestNet net = net(t -> t.connections(1));
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        int conn = establish(net, server, client, 0);
        Stack<Packet> a = net.a().stack;
        assertEquals(Result.OK, a.tcpAbort(conn));
        net.pump();

        Packet p = payload(net.a(), "stale");
        assertEquals(Result.BAD_HANDLE, a.tcpSend(conn, p, 0));
        net.a().pool.free(p);
        assertEquals(Result.BAD_HANDLE, a.tcpClose(conn));
        assertEquals(Result.BAD_HANDLE, a.tcpAbort(conn));
        assertEquals(Result.BAD_HANDLE, a.tcpShutdownOutput(conn));
        assertEquals(Result.BAD_HANDLE, a.tcpRxConsumed(conn, 1));
        assertEquals(Result.BAD_HANDLE, a.tcpKeepalive(conn, SECOND, SECOND, 1));
        assertEquals(Result.BAD_HANDLE, a.tcpUserTimeout(conn, SECOND));
        assertEquals(Result.BAD_HANDLE, a.tcpNoDelay(conn, true));
        assertEquals(Result.BAD_HANDLE, a.tcpInfo(conn, new TcpInfo()));
        assertNull(a.tcpState(conn));
        assertEquals(Result.BAD_HANDLE, a.tcpClose(-1));
        assertEquals(Result.BAD_HANDLE, a.tcpClose(12345));

        // The only slot is reused: the new handle differs and the old one still names nothing.
        RecordingApp client2 = new RecordingApp(net);
        int conn2 = a.tcpConnect(B, 80, 0, client2, null);
        assertTrue(conn2 >= 0, Result.name(conn2));
        assertNotEquals(conn, conn2);
        net.pump();
        assertEquals(List.of("connected"), client2.log);
        assertEquals(Result.BAD_HANDLE, a.tcpClose(conn));
        assertEquals(TcpState.ESTABLISHED, a.tcpState(conn2));

        // After a normal close the handle dies with onClosed and the slot is free at once: TIME-WAIT keeps the
        // 4-tuple in a record of its own.
        assertEquals(Result.OK, a.tcpClose(conn2));
        net.pump();
        net.b().stack.tcpClose(server.accepted.get(1));
        net.pump();
        assertEquals(List.of("connected", "closed NORMAL"), client2.log);
        assertEquals(0, a.tcpConnectionCount());
        assertEquals(1, a.tcpTimeWaitCount());
        assertNull(a.tcpState(conn2));
        assertEquals(Result.BAD_HANDLE, a.tcpShutdownOutput(conn2));
        assertEquals(Result.BAD_HANDLE, a.tcpInfo(conn2, new TcpInfo()));
        RecordingApp client3 = new RecordingApp(net);
        int conn3 = a.tcpConnect(B, 80, 0, client3, null);
        assertTrue(conn3 >= 0, Result.name(conn3));
        assertNotEquals(conn2, conn3);
        net.pump();
        assertEquals(List.of("connected"), client3.log);
        assertNull(a.tcpState(conn2), "the slot's new incarnation is not the old handle's");
        assertEquals(Result.BAD_HANDLE, a.tcpClose(conn2));
        assertEquals(TcpState.ESTABLISHED, a.tcpState(conn3));
        assertFalse(client2.log.contains("closed ABORTED"));
        a.tcpAbort(conn3);
        net.pump();
        net.assertNoLeaks();
    }
}
