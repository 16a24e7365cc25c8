package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpFixtures.bytes;
import static io.jiip.testkit.TcpFixtures.connected;
import static io.jiip.testkit.TcpFixtures.stackTcp;
import static io.jiip.testkit.TcpPeer.ACK;
import static io.jiip.testkit.TcpPeer.PSH;
import static io.jiip.testkit.TcpPeer.RST;
import static io.jiip.testkit.TcpPeer.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpState;
import io.jiip.iface.NetInterface;
import io.jiip.link.Packet;
import io.jiip.testkit.Accounting;
import io.jiip.testkit.Frames;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.wire.Bytes;
import io.jiip.wire.Ipv4Header;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against an established connection and the IP layer: blind injection with random sequence numbers
 * (RFC 5961), ACK storms for data never sent, segment floods, fragment storms and a zero-window attack. Each test
 * asserts the counters, that nothing leaks, and that the victim connection still transfers byte-exact.
 */
class AdversarialTest {
    /** Data both ways after the attack: the victim is intact. */
    static void assertStillTransfers(TcpPeer peer, RecordingApp server, String prefix) {
        peer.drain();
        peer.data(bytes("after the attack"));
        assertEquals(prefix + "after the attack", server.received.toString());
        Packet p = peer.net.a().pool.alloc(4);
        p.buffer().put(p.offset(), bytes("pong"));
        peer.net.a().pool.length(p, 4);
        assertEquals(Result.OK, peer.net.a().stack.tcpSend(server.conn, p, 0));
        List<Seg> out = peer.drain();
        Seg reply = out.stream().filter(s -> s.payload().length > 0).findFirst().orElseThrow();
        assertEquals("pong", new String(reply.payload(), StandardCharsets.US_ASCII));
        assertEquals(peer.rcvNxt, reply.seq(), "in sequence");
        peer.rcvNxt = reply.seq() + 4;
        peer.ack();
        assertEquals(TcpState.ESTABLISHED, peer.net.a().stack.tcpState(server.conn));
    }

    /** The TCP layer of a stack (white-box, for the budget assertions). */
    static TcpLayer<?> tcpOf(Stack<?> stack) {
        try {
            Field f = Stack.class.getDeclaredField("nif");
            f.setAccessible(true);
            return ((NetInterface<?>) f.get(stack)).tcp;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static void closeAndCheckLeaks(TcpPeer peer, RecordingApp server) {
        assertEquals(Result.OK, peer.net.a().stack.tcpAbort(server.conn));
        peer.drain();
        assertEquals(0, peer.net.a().stack.tcpConnectionCount());
        Accounting.assertEveryFrameAccounted(peer.net.a().stack.stats());
        peer.net.assertNoLeaks();
    }

    @Test
    void blindRstSynAndDataInjectionWithRandomSequenceNumbersIsRejected() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        peer.data(bytes("before "));
        Accounting.Snapshot before = Accounting.snapshot(peer.net.a().stack.stats());
        Random r = new Random(42);
        int n = 3000;
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(3);
            int flags = kind == 0 ? RST : kind == 1 ? SYN : ACK | PSH;
            if (r.nextBoolean() && kind != 1) {
                flags |= ACK;
            }
            int seq = r.nextInt();
            if (seq == peer.sndNxt) {
                seq++;
            }
            byte[] payload = kind == 2 ? bytes("EVIL") : null;
            peer.pushSegment(peer.localPort, peer.remotePort, flags, seq, r.nextInt(), 65535, null, payload);
            if (i % 50 == 49) {
                peer.net.pump();
            }
        }
        peer.net.pump();
        assertEquals(0, before.delta(Counter.TCP_RESETS_RX));
        assertEquals(List.of("accepted"), server[0].log);
        assertEquals("before ", server[0].received.toString(), "no injected byte delivered");
        long rejected = before.delta(Counter.DROP_TCP_OUT_OF_WINDOW) + before.delta(Counter.DROP_TCP_DUPLICATE)
                + before.delta(Counter.DROP_TCP_BAD_RST) + before.delta(Counter.DROP_TCP_BAD_SYN)
                + before.delta(Counter.DROP_TCP_BAD_ACK) + before.delta(Counter.DROP_TCP_STATE);
        assertEquals(n, rejected, before.changes().toString());
        // Challenge ACKs stay within the RFC 5961 §7 budget (1000 per second by default; no time passed).
        assertTrue(before.delta(Counter.TCP_CHALLENGE_ACKS) <= 1000, before.changes().toString());
        assertStillTransfers(peer, server[0], "before ");
        closeAndCheckLeaks(peer, server[0]);
    }

    @Test
    void synFloodIsAnsweredWithCookiesAndKeepsNoStateBeyondTheBacklog() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server); // listener on 80 with a backlog of 16
        Accounting.Snapshot before = Accounting.snapshot(peer.net.a().stack.stats());
        Random r = new Random(3);
        int n = 5000;
        for (int i = 0; i < n; i++) {
            int port = 1024 + r.nextInt(60000);
            peer.pushSegment(port == peer.localPort ? port + 1 : port, 80, SYN, r.nextInt(), 0, 65535,
                    Opts.all(1460, 7, r.nextInt(), 0), null);
            if (i % 60 == 59) {
                peer.net.pump();
            }
        }
        peer.net.pump();
        assertTrue(peer.net.a().stack.tcpConnectionCount() <= 1 + 16, "half-open bounded by the backlog");
        assertTrue(before.delta(Counter.SYN_COOKIES_SENT) >= n - 16 - 400, before.changes().toString());
        assertEquals(0, before.delta(Counter.SYN_COOKIES_VALID));
        assertStillTransfers(peer, server[0], "");
        // The real half-open connections time out; nothing of the flood remains.
        peer.net.runFor(200 * SECOND);
        peer.drain();
        assertEquals(1, peer.net.a().stack.tcpConnectionCount());
        assertEquals(List.of("accepted"), server[0].log);
        closeAndCheckLeaks(peer, server[0]);
    }

    @Test
    void challengeAckRateLimitHoldsUnderInWindowRstFlood() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(stackTcp(t -> t.challengeAcksPerSecond(10)), server);
        Accounting.Snapshot before = Accounting.snapshot(peer.net.a().stack.stats());
        for (int i = 1; i <= 500; i++) {
            peer.segment(peer.localPort, peer.remotePort, RST, peer.sndNxt + i, 0, 65535, null, null);
        }
        assertEquals(500, before.delta(Counter.DROP_TCP_BAD_RST));
        assertTrue(before.delta(Counter.TCP_CHALLENGE_ACKS) <= 10, before.changes().toString());
        assertTrue(before.delta(Counter.TCP_CHALLENGE_ACKS_LIMITED) >= 490, before.changes().toString());
        assertStillTransfers(peer, server[0], "");
        closeAndCheckLeaks(peer, server[0]);
    }

    @Test
    void ackStormForDataNeverSentIsDroppedAndAcknowledgesNothing() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(b -> { }, server);
        Accounting.Snapshot before = Accounting.snapshot(peer.net.a().stack.stats());
        long txBefore = peer.net.a().stack.stats().get(Counter.TCP_TX);
        Random r = new Random(7);
        int n = 2000;
        for (int i = 0; i < n; i++) {
            int ack = peer.rcvNxt + 1 + r.nextInt(1 << 30); // beyond SND.NXT: data never sent
            peer.pushSegment(peer.localPort, peer.remotePort, ACK, peer.sndNxt, ack, 65535, peer.tsOpts(), null);
            if (i % 100 == 99) {
                peer.net.pump();
            }
        }
        peer.net.pump();
        assertEquals(n, before.delta(Counter.DROP_TCP_BAD_ACK));
        assertEquals(0, server[0].acked, "nothing acknowledged");
        long sent = peer.net.a().stack.stats().get(Counter.TCP_TX) - txBefore;
        assertTrue(sent <= n / 32, "one ACK per run (64 frames) at most, not one per storm segment: " + sent);
        assertStillTransfers(peer, server[0], "");
        closeAndCheckLeaks(peer, server[0]);
    }

    @Test
    void segmentFloodWithRandomSequenceNumbersStaysWithinTheOutOfOrderBudget() {
        RecordingApp[] server = new RecordingApp[1];
        int budget = 64 * 1024;
        TcpPeer peer = connected(stackTcp(t -> t.outOfOrderMemory(budget)), server);
        Accounting.Snapshot before = Accounting.snapshot(peer.net.a().stack.stats());
        Random r = new Random(11);
        byte[] junk = new byte[100];
        for (int i = 0; i < 3000; i++) {
            // Half anywhere in the sequence space, half inside the receive window (beyond RCV.NXT) with a valid ACK.
            int seq = r.nextBoolean() ? r.nextInt() : peer.sndNxt + 1 + r.nextInt(200_000);
            int ack = r.nextBoolean() ? r.nextInt() : peer.rcvNxt;
            peer.pushSegment(peer.localPort, peer.remotePort, ACK | PSH, seq, ack, 65535, peer.tsOpts(), junk);
            if (i % 64 == 63) {
                peer.net.pump();
                TcpLayer<?> tcp = tcpOf(peer.net.a().stack);
                assertTrue(tcp.oooMemory <= budget, "out-of-order memory " + tcp.oooMemory);
            }
        }
        peer.net.pump();
        assertTrue(before.delta(Counter.DROP_TCP_OOO_LIMIT) > 0, before.changes().toString());
        assertEquals("", server[0].received.toString(), "nothing at RCV.NXT was injected");
        assertEquals(TcpState.ESTABLISHED, peer.net.a().stack.tcpState(server[0].conn));
        closeAndCheckLeaks(peer, server[0]);
    }

    @Test
    void fragmentStormIsBoundedAndExpires() {
        TcpPeer peer = TcpPeer.withStack(b -> b.reassemblyMemory(64 * 1024).reassemblyDatagrams(16));
        var node = peer.net.a();
        List<byte[]> delivered = new ArrayList<>();
        assertEquals(Result.OK, node.stack.udpBind(7, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] d = new byte[len];
            packet.buffer().get(off, d);
            delivered.add(d);
        }));
        Accounting.Snapshot before = Accounting.snapshot(node.stack.stats());
        long baseline = node.pool.inUse();
        Random r = new Random(5);
        for (int i = 0; i < 4000; i++) {
            int kind = r.nextInt(3);
            int id = kind == 0 ? r.nextInt(4) : r.nextInt(65536); // overlapping on a few ids, or never completing
            int offset = kind == 2 ? 65000 + 8 * r.nextInt(60) : 8 * r.nextInt(1000); // oversized
            byte[] payload = Frames.pattern(8 * (1 + r.nextInt(150)));
            byte[] frame = Frames.ipv4(Ipv4Header.PROTO_UDP, payload).src(Frames.A_IP + r.nextInt(8)).id(id)
                    .fragmentFlags(offset, r.nextInt(4) != 0).build();
            Frames.inject(node, frame);
        }
        assertTrue(before.delta(Counter.REASM_FRAGMENTS_RX) > 0);
        assertTrue(before.delta(Counter.DROP_REASM_TOO_BIG) > 0, before.changes().toString());
        assertTrue(before.delta(Counter.DROP_REASM_MEMORY) + before.delta(Counter.DROP_REASM_NO_SLOT) > 0,
                before.changes().toString());
        // Everything held is released by the reassembly timeout.
        peer.net.advance(60 * SECOND);
        peer.net.pump();
        assertEquals(baseline, node.pool.inUse(), "fragments still held after the timeout");
        Accounting.assertEveryFrameAccounted(node.stack.stats());
        // A real datagram in two fragments still gets through.
        byte[] data = Frames.pattern(1600);
        byte[] udp = new byte[8 + data.length];
        Bytes.u16(ByteBuffer.wrap(udp), 0, 1000);
        Bytes.u16(ByteBuffer.wrap(udp), 2, 7);
        Bytes.u16(ByteBuffer.wrap(udp), 4, udp.length);
        System.arraycopy(data, 0, udp, 8, data.length);
        byte[] first = Arrays.copyOfRange(udp, 0, 1000);
        byte[] second = Arrays.copyOfRange(udp, 1000, udp.length);
        Frames.inject(node, Frames.ipv4(Ipv4Header.PROTO_UDP, first).id(4242).fragmentFlags(0, true).build());
        Frames.inject(node, Frames.ipv4(Ipv4Header.PROTO_UDP, second).id(4242).fragmentFlags(1000, false).build());
        assertEquals(1, delivered.size(), before.changes().toString());
        assertEquals(data.length, delivered.get(0).length);
        assertTrue(Arrays.equals(data, delivered.get(0)));
        peer.net.assertNoLeaks();
    }

    @Test
    void zeroWindowAttackIsClosedByTheUserTimeout() {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(stackTcp(t -> t.userTimeoutNanos(30 * SECOND)), server);
        var stack = peer.net.a().stack;
        // The server has data to send; the peer takes the first segment and then closes its window for good.
        for (int i = 0; i < 20; i++) {
            Packet p = peer.net.a().pool.alloc(1000);
            peer.net.a().pool.length(p, 1000);
            assertEquals(Result.OK, stack.tcpSend(server[0].conn, p, 0));
        }
        List<Seg> first = peer.drain();
        int acked = first.get(0).seq() + first.stream().mapToInt(s -> s.payload().length).sum();
        peer.send(ACK, peer.sndNxt, acked, 0, peer.tsOpts());
        // From now on the peer answers every probe with a zero window and never acknowledges anything new.
        long start = peer.net.clock.nanoTime();
        int probes = 0;
        while (stack.tcpState(server[0].conn) != null && peer.net.clock.nanoTime() - start < 600 * SECOND) {
            peer.net.runFor(SECOND);
            for (Seg s : peer.drain()) {
                if (!s.has(RST)) {
                    probes++;
                    peer.send(ACK, peer.sndNxt, acked, 0, peer.tsOpts());
                }
            }
        }
        assertTrue(probes > 0, "the peer was probed");
        assertEquals(TcpCloseReason.TIMEOUT, server[0].closedReason, server[0].log.toString());
        assertTrue(peer.net.clock.nanoTime() - start <= 31 * SECOND + 60 * SECOND,
                "closed within the user timeout plus one probe interval");
        assertEquals(0, stack.tcpConnectionCount());
        peer.drain();
        peer.net.assertNoLeaks();
    }
}
