package io.jiip.io;

import io.jiip.api.Clock;
import io.jiip.api.Stack;
import io.jiip.link.Packet;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives one {@link Stack} from one {@link FrameSource} on one thread: receive a batch, {@code run} it (which
 * processes, fires timers and flushes), and, when the device is drained, sleep in {@code ppoll} no longer than the
 * stack's next deadline. With busy polling the loop spins instead of sleeping for a while after the last frame.
 *
 * <p>One loop per stack, one thread per loop: the stack is only touched from the loop's thread. Other threads talk
 * to it through {@link #execute} (the task runs on the loop thread, between batches) and {@link #stop}. For a
 * multi-queue TAP, make one stack, one {@link TapQueue} and one loop per thread.
 *
 * <pre>{@code
 * TapDevice tap = TapDevice.open(TapConfig.builder().name("jiip0").build());
 * TapQueue q = tap.queue(0);
 * Stack<Packet> stack = new Stack<>(config, q.pool(), q, System::nanoTime, null);
 * EventLoop loop = new EventLoop(stack, q).start("jiip-loop");
 * loop.execute(() -> stack.tcpListen(80, 128, server));
 * ...
 * loop.stop();
 * loop.awaitTermination(Duration.ofSeconds(5));
 * }</pre>
 */
public final class EventLoop implements Runnable {
    private final Stack<Packet> stack;
    private final FrameSource source;
    private Clock clock = System::nanoTime;
    private int batch = 64;
    private long busyPollNanos;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Thread started;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile long iterations;
    private volatile long sleeps;
    private volatile long frames;

    public EventLoop(Stack<Packet> stack, FrameSource source) {
        this.stack = stack;
        this.source = source;
    }

    /** The clock the stack was built with (default {@code System::nanoTime}); set before starting. */
    public EventLoop clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Frames received per {@code run} at most (default 64); set before starting. */
    public EventLoop batch(int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("batch must be >= 1");
        }
        this.batch = frames;
        return this;
    }

    /**
     * Busy polling: keep polling the device without sleeping for up to {@code nanos} after the last received frame
     * (0, the default: sleep as soon as the device is drained). Trades a CPU for latency.
     */
    public EventLoop busyPoll(long nanos) {
        this.busyPollNanos = Math.max(0, nanos);
        return this;
    }

    public Stack<Packet> stack() {
        return stack;
    }

    /** The thread running the loop, or {@code null} before it starts. */
    public Thread thread() {
        Thread t = started;
        return t != null ? t : owner.get();
    }

    /** Starts the loop on a new platform thread named {@code name}. */
    public EventLoop start(String name) {
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        started = t;
        t.start();
        return this;
    }

    @Override
    public void run() {
        if (!owner.compareAndSet(null, Thread.currentThread())) {
            throw new IllegalStateException("an event loop runs on one thread, once");
        }
        try {
            loop();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                runQuietly(task);
            }
            done.countDown();
        }
    }

    private void loop() {
        Packet[] rx = new Packet[batch];
        long lastFrame = clock.nanoTime();
        long its = 0;
        long slept = 0;
        long in = 0;
        while (!stopping) {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
            int n = source.receive(rx, batch);
            long next = stack.run(rx, n);
            its++;
            in += n;
            if ((its & 1023) == 0) {
                iterations = its;
                frames = in;
                sleeps = slept;
            }
            if (n == batch || !tasks.isEmpty()) {
                continue;
            }
            long now = clock.nanoTime();
            if (next <= now) {
                continue;
            }
            if (busyPollNanos > 0) {
                if (n > 0) {
                    lastFrame = now;
                }
                if (now - lastFrame < busyPollNanos) {
                    Thread.onSpinWait();
                    continue;
                }
            }
            slept++;
            source.await(next == Long.MAX_VALUE ? -1 : next - now);
        }
        iterations = its;
        frames = in;
        sleeps = slept;
    }

    private static void runQuietly(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException ignored) {
            // the loop is gone; a task submitted too late has nothing to act on
        }
    }

    /** Runs {@code task} on the loop thread before the next batch (or at termination). Any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        source.wakeup();
    }

    /** Asks the loop to return after the current batch. Any thread. */
    public void stop() {
        stopping = true;
        source.wakeup();
    }

    public boolean isStopping() {
        return stopping;
    }

    /** Waits for the loop to end; {@code true} if it did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** {@link #stop} then {@link #awaitTermination}; throws if the loop does not end in time. */
    public void stopAndWait(Duration timeout) throws InterruptedException {
        stop();
        if (owner.get() != null && !awaitTermination(timeout)) {
            throw new IllegalStateException("event loop did not stop within " + timeout);
        }
    }

    /** What ended the loop with an exception (thrown by a callback or the device), or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    /** Loop iterations, sleeps and frames received (updated every 1024 iterations and at the end). */
    public String counters() {
        return "iterations " + iterations + ", sleeps " + sleeps + ", frames " + frames;
    }
}
