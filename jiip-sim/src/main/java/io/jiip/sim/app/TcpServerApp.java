package io.jiip.sim.app;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.sim.App;
import io.jiip.sim.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Listens on a port and runs the server side of a {@link TcpScript} on every accepted connection: a bulk sink,
 * a request/response (ping-pong) server, a half-close responder or an aborter.
 */
public final class TcpServerApp implements App {
    private final int port;
    private final TcpScript script;
    private final List<TcpEnd> ends = new ArrayList<>();
    private int backlog = 128;
    private boolean trace;
    private long injectBugAt = -1;
    private Node node;
    private String error;

    public TcpServerApp(int port, TcpScript script) {
        this.port = port;
        this.script = script;
    }

    public TcpServerApp backlog(int n) {
        this.backlog = n;
        return this;
    }

    /** Records each accepted connection's time series (useful when the server is the one sending). */
    public TcpServerApp trace(boolean on) {
        this.trace = on;
        return this;
    }

    /**
     * A deliberate application bug, for testing the soak's failure reporting and replay: the first received chunk
     * that covers stream offset {@code offset} is consumed but never counted or checked.
     */
    public TcpServerApp injectBugAt(long offset) {
        this.injectBugAt = offset;
        return this;
    }

    public List<TcpEnd> ends() {
        return Collections.unmodifiableList(ends);
    }

    public int port() {
        return port;
    }

    @Override
    public void start(Node n) {
        this.node = n;
        int r = n.stack().tcpListen(port, backlog, events);
        if (r != Result.OK) {
            error = "tcpListen(" + port + ") returned " + Result.name(r);
        }
    }

    private final TcpEvents<Packet> events = new TcpEndEvents() {
        @Override
        public Object onAccepted(Stack<Packet> stack, int connection) {
            String name = node.name() + ":" + port + "#" + ends.size();
            long c2s = TcpClientApp.streamSeed(node.sim(), node.ip(), port, true);
            long s2c = TcpClientApp.streamSeed(node.sim(), node.ip(), port, false);
            TcpEnd end = new TcpEnd(node, script, false, name, c2s, s2c, node.sim().random("server/" + name));
            if (injectBugAt >= 0) {
                end.injectBugAt(injectBugAt);
            }
            ends.add(end);
            if (trace) {
                end.trace(node.sim().trace().follow(node, connection, name));
            }
            end.onEstablished(stack, connection);
            return end;
        }
    };

    @Override
    public void check(List<String> problems) {
        if (error != null) {
            problems.add(node.name() + ": " + error);
        }
        for (TcpEnd e : ends) {
            e.check(problems, true);
        }
    }

    @Override
    public void report(StringBuilder out) {
        long received = 0;
        long sent = 0;
        for (TcpEnd e : ends) {
            received += e.received();
            sent += e.acked();
        }
        out.append(String.format(Locale.ROOT,
                "  %s:%d [%s]: %d connection(s) accepted, %d B received, %d B sent and acknowledged%n",
                node.name(), port, script.mode().name().toLowerCase(Locale.ROOT), ends.size(), received,
                sent));
    }
}
