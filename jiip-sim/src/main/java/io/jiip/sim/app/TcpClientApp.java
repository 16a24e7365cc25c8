package io.jiip.sim.app;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.sim.App;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Opens {@link #connections} connections to a {@link TcpServerApp} and runs the client side of a
 * {@link TcpScript} on each: a bulk sender, a request/response (ping-pong) client, a half-closer or an aborter.
 */
public final class TcpClientApp implements App {
    private final int serverIp;
    private final int port;
    private final TcpScript script;
    private final List<TcpEnd> ends = new ArrayList<>();
    private int connections = 1;
    private long spacing;
    private boolean trace;
    private String label;
    private TcpServerApp peer;
    private Node node;
    private final List<String> errors = new ArrayList<>();

    public TcpClientApp(Node server, int port, TcpScript script) {
        this(server.ip(), port, script);
    }

    public TcpClientApp(int serverIp, int port, TcpScript script) {
        this.serverIp = serverIp;
        this.port = port;
        this.script = script;
    }

    /** How many connections to open (default 1), {@code spacing} ns apart. */
    public TcpClientApp connections(int n, long spacing) {
        this.connections = n;
        this.spacing = spacing;
        return this;
    }

    /** Records each connection's time series in the simulation's trace. */
    public TcpClientApp trace(boolean on) {
        this.trace = on;
        return this;
    }

    public TcpClientApp label(String label) {
        this.label = label;
        return this;
    }

    /** The server app of the same flow, so that {@link #check} can compare both ends. */
    public TcpClientApp pairWith(TcpServerApp server) {
        this.peer = server;
        return this;
    }

    public List<TcpEnd> ends() {
        return Collections.unmodifiableList(ends);
    }

    public TcpScript script() {
        return script;
    }

    public String label() {
        return label;
    }

    static long streamSeed(Simulation sim, int serverIp, int port, boolean fromClient) {
        return Simulation.mix64(sim.seed()
                ^ Simulation.mix64(((long) serverIp << 16 | port) * 2 + (fromClient ? 1 : 0)));
    }

    @Override
    public void start(Node n) {
        this.node = n;
        if (label == null) {
            label = n.name() + ">" + Ipv4Address.toString(serverIp) + ":" + port;
        }
        for (int i = 0; i < connections; i++) {
            int index = i;
            if (i == 0 || spacing == 0) {
                connect(index);
            } else {
                n.at(n.sim().now() + i * spacing, () -> connect(index));
            }
        }
    }

    private final TcpEvents<Packet> events = new TcpEndEvents() {
        @Override
        public Object onConnected(Stack<Packet> stack, int connection, Object attachment) {
            TcpEnd end = (TcpEnd) attachment;
            if (trace) {
                end.trace(node.sim().trace().follow(node, connection, end.label()));
            }
            end.onEstablished(stack, connection);
            return attachment;
        }
    };

    private void connect(int index) {
        Simulation sim = node.sim();
        String name = connections == 1 ? label : label + "#" + index;
        TcpEnd end = new TcpEnd(node, script, true, name, streamSeed(sim, serverIp, port, true),
                streamSeed(sim, serverIp, port, false), sim.random("client/" + name));
        ends.add(end);
        int h = node.stack().tcpConnect(serverIp, port, 0, events, end);
        if (h < 0) {
            errors.add(name + ": tcpConnect returned " + Result.name(h));
            end.onClosed(-2);
            return;
        }
        end.onConnecting(h);
    }

    @Override
    public void check(List<String> problems) {
        problems.addAll(errors);
        for (TcpEnd e : ends) {
            e.check(problems, peer != null);
        }
        if (ends.size() != connections) {
            problems.add(label + ": opened " + ends.size() + " of " + connections + " connections");
        }
        if (peer == null) {
            return;
        }
        List<TcpEnd> served = peer.ends();
        if (!script.aborts()) {
            if (served.size() != connections) {
                problems.add(label + ": server accepted " + served.size() + " connections, client opened "
                        + connections);
            }
            long sent = 0;
            long got = 0;
            for (TcpEnd c : ends) {
                sent += c.queued();
            }
            for (TcpEnd s : served) {
                got += s.received();
            }
            if (sent != got) {
                problems.add(label + ": client sent " + sent + " bytes in all, server received " + got);
            }
            if (!ends.isEmpty() && !served.isEmpty()) {
                long toServer = ends.get(0).sentCrc();
                long toClient = served.get(0).sentCrc();
                for (TcpEnd s : served) {
                    if (s.receivedCrc() != toServer && s.mismatchAt() < 0) {
                        problems.add(s.label() + " server: CRC-32C of received stream differs from the client's");
                    }
                }
                for (TcpEnd c : ends) {
                    if (c.receivedCrc() != toClient && c.mismatchAt() < 0) {
                        problems.add(c.label() + " client: CRC-32C of received stream differs from the server's");
                    }
                }
            }
        } else if (served.size() > connections) {
            problems.add(label + ": server accepted " + served.size() + " connections, client opened only "
                    + connections);
        }
    }

    @Override
    public void report(StringBuilder out) {
        long sent = 0;
        long received = 0;
        int normal = 0;
        for (TcpEnd e : ends) {
            sent += e.acked();
            received += e.received();
            normal += e.closedReason() == 0 ? 1 : 0;
        }
        out.append(String.format(Locale.ROOT, "  %s [%s]: %d connection(s), %d closed normally, "
                + "%d B sent and acknowledged, %d B received%n", label, script, ends.size(), normal, sent, received));
    }
}
