package io.jiip.sim;

import java.util.List;
import java.util.function.Consumer;

/**
 * An application running on a {@link Node}: the user-code hook of the simulator. {@link #start} runs at the
 * app's start time (outside the stack's {@code run}); from there the app uses {@link Node#stack()} (listen,
 * connect, send, UDP), the node's packet pool, and {@link Node#at} for its own timers. TCP and UDP input arrive
 * through the {@code TcpEvents} and {@code UdpHandler} the app registers.
 */
public interface App {
    void start(Node node);

    /** User code as an app: {@code node.add(App.of(n -> n.stack().icmpEchoRequest(...)))}. */
    static App of(Consumer<Node> start) {
        return start::accept;
    }

    /** Adds what went wrong (broken expectations) to {@code problems}; called once the simulation is over. */
    default void check(List<String> problems) {
    }

    /** A few lines for the run's summary (empty: nothing to say). */
    default void report(StringBuilder out) {
    }
}
