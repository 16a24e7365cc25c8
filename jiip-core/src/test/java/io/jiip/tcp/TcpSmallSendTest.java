package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.FaultInjector;
import io.jiip.link.Packet;
import io.jiip.testkit.ByteStream;
import io.jiip.testkit.TestNet;
import org.junit.jupiter.api.Test;

/**
 * Payloads of up to {@link SegmentPool#INLINE_BYTES} bytes sent without scatter-gather are copied into the send
 * queue, and their packets go back to the pool at once: with thousands of request-response connections, a packet
 * held until the peer's ACK is a cold descriptor and slot by the time it is freed.
 */
class TcpSmallSendTest {
    @Test
    void shouldFreeASmallPayloadAtOnceAndHoldALargerOne() {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().nagle(false).build()), 0);
        ByteStream sink = new ByteStream(1, 0, 1, 1);
        assertEquals(Result.OK, net.b().stack.tcpListen(9000, 4, sink.sink()));
        int conn = net.a().stack.tcpConnect(B, 9000, 0, new TcpEvents<>() { }, null);
        net.pump();
        int idle = net.a().pool.inUse();

        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), SegmentPool.INLINE_BYTES), 0));
        assertEquals(idle, net.a().pool.inUse(), "copied: the packet is back before the peer acknowledged it");
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), SegmentPool.INLINE_BYTES + 1), 0));
        assertEquals(idle + 1, net.a().pool.inUse(), "zero-copy: held until acknowledged");
        net.pump();
        assertEquals(idle, net.a().pool.inUse());
        net.assertNoLeaks();
    }

    /** Tiny sends over a lossy link: retransmissions come from the copies, byte-exact, with or without SACK. */
    @Test
    void shouldRetransmitCopiedPayloadsByteExact() throws Exception {
        for (boolean sack : new boolean[] {true, false}) {
            TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().sack(sack).nagle(true).build()), 0);
            net.link.hook(new FaultInjector(7).drop(0.03));
            ByteStream stream = new ByteStream(sack ? 11 : 12, 200_000, 1, SegmentPool.INLINE_BYTES);
            run(net, stream);
            assertTrue(net.a().stack.stats().get(Counter.TCP_RETRANSMITS) > 0, "the link lost nothing");
            net.assertNoLeaks();
        }
    }

    /**
     * Scatter-gather switched on while copied payloads are queued: they have no packet to chain, so segments are
     * copied until they are acknowledged; then zero-copy resumes.
     */
    @Test
    void shouldCopyUntilQueuedCopiesAreAcknowledgedWhenScatterGatherAppears() throws Exception {
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().nagle(true).build()), 0);
        ByteStream tiny = new ByteStream(3, 20_000, 1, SegmentPool.INLINE_BYTES);
        assertEquals(Result.OK, net.b().stack.tcpListen(9000, 4, tiny.sink()));
        int conn = net.a().stack.tcpConnect(B, 9000, 0, new TcpEvents<>() { }, null);
        net.pump();
        tiny.fill(net.a(), conn); // Nagle holds all but the first: thousands of copies queued
        assertTrue(net.a().pool.inUse() < 100, "copied payloads hold no packets: " + net.a().pool.inUse());
        net.a().port.features(NicFeatures.TX_SCATTER_GATHER);
        for (int round = 0; round < 10_000 && !tiny.done(); round++) {
            net.advance(1_000_000L);
        }
        assertTrue(tiny.done() && tiny.exact(), "SHA-256 of the stream");
        assertEquals(Result.OK, net.a().stack.tcpSend(conn, payload(net.a(), 3000), 0));
        net.pump();
        assertEquals(20_000 + 3000, tiny.receivedBytes(), "zero-copy again once the copies were acknowledged");
        net.assertNoLeaks();
    }

    private static void run(TestNet net, ByteStream stream) {
        int conn = stream.sendFromA(net, 9000, 200_000);
        assertEquals(200_000, stream.receivedBytes());
        assertTrue(stream.exact(), "SHA-256 of the stream");
        net.a().stack.tcpAbort(conn);
        net.pump();
    }

    private static Packet payload(TestNet.Node node, int bytes) {
        Packet p = node.pool.alloc(bytes);
        for (int i = 0; i < bytes; i++) {
            p.buffer().put(p.offset() + i, (byte) i);
        }
        node.pool.length(p, bytes);
        return p;
    }
}
