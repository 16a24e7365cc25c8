package io.jiip.bench;

import io.jiip.api.Clock;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.arp.ArpCache;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;

/**
 * Two jiip contexts, a client and a server, on the two ports of one {@link MemoryLink}, run in turn by one thread:
 * what the JMH harnesses and the bench tool's in-process pair are built on. Each side has its pool, NIC features
 * and configuration; the two may share a pool. Not thread-safe (nor are the stacks).
 */
public final class StackPair {
    /** Frames handed to one {@code Stack.run}, as in the C iip reference harness. */
    public static final int BATCH = 64;

    public final MemoryLink.Port clientPort;
    public final MemoryLink.Port serverPort;
    public final Stack<Packet> client;
    public final Stack<Packet> server;
    private final int serverIp;
    private final Packet[] rx = new Packet[BATCH];

    /**
     * Attaches both ports ({@code ring} frames each) and builds both contexts on {@code clock}.
     *
     * @param clientFeatures the {@link io.jiip.api.NicFeatures} the client's port offers; likewise the server's
     */
    public StackPair(MemoryLink link, Clock clock, int ring, PacketPool clientPool, int clientFeatures,
            StackConfig clientConfig, PacketPool serverPool, int serverFeatures, StackConfig serverConfig) {
        this.clientPort = link.attach(clientPool, clientFeatures, ring);
        this.serverPort = link.attach(serverPool, serverFeatures, ring);
        this.client = new Stack<>(clientConfig, clientPool, clientPort, clock, null);
        this.server = new Stack<>(serverConfig, serverPool, serverPort, clock, null);
        this.serverIp = serverConfig.ipv4();
    }

    /** One poll and run of the client, then of the server, {@value #BATCH} frames at most each; frames handled. */
    public int step() {
        Packet[] frames = rx;
        int n = clientPort.poll(frames, BATCH);
        client.run(frames, n);
        int m = serverPort.poll(frames, BATCH);
        server.run(frames, m);
        return n + m;
    }

    /** Frames waiting on either port. */
    public int pending() {
        return clientPort.pending() + serverPort.pending();
    }

    /**
     * Resolves the server's address from the client before any connection opens, so that the first packets need
     * not wait in the (small) ARP pending queue.
     *
     * @throws IllegalStateException when it is not resolved within {@code maxSteps} steps
     */
    public void resolveServer(int maxSteps) {
        check(client.arpRequest(serverIp), "ARP request");
        for (int i = 0; i < maxSteps && client.arpLookup(serverIp) == ArpCache.NONE; i++) {
            step();
        }
        if (client.arpLookup(serverIp) == ArpCache.NONE) {
            throw new IllegalStateException("ARP did not resolve the server within " + maxSteps + " steps");
        }
    }

    /** The server's IPv4 address. */
    public int serverIp() {
        return serverIp;
    }

    /** Closes both contexts and frees what is still on the link. */
    public void close() {
        client.close();
        server.close();
        clientPort.clear();
        serverPort.clear();
    }

    /** Throws unless {@code result} is {@link Result#OK}. */
    public static void check(int result, String what) {
        if (result != Result.OK) {
            throw new IllegalStateException(what + ": " + Result.name(result));
        }
    }
}
