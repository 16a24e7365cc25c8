package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.arp.ArpCache;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.testkit.CloseFirstChurn;
import io.jiip.testkit.TestNet;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packet path allocates nothing: after a warmup that lets the JIT settle, a window of steady-state TCP traffic
 * (ping-pong, then bulk transfer) on the virtual clock must allocate exactly 0 bytes on this thread, as
 * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes} counts them. No slack is allowed: the
 * counter is per thread, so JIT compilation (compiler threads) and GC do not show up in it, and the measured loops
 * below allocate nothing themselves (no lambdas, boxing, iterators or strings; assertions only after the window).
 */
class AllocationGuardTest {
    private static final long MICROSECOND = 1_000L;

    private static ThreadMXBean allocationCounter() {
        var bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof ThreadMXBean,
                "no com.sun.management.ThreadMXBean on this JVM");
        ThreadMXBean sun = (ThreadMXBean) bean;
        Assumptions.assumeTrue(sun.isThreadAllocatedMemorySupported(), "thread allocation counting unsupported");
        if (!sun.isThreadAllocatedMemoryEnabled()) {
            sun.setThreadAllocatedMemoryEnabled(true);
        }
        return sun;
    }

    /** Bytes one pair of counter reads allocates by itself (0 on HotSpot; subtracted to be safe). */
    private static long readOverhead(ThreadMXBean counter) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 100; i++) {
            long a = counter.getCurrentThreadAllocatedBytes();
            long b = counter.getCurrentThreadAllocatedBytes();
            min = Math.min(min, b - a);
        }
        return min;
    }

    private static void resolve(TestNet net) {
        assertEquals(Result.OK, net.a().stack.arpRequest(B));
        net.pump();
        assertTrue(net.a().stack.arpLookup(B) != ArpCache.NONE);
    }

    // ---- ping-pong: 1-byte request, echo from onPayload, next request from onPayload ----

    /** Both sides of the ping-pong; one instance serves every connection of both stacks. */
    static final class PingPong {
        final PacketPool pool;
        long roundTrips;
        long failures;
        int connected;

        PingPong(PacketPool pool) {
            this.pool = pool;
        }

        void send(Stack<Packet> stack, int conn, byte value) {
            Packet p = pool.alloc(1);
            if (p == null) {
                failures++;
                return;
            }
            p.buffer().put(p.offset(), value);
            pool.length(p, 1);
            if (stack.tcpSend(conn, p, 0) != Result.OK) {
                pool.free(p);
                failures++;
            }
        }

        final TcpEvents<Packet> client = new TcpEvents<>() {
            @Override
            public Object onConnected(Stack<Packet> stack, int conn, Object attachment) {
                connected++;
                send(stack, conn, (byte) 1);
                return attachment;
            }

            @Override
            public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                    int length) {
                stack.tcpRxConsumed(conn, length);
                roundTrips += length;
                send(stack, conn, (byte) (packet.buffer().get(offset) + 1));
            }
        };

        final TcpEvents<Packet> server = new TcpEvents<>() {
            @Override
            public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                    int length) {
                stack.tcpRxConsumed(conn, length);
                send(stack, conn, packet.buffer().get(offset));
            }
        };

        /** Steps both stacks (advancing virtual time 1 µs per step) until {@code target} round trips in total. */
        void runUntil(TestNet net, long target) {
            TestNet.Node a = net.a();
            TestNet.Node b = net.b();
            int idle = 0;
            while (roundTrips < target) {
                net.clock.advance(MICROSECOND);
                int n = a.runOnce() + b.runOnce();
                if (n == 0 && ++idle > 10_000) {
                    throw new AssertionError("ping-pong stalled");
                }
            }
        }
    }

    @ParameterizedTest(name = "offload={0}")
    @ValueSource(booleans = {true, false})
    void pingPongAllocatesNothingInSteadyState(boolean offload) {
        ThreadMXBean counter = allocationCounter();
        int connections = 32;
        PacketPool shared = PacketPool.builder().packets(4096).small(4096, 256).large(4, 2048).build();
        TestNet net = TestNet.twoNodes(b -> b.tcp(TcpConfig.builder().nagle(false).receiveBuffer(16 * 1024).build()),
                offload ? NicFeatures.ALL_CSUM : 0, () -> shared);
        net.link.delivery(MemoryLink.Delivery.ZERO_COPY).trustChecksums(offload);
        PingPong pp = new PingPong(shared);
        assertEquals(Result.OK, net.b().stack.tcpListen(7, connections, pp.server));
        resolve(net);
        for (int i = 0; i < connections; i++) {
            assertTrue(net.a().stack.tcpConnect(B, 7, 0, pp.client, null) >= 0);
        }

        pp.runUntil(net, 200_000); // warmup: let C2 compile the whole path
        long framesBefore = net.a().stack.stats().get(Counter.RX_FRAMES);
        long overhead = readOverhead(counter);
        long start = counter.getCurrentThreadAllocatedBytes();
        pp.runUntil(net, 300_000);
        long allocated = counter.getCurrentThreadAllocatedBytes() - start - overhead;

        long frames = net.a().stack.stats().get(Counter.RX_FRAMES) - framesBefore;
        assertEquals(connections, pp.connected);
        assertEquals(0, pp.failures);
        assertTrue(frames >= 100_000, "client received " + frames + " frames");
        assertEquals(0, net.a().stack.stats().get(Counter.TCP_RETRANSMITS));
        assertEquals(0L, allocated, "bytes allocated during 100,000 steady-state round trips");
        net.assertNoLeaks();
    }

    // ---- bulk transfer: client keeps 64 KiB queued in MSS-sized packets, server consumes everything ----

    static final class Bulk {
        static final int QUEUE_LIMIT = 64 * 1024;
        final PacketPool pool;
        int connection = -1;
        int chunk;
        int queued;
        long received;
        long failures;

        Bulk(PacketPool pool) {
            this.pool = pool;
        }

        void fill(Stack<Packet> stack) {
            while (queued + chunk <= QUEUE_LIMIT) {
                Packet p = pool.alloc(chunk);
                if (p == null) {
                    failures++;
                    return;
                }
                pool.length(p, chunk);
                if (stack.tcpSend(connection, p, 0) != Result.OK) {
                    pool.free(p);
                    failures++;
                    return;
                }
                queued += chunk;
            }
        }

        final TcpEvents<Packet> sender = new TcpEvents<>() {
            @Override
            public Object onConnected(Stack<Packet> stack, int conn, Object attachment) {
                connection = conn;
                fill(stack);
                return attachment;
            }

            @Override
            public void onAcked(Stack<Packet> stack, int conn, Object attachment, int bytes) {
                queued -= bytes;
                fill(stack);
            }
        };

        final TcpEvents<Packet> receiver = new TcpEvents<>() {
            @Override
            public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset,
                    int length) {
                received += length;
                stack.tcpRxConsumed(conn, length);
            }
        };

        void steps(TestNet net, int steps) {
            TestNet.Node a = net.a();
            TestNet.Node b = net.b();
            for (int i = 0; i < steps; i++) {
                net.clock.advance(10 * MICROSECOND);
                a.runOnce();
                b.runOnce();
            }
        }
    }

    @ParameterizedTest(name = "offload={0}")
    @ValueSource(booleans = {true, false})
    void bulkTransferAllocatesNothingInSteadyState(boolean offload) {
        ThreadMXBean counter = allocationCounter();
        // Default delivery (a copy into the receiver's pool, as DMA would) and separate standard pools.
        TestNet net = TestNet.twoNodes(b -> { }, offload ? NicFeatures.ALL_CSUM : 0);
        net.link.trustChecksums(offload);
        Bulk bulk = new Bulk(net.a().pool);
        bulk.chunk = 1448; // one full segment: MSS 1460 minus the timestamp option
        assertEquals(Result.OK, net.b().stack.tcpListen(9, 1, bulk.receiver));
        resolve(net);
        assertTrue(net.a().stack.tcpConnect(B, 9, 0, bulk.sender, null) >= 0);

        bulk.steps(net, 50_000); // warmup
        long receivedBefore = bulk.received;
        long overhead = readOverhead(counter);
        long start = counter.getCurrentThreadAllocatedBytes();
        bulk.steps(net, 20_000);
        long allocated = counter.getCurrentThreadAllocatedBytes() - start - overhead;

        long bytes = bulk.received - receivedBefore;
        assertEquals(0, bulk.failures);
        assertTrue(bytes >= 20_000L * 1448, "received only " + bytes + " bytes in 20,000 steps");
        assertEquals(0, net.a().stack.stats().get(Counter.TCP_RETRANSMITS));
        assertEquals(0L, allocated, "bytes allocated during 20,000 steps of bulk transfer");
        net.assertNoLeaks();
    }

    // ---- connection churn: one request and response per connection, the server closing first ----

    /**
     * A server that closes first, far beyond its connection and TIME-WAIT tables (default configuration): opening,
     * closing, entering TIME-WAIT and recycling the oldest record allocate nothing.
     */
    @Test
    void connectionChurnAllocatesNothingInSteadyState() {
        ThreadMXBean counter = allocationCounter();
        TestNet net = TestNet.twoNodes();
        CloseFirstChurn churn = new CloseFirstChurn(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(CloseFirstChurn.PORT, 16, churn.server));
        resolve(net);

        churn.run(30_000, 10 * MICROSECOND); // warmup: fills the TIME-WAIT table, wraps the ports, lets C2 compile
        long overhead = readOverhead(counter);
        long start = counter.getCurrentThreadAllocatedBytes();
        churn.run(10_000, 10 * MICROSECOND);
        long allocated = counter.getCurrentThreadAllocatedBytes() - start - overhead;

        assertEquals(0, churn.failures);
        assertTrue(net.b().stack.stats().get(Counter.TCP_TIME_WAIT_RECYCLED) > 10_000);
        assertEquals(0L, allocated, "bytes allocated during 10,000 connections");
        net.assertNoLeaks();
    }
}
