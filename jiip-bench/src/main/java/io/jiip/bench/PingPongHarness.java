package io.jiip.bench;

import io.jiip.api.Clock;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.Stats;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;

/**
 * TCP ping-pong between two jiip contexts (client and server) on a {@link MemoryLink}, in one thread: the
 * counterpart of iip's bench setup where one side sends a 1-byte request and the other echoes it.
 *
 * <ul>
 *   <li>{@code connections} connections (default {@value #DEFAULT_CONNECTIONS}), Nagle off on both sides;</li>
 *   <li>every client connection keeps exactly one 1-byte request outstanding;</li>
 *   <li>the server echoes the byte from inside {@code onPayload}, so the reply rides on the ACK; the client sends
 *       the next request from inside {@code onPayload} on the reply, so that request carries the ACK too: two
 *       frames per round trip, no pure ACKs, no timers firing;</li>
 *   <li>both sides call {@code tcpRxConsumed} for every byte;</li>
 *   <li>payloads are 1-byte packets allocated from the (shared) pool, which allocates no Java objects;</li>
 *   <li>frames cross the link zero-copy (one pool shared by both ports);</li>
 *   <li>offload mode: both ports claim {@link NicFeatures#ALL_CSUM} and the link trusts checksums (an ideal
 *       offloading NIC: nothing computed, everything reported valid); otherwise both stacks compute and verify
 *       every checksum in software.</li>
 * </ul>
 *
 * {@link #step()} is one poll and run of each stack with at most {@value StackPair#BATCH} frames per run. No JMH
 * types: a command line bench can drive it as well. Not thread-safe (nor are the stacks).
 */
public final class PingPongHarness implements AutoCloseable {
    public static final int DEFAULT_CONNECTIONS = 32;
    public static final int SERVER_PORT = 7;
    /** Receive window per connection: small so that 10,000 connections fit comfortably. */
    public static final int RECEIVE_BUFFER = 16 * 1024;

    private static final String CLIENT_MAC = "02:00:00:00:00:01";
    private static final String SERVER_MAC = "02:00:00:00:00:02";
    private static final String CLIENT_IP = "10.0.0.1";
    private static final String SERVER_IP = "10.0.0.2";
    private static final byte[] ISN_KEY = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    private static final int MAX_IDLE_STEPS = 10_000;

    private final int connections;
    private final boolean offload;
    private final PacketPool pool;
    private final StackPair pair;

    private long roundTrips;
    private long sendFailures;
    private int connected;
    private int accepted;
    private int closed;

    /** A harness on {@code System.nanoTime} (real timers: RTO and delayed-ACK deadlines move as in production). */
    public PingPongHarness(int connections, boolean offload) {
        this(connections, offload, System::nanoTime, MemoryLink.Delivery.COPY);
    }

    /**
     * Builds both contexts, opens every connection and sends the first request on each.
     *
     * @param clock e.g. {@code System::nanoTime}, or a {@link io.jiip.link.ManualClock} the caller advances
     * @param delivery {@code COPY}: every frame copied into a fresh receive buffer, as a NIC's DMA would (the shape
     *     of the C iip reference harness); {@code ZERO_COPY}: the frame itself crosses
     */
    public PingPongHarness(int connections, boolean offload, Clock clock, MemoryLink.Delivery delivery) {
        if (connections < 1 || connections > 16_000) {
            throw new IllegalArgumentException("connections must be 1..16000 (ephemeral ports)");
        }
        this.connections = connections;
        this.offload = offload;
        // Per connection at most: the request payload (queued until answered), the reply payload (queued until the
        // next request acknowledges it) and one frame in flight; 4 per connection leaves room for the handshake.
        int packets = 4 * connections + 1024;
        this.pool = PacketPool.builder().packets(packets).small(packets, 256).large(4, 2048).build();
        MemoryLink link = new MemoryLink(clock).delivery(delivery).trustChecksums(offload);
        int features = offload ? NicFeatures.ALL_CSUM : 0;
        this.pair = new StackPair(link, clock, 2 * connections + 256, pool, features,
                config(CLIENT_MAC, CLIENT_IP, connections), pool, features, config(SERVER_MAC, SERVER_IP, connections));
        open();
    }

    private static StackConfig config(String mac, String ip, int connections) {
        TcpConfig tcp = TcpConfig.builder()
                .connections(connections + 100)
                .receiveBuffer(RECEIVE_BUFFER)
                .nagle(false)
                .isnKey(ISN_KEY)
                .build();
        return StackConfig.builder().mac(mac).ipv4(ip, 24).tcp(tcp).build();
    }

    private void open() {
        StackPair.check(pair.server.tcpListen(SERVER_PORT, connections, serverEvents), "listen");
        pair.resolveServer(MAX_IDLE_STEPS);
        for (int i = 0; i < connections; i++) {
            int handle = pair.client.tcpConnect(pair.serverIp(), SERVER_PORT, 0, clientEvents, null);
            if (handle < 0) {
                throw new IllegalStateException("connect #" + i + ": " + Result.name(handle));
            }
        }
        // Handshakes complete; each onConnected sent the first request, so traffic is already flowing.
        for (int s = 0; connected < connections || accepted < connections; s++) {
            if (step() == 0 && s > MAX_IDLE_STEPS) {
                throw new IllegalStateException("only " + connected + " connected, " + accepted + " accepted of "
                        + connections);
            }
        }
        if (sendFailures != 0) {
            throw new IllegalStateException(sendFailures + " sends refused while opening");
        }
    }

    /** One poll and run of the client, then of the server ({@link StackPair#step}). */
    public int step() {
        return pair.step();
    }

    /**
     * Steps until at least {@code target} round trips have completed in total.
     *
     * @throws IllegalStateException when the traffic stalled (a bug: nothing is ever lost on this link)
     */
    public void runUntil(long target) {
        int idle = 0;
        while (roundTrips < target) {
            if (step() == 0 && ++idle > MAX_IDLE_STEPS) {
                throw new IllegalStateException("ping-pong stalled at " + roundTrips + " round trips");
            }
        }
    }

    /** Round trips completed (replies received by the client) since construction. */
    public long roundTrips() {
        return roundTrips;
    }

    /** Requests or replies the stack refused (must stay 0: one segment per connection is far below every limit). */
    public long sendFailures() {
        return sendFailures;
    }

    public int connections() {
        return connections;
    }

    public boolean offload() {
        return offload;
    }

    public Stats clientStats() {
        return pair.client.stats();
    }

    public Stats serverStats() {
        return pair.server.stats();
    }

    public PacketPool pool() {
        return pool;
    }

    /** Discards both contexts and returns every packet to the pool; throws if any leaked. */
    @Override
    public void close() {
        pair.close();
        if (pool.inUse() != 0 || pool.buffersInUse() != 0) {
            throw new IllegalStateException("pool leak: " + pool.inUse() + " packets, " + pool.buffersInUse()
                    + " buffers still in use");
        }
    }

    /** Sends a 1-byte packet holding {@code value}; counts a refusal instead of throwing. */
    private void send(Stack<Packet> stack, int connection, byte value) {
        Packet p = pool.alloc(1);
        if (p == null) {
            sendFailures++;
            return;
        }
        p.buffer().put(p.offset(), value);
        pool.length(p, 1);
        if (stack.tcpSend(connection, p, 0) != Result.OK) {
            pool.free(p);
            sendFailures++;
        }
    }

    // One handler instance per side for all connections: no per-connection or per-event objects.

    private final TcpEvents<Packet> clientEvents = new TcpEvents<>() {
        @Override
        public Object onConnected(Stack<Packet> stack, int connection, Object attachment) {
            connected++;
            stack.tcpNoDelay(connection, true);
            send(stack, connection, (byte) 'p');
            return attachment;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(connection, length);
            roundTrips += length; // one byte per reply, one reply per round trip
            send(stack, connection, packet.buffer().get(offset + length - 1));
        }

        @Override
        public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
            closed++;
        }
    };

    private final TcpEvents<Packet> serverEvents = new TcpEvents<>() {
        @Override
        public Object onAccepted(Stack<Packet> stack, int connection) {
            accepted++;
            stack.tcpNoDelay(connection, true);
            return null;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
                int length) {
            stack.tcpRxConsumed(connection, length);
            for (int i = 0; i < length; i++) {
                send(stack, connection, packet.buffer().get(offset + i)); // echo
            }
        }

        @Override
        public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
            closed++;
        }
    };

    /** Connections closed (must stay 0). */
    public int closedConnections() {
        return closed;
    }

    @Override
    public String toString() {
        return "PingPongHarness[" + connections + " connections, "
                + (offload ? "checksum offload" : "software checksums") + ", " + roundTrips + " round trips]";
    }
}
