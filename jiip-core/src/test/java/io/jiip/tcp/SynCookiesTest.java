package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpFixtures.bytes;
import static io.jiip.testkit.TcpFixtures.stackTcp;
import static io.jiip.testkit.TcpPeer.ACK;
import static io.jiip.testkit.TcpPeer.RST;
import static io.jiip.testkit.TcpPeer.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stats;
import io.jiip.api.TcpInfo;
import io.jiip.link.Packet;
import io.jiip.testkit.Accounting;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.wire.TcpOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SYN cookies (RFC 4987 §3.6): stateless SYN-ACKs when the backlog is full, and connections completed by them. */
class SynCookiesTest {
    /** A stack listening on 80 with a backlog of 1, whose one slot is taken by a half-open connection. */
    static TcpPeer fullBacklog(RecordingApp[] server) {
        TcpPeer peer = TcpPeer.withStack(b -> { });
        server[0] = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 1, server[0]));
        peer.segment(999, 80, SYN, 5000, 0, 65535, null, null);
        peer.expect(SYN | ACK);
        assertEquals(1, peer.net.a().stack.tcpConnectionCount());
        return peer;
    }

    static Stats stats(TcpPeer peer) {
        return peer.net.a().stack.stats();
    }

    @Test
    void shouldAnswerWithCookieAndKeepNoStateWhenBacklogFull() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = fullBacklog(server);
        peer.timestamps = true;
        peer.send(SYN, peer.iss, 0, 65535, Opts.all(1460, 7, peer.tsVal, 0));
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(peer.iss + 1, synAck.ack());
        assertEquals(1, stats(peer).get(Counter.SYN_COOKIES_SENT));
        assertEquals(0, stats(peer).get(Counter.DROP_TCP_BACKLOG_FULL));
        assertEquals(1, peer.net.a().stack.tcpConnectionCount(), "no state for the cookie");
        assertTrue(synAck.timestamps());
        assertEquals(7, synAck.tsVal() & 0xf, "peer's window scale in the low TSval bits");
        assertEquals(0x10, synAck.tsVal() & 0x10, "SACK-permitted in the low TSval bits");
        peer.expectNone(); // a cookie is never retransmitted
        peer.net.advance(5 * SECOND);
        for (Seg s : peer.drain()) {
            assertEquals(999, s.dstPort(), "only the real half-open connection retransmits: " + s);
        }
    }

    @Test
    void shouldCompleteConnectionThroughValidCookieWithOptions() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = fullBacklog(server);
        peer.timestamps = true;
        peer.send(SYN, peer.iss, 0, 65535, Opts.all(1460, 7, peer.tsVal, 0));
        Seg synAck = peer.expect(SYN | ACK);
        peer.sndNxt = peer.iss + 1;
        peer.rcvNxt = synAck.seq() + 1;
        peer.tsRecent = synAck.tsVal();
        peer.ack();
        assertEquals(List.of("accepted"), server[0].log);
        assertEquals(1, stats(peer).get(Counter.SYN_COOKIES_VALID));
        assertEquals(2, peer.net.a().stack.tcpConnectionCount());
        TcpInfo info = new TcpInfo();
        assertEquals(Result.OK, peer.net.a().stack.tcpInfo(server[0].conn, info));
        assertTrue(info.timestamps);
        assertTrue(info.windowScaling);
        assertTrue(info.sackPermitted);
        assertEquals(1460 - TcpOptions.TIMESTAMPS_ALIGNED_LENGTH, info.mss);

        // Data both ways, byte-exact; the window is scaled by the shift the cookie carried.
        peer.data(bytes("hello cookie"));
        assertEquals("hello cookie", server[0].received.toString());
        Packet p = peer.net.a().pool.alloc(5);
        p.buffer().put(p.offset(), bytes("reply"));
        peer.net.a().pool.length(p, 5);
        assertEquals(Result.OK, peer.net.a().stack.tcpSend(server[0].conn, p, 0));
        Seg reply = peer.drain().stream().filter(x -> x.payload().length > 0).findFirst().orElseThrow();
        assertTrue(reply.tsVal() - synAck.tsVal() >= 0, "TSval never goes back (PAWS at the peer)");
        assertEquals("reply", new String(reply.payload(), StandardCharsets.US_ASCII));
        assertEquals(synAck.seq() + 1, reply.seq());
        assertEquals(Result.OK, peer.net.a().stack.tcpAbort(server[0].conn));
        peer.drain();
    }

    @Test
    void shouldCompleteCookieWithoutTimestampsWithoutScalingOrSack() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = fullBacklog(server);
        peer.send(SYN, peer.iss, 0, 65535, Opts.none().mss(1400).ws(5).sackPerm());
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(-1, synAck.windowScale(), "no room to remember the peer's scale: none offered");
        assertFalse(synAck.sackPermitted());
        peer.sndNxt = peer.iss + 1;
        peer.rcvNxt = synAck.seq() + 1;
        peer.data(bytes("x"));
        assertEquals(List.of("accepted"), server[0].log);
        assertEquals("x", server[0].received.toString(), "data on the final ACK is delivered");
        TcpInfo info = new TcpInfo();
        assertEquals(Result.OK, peer.net.a().stack.tcpInfo(server[0].conn, info));
        assertFalse(info.windowScaling);
        assertFalse(info.sackPermitted);
        assertEquals(1400, info.mss);
    }

    @Test
    void shouldRejectForgedAndStaleCookies() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = fullBacklog(server);
        peer.send(SYN, peer.iss, 0, 65535, Opts.none().mss(1460));
        Seg synAck = peer.expect(SYN | ACK);
        // Wrong ACK number, wrong peer ISN, another port: all invalid, answered with RST, no connection.
        peer.send(ACK, peer.iss + 1, synAck.seq() + 2, 65535);
        assertEquals(RST, peer.expect(RST).flags());
        peer.send(ACK, peer.iss + 2, synAck.seq() + 1, 65535);
        peer.expect(RST);
        peer.segment(peer.localPort + 1, 80, ACK, peer.iss + 1, synAck.seq() + 1, 65535, null, null);
        peer.expect(RST);
        assertEquals(3, stats(peer).get(Counter.SYN_COOKIES_INVALID));
        assertEquals(0, stats(peer).get(Counter.SYN_COOKIES_VALID));
        // Too old: more than 2 ticks of 64 s.
        peer.net.advance(3 * 64 * SECOND + SECOND);
        peer.drain();
        peer.send(ACK, peer.iss + 1, synAck.seq() + 1, 65535);
        peer.expect(RST);
        assertEquals(0, stats(peer).get(Counter.SYN_COOKIES_VALID));
        assertTrue(server[0].log.isEmpty());
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldAcceptCookieWithinTwoTicks() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = fullBacklog(server);
        peer.send(SYN, peer.iss, 0, 65535, Opts.none().mss(1460));
        Seg synAck = peer.expect(SYN | ACK);
        peer.net.advance(100 * SECOND); // the first half-open connection times out meanwhile
        peer.drain();
        peer.send(ACK, peer.iss + 1, synAck.seq() + 1, 65535);
        assertEquals(List.of("accepted"), server[0].log);
        assertEquals(1, stats(peer).get(Counter.SYN_COOKIES_VALID));
    }

    @Test
    void shouldDropWhenCookiesOff() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.synCookies(false)));
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 1, server));
        peer.segment(999, 80, SYN, 5000, 0, 65535, null, null);
        peer.expect(SYN | ACK);
        peer.send(SYN, peer.iss, 0, 65535);
        peer.expectNone();
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_BACKLOG_FULL));
        assertEquals(0, stats(peer).get(Counter.SYN_COOKIES_SENT));
    }

    @Test
    void shouldUseCookiesOverThePerContextHalfOpenLimit() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.halfOpenLimit(2)));
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 100, server));
        for (int i = 0; i < 5; i++) {
            peer.segment(1000 + i, 80, SYN, 5000 * i, 0, 65535, null, null);
            peer.expect(SYN | ACK);
        }
        assertEquals(2, peer.net.a().stack.tcpConnectionCount());
        assertEquals(3, stats(peer).get(Counter.TCP_HALF_OPEN_LIMITED));
        assertEquals(3, stats(peer).get(Counter.SYN_COOKIES_SENT));
    }

    @Test
    void shouldDropOverThePerContextHalfOpenLimitWhenCookiesOff() {
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.halfOpenLimit(2).synCookies(false)));
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 100, server));
        RecordingApp other = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(81, 100, other));
        peer.segment(1000, 80, SYN, 0, 0, 65535, null, null);
        peer.expect(SYN | ACK);
        peer.segment(1001, 81, SYN, 0, 0, 65535, null, null);
        peer.expect(SYN | ACK);
        peer.segment(1002, 81, SYN, 0, 0, 65535, null, null); // the limit counts both listeners together
        peer.expectNone();
        assertEquals(1, stats(peer).get(Counter.DROP_TCP_HALF_OPEN_LIMIT));
        assertEquals(1, stats(peer).get(Counter.TCP_HALF_OPEN_LIMITED));
        assertEquals(2, peer.net.a().stack.tcpConnectionCount());
        Accounting.assertEveryFrameAccounted(stats(peer));
    }

    @Test
    void shouldUseCookiesWhenTheConnectionTableIsNearlyFull() {
        // 32 connections: the last 32 / 16 = 2 slots are kept for connections proven by a cookie.
        TcpPeer peer = TcpPeer.withStack(stackTcp(t -> t.connections(32).halfOpenLimit(100)));
        RecordingApp server = new RecordingApp(peer.net);
        assertEquals(Result.OK, peer.net.a().stack.tcpListen(80, 100, server));
        for (int i = 0; i < 30; i++) {
            peer.segment(1000 + i, 80, SYN, 100 * i, 0, 65535, null, null);
            peer.expect(SYN | ACK);
        }
        assertEquals(0, stats(peer).get(Counter.SYN_COOKIES_SENT));
        peer.segment(2000, 80, SYN, 7777, 0, 65535, null, null);
        Seg synAck = peer.expect(SYN | ACK);
        assertEquals(1, stats(peer).get(Counter.SYN_COOKIES_SENT));
        assertEquals(30, peer.net.a().stack.tcpConnectionCount());
        peer.segment(2000, 80, ACK, 7778, synAck.seq() + 1, 65535, null, null);
        assertEquals(1, stats(peer).get(Counter.SYN_COOKIES_VALID));
        assertEquals(List.of("accepted"), server.log);
        assertEquals(31, peer.net.a().stack.tcpConnectionCount());
    }

    @Test
    void shouldEncodeAndDecodeEveryMssIndex() {
        for (int i = 0; i < SynCookies.MSS_TABLE.length; i++) {
            assertEquals(i, SynCookies.mssIndex(SynCookies.MSS_TABLE[i]));
            assertEquals(i, SynCookies.mssIndex(SynCookies.MSS_TABLE[i] + (i == 7 ? 10000 : 1)));
        }
        assertEquals(0, SynCookies.mssIndex(100));
    }
}
