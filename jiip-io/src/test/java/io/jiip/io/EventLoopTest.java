package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The event loop against a scripted frame source (no device). */
class EventLoopTest {

    /** Frames come from a queue; every wait is recorded and ends at the deadline or at a wakeup. */
    static final class ScriptedSource implements FrameSource {
        final LinkedBlockingQueue<Packet> frames = new LinkedBlockingQueue<>();
        final List<Long> waits = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>();

        @Override
        public int receive(Packet[] out, int max) {
            int n = 0;
            Packet p;
            while (n < max && (p = frames.poll()) != null) {
                out[n++] = p;
            }
            return n;
        }

        @Override
        public void await(long timeoutNanos) {
            waits.add(timeoutNanos);
            try {
                wakeups.poll(timeoutNanos < 0 ? 1_000_000_000L : timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void wakeup() {
            wakeups.add(true);
        }
    }

    @Test
    void shouldSleepUntilTheStacksDeadlineRunTasksAndStop() throws Exception {
        PacketPool pool = PacketPool.builder().packets(256).small(128, 2048).large(2, 65536 + 256).build();
        MemoryLink link = new MemoryLink(System::nanoTime);
        MemoryLink.Port port = link.attach(pool);
        Stack<Packet> stack = new Stack<>(StackConfig.builder().mac("02:00:00:00:00:01").ipv4("10.0.0.1", 24)
                .build(), pool, port, System::nanoTime, null);
        ScriptedSource source = new ScriptedSource();
        EventLoop loop = new EventLoop(stack, source).start("test-loop");
        Thread.sleep(50);
        assertEquals(-1L, (long) source.waits.get(0), "nothing pending: sleep without deadline");

        CompletableFuture<Thread> ran = new CompletableFuture<>();
        loop.execute(() -> {
            ran.complete(Thread.currentThread());
            // An active open to an unresolved neighbour: ARP retries and the SYN timer are now pending.
            stack.tcpConnect(Ipv4Address.parse("10.0.0.2"), 80, 0, new TcpEvents<>() { }, null);
        });
        assertSame(loop.thread(), ran.get(5, TimeUnit.SECONDS), "tasks run on the loop thread");
        Thread.sleep(100);
        long last = source.waits.get(source.waits.size() - 1);
        assertTrue(last > 0 && last <= 3_000_000_000L, "sleeps until the next deadline: " + source.waits);
        assertTrue(port.pending() == 0 && link.frames() >= 1, "the ARP request went out");

        loop.stopAndWait(Duration.ofSeconds(5));
        assertNull(loop.failure());
        assertTrue(loop.counters().contains("iterations"), loop.counters());
        stack.close();
        port.clear();
    }

    @Test
    void shouldRecordTheFailureOfACallback() throws Exception {
        PacketPool pool = PacketPool.builder().packets(64).small(32, 2048).large(2, 65536 + 256).build();
        MemoryLink link = new MemoryLink(System::nanoTime);
        MemoryLink.Port port = link.attach(pool);
        Stack<Packet> stack = new Stack<>(StackConfig.builder().mac("02:00:00:00:00:01").ipv4("10.0.0.1", 24)
                .build(), pool, port, System::nanoTime, null);
        EventLoop loop = new EventLoop(stack, new ScriptedSource());
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (IllegalStateException expected) {
                // the loop rethrows after recording
            }
        });
        t.start();
        loop.execute(() -> {
            throw new IllegalStateException("boom");
        });
        assertTrue(loop.awaitTermination(Duration.ofSeconds(5)));
        assertEquals("boom", loop.failure().getMessage());
        t.join(5000);
    }
}
