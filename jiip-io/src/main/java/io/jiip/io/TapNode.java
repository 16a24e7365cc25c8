package io.jiip.io;

import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One jiip stack on one TAP queue, driven by its own {@link EventLoop} thread: the usual assembly of the pieces of
 * this module, for the CLI, demos and tests. Optionally behind a {@link FaultyNic} that drops frames.
 */
public final class TapNode implements AutoCloseable {
    private final TapQueue queue;
    private final FaultyNic faults;
    private final Stack<Packet> stack;
    private final EventLoop loop;
    private boolean closed;

    private TapNode(TapQueue queue, FaultyNic faults, Stack<Packet> stack, EventLoop loop) {
        this.queue = queue;
        this.faults = faults;
        this.stack = stack;
        this.loop = loop;
    }

    /** Starts a stack on {@code queue}; {@code txHook}/{@code rxHook} may be {@code null} (no fault injection). */
    public static TapNode start(TapQueue queue, StackConfig config, StackEvents<Packet> events, FrameHook txHook,
            FrameHook rxHook, long busyPollNanos, String threadName) {
        FaultyNic faults = txHook != null || rxHook != null ? new FaultyNic(queue, txHook, rxHook) : null;
        Stack<Packet> stack = new Stack<>(config, queue.pool(), faults != null ? faults : queue, System::nanoTime,
                events);
        EventLoop loop = new EventLoop(stack, faults != null ? faults : queue).busyPoll(busyPollNanos);
        loop.start(threadName);
        return new TapNode(queue, faults, stack, loop);
    }

    public static TapNode start(TapQueue queue, StackConfig config, StackEvents<Packet> events) {
        return start(queue, config, events, null, null, 0, "jiip-" + queue.device().name() + "-" + queue.index());
    }

    /** The stack: touch it only on the loop thread ({@link #call}, {@link #execute}, or from its callbacks). */
    public Stack<Packet> stack() {
        return stack;
    }

    public TapQueue queue() {
        return queue;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The fault injector, or {@code null}. */
    public FaultyNic faults() {
        return faults;
    }

    /** Runs {@code task} on the loop thread. */
    public void execute(Consumer<Stack<Packet>> task) {
        loop.execute(() -> task.accept(stack));
    }

    /** Runs {@code fn} on the loop thread and waits for its result (10 s at most). */
    public <T> T call(Function<Stack<Packet>, T> fn) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(fn.apply(stack));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("task failed on the loop thread", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("loop thread did not answer within 10 s"
                    + (loop.failure() != null ? " (it failed: " + loop.failure() + ")" : ""), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the loop, then frees what the stack and the queue hold, so the pool balances. Does not close the
     * device (several nodes may share one multi-queue device).
     */
    @Override
    public void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        loop.stopAndWait(Duration.ofSeconds(10));
        stack.close();
        queue.releaseBuffers();
    }
}
