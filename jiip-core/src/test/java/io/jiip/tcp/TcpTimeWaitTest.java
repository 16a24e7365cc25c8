package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.MS;
import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpPeer.ACK;
import static io.jiip.testkit.TcpPeer.FIN;
import static io.jiip.testkit.TcpPeer.RST;
import static io.jiip.testkit.TcpPeer.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpState;
import io.jiip.link.Packet;
import io.jiip.testkit.CloseFirstChurn;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.testkit.TestNet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TIME-WAIT without a connection slot ({@link TimeWaitTable}): the slot is free as soon as TIME-WAIT begins, the
 * record answers as RFC 9293 §3.10.7.4 says, records expire oldest first without a timer each, the oldest is recycled
 * when the table is full, a new SYN reopens a record (RFC 6191), and a server that closes first keeps accepting
 * however many connections come and go. Virtual time only.
 */
class TcpTimeWaitTest {
    static final long STEP = 10_000L;
    static final long SLACK = 2 * (1L << 20);
    static final byte[] REQUEST = new byte[CloseFirstChurn.REQUEST];

    static Consumer<StackConfig.Builder> tcp(Consumer<TcpConfig.Builder> tweak) {
        return b -> {
            TcpConfig.Builder t = TcpConfig.builder();
            tweak.accept(t);
            b.tcp(t.build());
        };
    }

    static long count(TestNet.Node node, Counter counter) {
        return node.stack.stats().get(counter);
    }

    // ---- the slot ----

    @Test
    void shouldGiveTheSlotBackWhenTimeWaitBegins() {
        TestNet net = TestNet.twoNodes(tcp(t -> t.connections(1)), 0);
        CloseFirstChurn churn = new CloseFirstChurn(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, churn.server));
        churn.run(1, STEP);
        assertEquals(0, net.b().stack.tcpConnectionCount(), "TIME-WAIT holds no connection slot");
        assertEquals(1, net.b().stack.tcpTimeWaitCount());
        assertEquals(1, count(net.b(), Counter.TCP_TIME_WAIT_ENTERED));

        // The one slot takes the next connection at once, while the first 4-tuple is still in TIME-WAIT.
        churn.run(3, STEP);
        assertEquals(4, churn.accepts);
        assertEquals(0, churn.failures);
        assertEquals(4, net.b().stack.tcpTimeWaitCount());
        assertEquals(0, count(net.b(), Counter.SYN_COOKIES_SENT));
        assertEquals(0, count(net.a(), Counter.TCP_RETRANSMITS));
        net.assertNoLeaks();
    }

    /**
     * The case: with the default configuration (1,024 connections), a server that closes first keeps
     * accepting far beyond its connection and TIME-WAIT tables, without a stall (no SYN waits for a retransmission).
     * {@code ./jiip bench --churn 1000000} runs a million.
     */
    @Test
    void shouldServeSequentialConnectionsFarBeyondTheTablesWhenTheServerClosesFirst() {
        TestNet net = TestNet.twoNodes();
        CloseFirstChurn churn = new CloseFirstChurn(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, churn.server));
        int capacity = TcpConfig.defaults().timeWaitCapacity();
        int n = 20_000;
        churn.run(n, STEP);

        assertEquals(0, churn.failures);
        assertEquals(n, churn.accepts);
        assertEquals(n, count(net.b(), Counter.TCP_TIME_WAIT_ENTERED));
        assertEquals(capacity, net.b().stack.tcpTimeWaitCount());
        assertEquals(n - capacity, count(net.b(), Counter.TCP_TIME_WAIT_RECYCLED), "the oldest make room");
        assertEquals(0, count(net.b(), Counter.TCP_TIME_WAIT_EXPIRED), "2 MSL never passed");
        assertEquals(0, net.b().stack.tcpConnectionCount());
        assertEquals(0, count(net.a(), Counter.TCP_RETRANSMITS) + count(net.b(), Counter.TCP_RETRANSMITS));
        assertEquals(0, count(net.b(), Counter.SYN_COOKIES_SENT));
        assertEquals(0, net.b().stack.stats().totalDrops());
        net.assertNoLeaks();
    }

    /**
     * The client's ports wrap while the server still holds their TIME-WAIT: every SYN after the first 500 meets a
     * record and must reopen it (RFC 6191) by a newer timestamp (our TSval clock is per 4-tuple, so it grows from
     * one incarnation to the next) or, without timestamps, a higher sequence number (RFC 6528 ISNs grow with time).
     * A refused SYN would show as a SYN retransmission.
     */
    @ParameterizedTest(name = "timestamps={0}")
    @ValueSource(booleans = {true, false})
    void shouldReopenTimeWaitForEachNewIncarnationWhenClientPortsWrap(boolean timestamps) {
        TestNet net = TestNet.twoNodes(tcp(t -> t.timestamps(timestamps).ephemeralPorts(50000, 50499)), 0);
        CloseFirstChurn churn = new CloseFirstChurn(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 16, churn.server));
        churn.run(2000, STEP);

        assertEquals(0, churn.failures);
        assertEquals(1500, count(net.b(), Counter.TCP_TIME_WAIT_REOPENED));
        assertEquals(500, net.b().stack.tcpTimeWaitCount());
        assertEquals(0, count(net.b(), Counter.TCP_TIME_WAIT_RECYCLED));
        assertEquals(0, count(net.a(), Counter.TCP_RETRANSMITS));
        assertEquals(0, count(net.b(), Counter.DROP_TCP_PAWS));
        net.assertNoLeaks();
    }

    // ---- recycling and expiry ----

    @Test
    void shouldRecycleTheOldestRecordWhenTheTableIsFull() {
        TestNet net = TestNet.twoNodes(tcp(t -> t.timeWaitCapacity(2)), 0);
        CloseFirstChurn churn = new CloseFirstChurn(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, churn.server));
        for (int port = 50001; port <= 50003; port++) {
            churn.runOne(port, STEP);
        }
        assertEquals(2, net.b().stack.tcpTimeWaitCount());
        assertEquals(3, count(net.b(), Counter.TCP_TIME_WAIT_ENTERED));
        assertEquals(1, count(net.b(), Counter.TCP_TIME_WAIT_RECYCLED));

        // The oldest (from 50001) made room: a SYN from 50001 finds no record. 50003's is still there and the new
        // SYN reopens it (RFC 6191).
        churn.runOne(50001, STEP);
        assertEquals(0, count(net.b(), Counter.TCP_TIME_WAIT_REOPENED));
        assertEquals(2, count(net.b(), Counter.TCP_TIME_WAIT_RECYCLED), "50002's record went for 50001's");
        net.clock.advance(10 * MS); // a newer TSval than 50003's last segment: the ms clock ticked
        churn.runOne(50003, STEP);
        assertEquals(1, count(net.b(), Counter.TCP_TIME_WAIT_REOPENED));
        assertEquals(5, churn.accepts);
        assertEquals(0, churn.failures);
        net.assertNoLeaks();
    }

    @Test
    void shouldExpireRecordsOldestFirstInBoundedBatchesAndReportTheOldestDeadline() {
        TestNet net = TestNet.twoNodes(tcp(t -> t.mslNanos(SECOND)), 0);
        CloseFirstChurn churn = new CloseFirstChurn(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, churn.server));
        long enteredAt = net.clock.nanoTime();
        churn.runAtOnce(300);
        assertEquals(300, churn.completed);
        Stack<Packet> b = net.b().stack;
        assertEquals(300, b.tcpTimeWaitCount());
        assertEquals(enteredAt + 2 * SECOND, b.run(), "the next deadline is the oldest record's expiry");

        net.clock.advanceTo(enteredAt + 2 * SECOND);
        long next = b.run();
        assertEquals(256, count(net.b(), Counter.TCP_TIME_WAIT_EXPIRED), "at most 256 records expire per run");
        assertEquals(44, b.tcpTimeWaitCount());
        assertTrue(next <= net.clock.nanoTime(), "the rest is due at once");
        assertEquals(Long.MAX_VALUE, b.run());
        assertEquals(300, count(net.b(), Counter.TCP_TIME_WAIT_EXPIRED));
        assertEquals(0, b.tcpTimeWaitCount());
        net.assertNoLeaks();
    }

    // ---- answering from the record (RFC 9293 §3.10.7.4) ----

    /** The peer from {@code localPort} connects to the stack's port 80, which answers a request and closes first. */
    static Seg serverClosesFirst(TcpPeer peer, int localPort) {
        peer.ports(localPort, 80);
        peer.iss += 1_000_000;
        peer.connect(Opts.none().mss(1460).ts(peer.tsVal, 0));
        peer.data(REQUEST);
        peer.expect(ACK); // the response, FIN to follow
        Seg fin = peer.expect(FIN | ACK);
        peer.tsVal += 10;
        peer.fin();
        peer.expect(ACK);
        return fin;
    }

    static TcpPeer peerWithServer(Consumer<TcpConfig.Builder> tweak) {
        TcpPeer peer = TcpPeer.withStack(tcp(tweak));
        peer.timestamps = true;
        CloseFirstChurn churn = new CloseFirstChurn(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 8, churn.server));
        return peer;
    }

    @Test
    void shouldAckARetransmittedFinFromTheRecordAndMoveItBehindYoungerOnes() {
        TcpPeer peer = peerWithServer(t -> t.mslNanos(5 * SECOND));
        TestNet net = peer.net;
        Seg firstFin = serverClosesFirst(peer, 40001);
        int firstSndNxt = peer.sndNxt;
        int firstRcvNxt = peer.rcvNxt;
        long firstAt = net.clock.nanoTime();
        net.runFor(SECOND);
        serverClosesFirst(peer, 40002);
        assertEquals(2, net.a().stack.tcpTimeWaitCount());

        net.runFor(7 * SECOND); // 8 s into the first record's 10
        peer.tsVal += 5;
        peer.ports(40001, 80);
        peer.send(FIN | ACK, firstSndNxt - 1, firstRcvNxt, 65535, Opts.none().ts(peer.tsVal, 0));
        Seg ack = peer.expect(ACK);
        assertEquals(firstRcvNxt, ack.seq(), "SND.NXT of the old connection");
        assertEquals(firstSndNxt, ack.ack(), "RCV.NXT of the old connection");
        assertEquals(peer.tsVal, ack.tsEcr(), "TS.Recent from the FIN");
        assertEquals((int) (ack.time() / MS) - (int) (firstFin.time() / MS), ack.tsVal() - firstFin.tsVal(),
                "TSval continues the connection's clock");

        // The second record (entered 1 s after the first) expires first now, at 11 s; the first lasts to 18 s.
        net.runFor(firstAt + 11 * SECOND + SLACK - net.clock.nanoTime());
        assertEquals(1, net.a().stack.tcpTimeWaitCount());
        assertEquals(1, peer.net.a().stack.stats().get(Counter.TCP_TIME_WAIT_EXPIRED));
        net.runFor(firstAt + 18 * SECOND - 10 * MS - net.clock.nanoTime());
        assertEquals(1, net.a().stack.tcpTimeWaitCount(), "restarted by the FIN at 8 s");
        net.runFor(10 * MS + SLACK);
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        peer.expectNone();
        net.assertNoLeaks();
    }

    @Test
    void shouldEndTheRecordOnlyOnARstExactlyAtRcvNxt() {
        TcpPeer peer = peerWithServer(t -> { });
        TestNet net = peer.net;
        serverClosesFirst(peer, 40001);
        long challenges = count(net.a(), Counter.TCP_CHALLENGE_ACKS);

        peer.ack(); // a bare ACK at RCV.NXT: nothing to answer
        peer.expectNone();
        peer.send(RST, peer.sndNxt + 10, 0, 0); // in the window, not exact: a challenge ACK (RFC 5961 §3.2)
        assertEquals(peer.sndNxt, peer.expect(ACK).ack());
        assertEquals(challenges + 1, count(net.a(), Counter.TCP_CHALLENGE_ACKS));
        peer.send(RST, peer.sndNxt + 100_000_000, 0, 0); // outside: dropped in silence
        peer.expectNone();
        assertEquals(2, count(net.a(), Counter.DROP_TCP_BAD_RST));
        assertEquals(1, net.a().stack.tcpTimeWaitCount());

        peer.send(RST, peer.sndNxt, 0, 0);
        peer.expectNone();
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        assertEquals(1, count(net.a(), Counter.TCP_TIME_WAIT_RESET));
        net.assertNoLeaks();
    }

    @Test
    void shouldAnswerAnOldSynWithAnAckAndLetANewerOneReopen() {
        TcpPeer peer = peerWithServer(t -> { });
        TestNet net = peer.net;
        serverClosesFirst(peer, 40001);
        int rcvNxt = peer.rcvNxt;

        // An old SYN (the same timestamp, a sequence number below RCV.NXT): a challenge ACK from the record, which
        // stays.
        peer.send(SYN, peer.sndNxt - 5, 0, 65535, Opts.none().mss(1460).ts(peer.tsVal, 0));
        Seg ack = peer.expect(ACK);
        assertEquals(rcvNxt, ack.seq());
        assertEquals(peer.sndNxt, ack.ack());
        assertEquals(1, count(net.a(), Counter.DROP_TCP_BAD_SYN));
        assertEquals(1, net.a().stack.tcpTimeWaitCount());

        // RFC 6191 §2: the same timestamp (the peer's clock did not tick) and a higher sequence number is a new
        // incarnation: the record goes, the listener answers.
        peer.send(SYN, peer.sndNxt + 100_000, 0, 65535, Opts.none().mss(1460).ts(peer.tsVal, 0));
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(peer.sndNxt + 100_001, synAck.ack());
        assertEquals(1, count(net.a(), Counter.TCP_TIME_WAIT_REOPENED));
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        assertEquals(1, net.a().stack.tcpConnectionCount());
        net.assertNoLeaks();
    }

    // ---- a full connection table ----

    /** A server that counts accept decisions and keeps its handles. */
    static final class Server implements TcpEvents<Packet> {
        int decisions;
        final List<Integer> accepted = new ArrayList<>();

        @Override
        public boolean onAccept(Stack<Packet> stack, int localPort, int remoteIp, int remotePort) {
            decisions++;
            return true;
        }

        @Override
        public Object onAccepted(Stack<Packet> stack, int connection) {
            accepted.add(connection);
            return null;
        }
    }

    /** Four live connections from the peer (ports 40001..40004) fill a four-slot table. */
    static Server fillTable(TcpPeer peer) {
        Server server = new Server();
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 8, server));
        for (int port = 40001; port <= 40004; port++) {
            peer.ports(port, 80);
            peer.iss += 1_000_000;
            peer.connect(Opts.none().mss(1460));
        }
        peer.drain();
        assertEquals(4, server.accepted.size());
        assertEquals(4, peer.net.a().stack.tcpConnectionCount());
        return server;
    }

    @Test
    void shouldAnswerASynWithACookieWhenEverySlotHoldsALiveConnection() {
        TcpPeer peer = TcpPeer.withStack(tcp(t -> t.connections(4)));
        Stack<Packet> stack = peer.net.a().stack;
        Server server = fillTable(peer);

        peer.ports(40005, 80);
        peer.iss += 1_000_000;
        peer.send(SYN, peer.iss, 0, 65535, Opts.none().mss(1460));
        Seg cookie = peer.expect(SYN | ACK);
        assertEquals(1, count(peer.net.a(), Counter.SYN_COOKIES_SENT));
        assertEquals(4, stack.tcpConnectionCount(), "a cookie keeps no state");

        // Still full when the ACK comes: dropped and counted; the peer's next segment completes it once a slot is
        // free.
        peer.send(ACK, peer.iss + 1, cookie.seq() + 1, 65535);
        assertEquals(1, count(peer.net.a(), Counter.DROP_TCP_TABLE_FULL));
        assertEquals(Result.OK, stack.tcpAbort(server.accepted.get(0)));
        peer.drain();
        peer.send(ACK, peer.iss + 1, cookie.seq() + 1, 65535);
        assertEquals(5, server.accepted.size());
        assertEquals(TcpState.ESTABLISHED, stack.tcpState(server.accepted.get(4)));
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldCountASynDroppedForAFullTableWithoutCookiesAndNotAskTheApplication() {
        TcpPeer peer = TcpPeer.withStack(tcp(t -> t.connections(4).synCookies(false)));
        Server server = fillTable(peer);
        peer.ports(40005, 80);
        peer.send(SYN, peer.iss + 1_000_000, 0, 65535, Opts.none().mss(1460));
        peer.expectNone();
        assertEquals(1, count(peer.net.a(), Counter.DROP_TCP_TABLE_FULL));
        assertEquals(4, server.decisions, "the application is not asked for a connection that cannot be made");
        peer.net.assertNoLeaks();
    }
}
