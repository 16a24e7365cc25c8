package io.jiip.api;

import io.jiip.arp.ArpCache;
import io.jiip.iface.NetInterface;
import io.jiip.tcp.BatchWarmer;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One jiip context: a TCP/IP stack instance holding all of its state (iip's context object). A library, not a
 * framework: it has no thread, no loop and no clock. The integrator's loop feeds received frames to {@link #run},
 * which processes them, fires timers, and returns when it wants to be called next; the stack calls back into the
 * integrator for packet buffers ({@link PacketOps}), transmission and offloads ({@link Nic}), time ({@link Clock})
 * and input events ({@link StackEvents}, {@link UdpHandler}).
 *
 * <p><b>Threads.</b> A stack is used from one thread at a time; two stacks never share mutable state, so N stacks on
 * N threads scale without locks when the NIC steers each flow to one stack (RSS). Callbacks run on the calling
 * thread, inside the call that caused them.
 *
 * <p><b>Allocation.</b> Every table is sized from {@link StackConfig} at construction; receiving and sending
 * packets allocates nothing.
 *
 * <p><b>Errors.</b> Malformed or unwanted input is dropped and counted in {@link #stats()}; the packet path never
 * throws. API calls return a {@link Result} code; a call that fails does not take ownership of its packet.
 * Exceptions thrown by the integrator's callbacks propagate out of the call that invoked them; packets the stack
 * owned at that point are still freed.
 *
 * <pre>{@code
 * Stack<Packet> stack = new Stack<>(config, pool, nic, System::nanoTime, events);
 * Packet[] rx = new Packet[64];
 * while (running) {
 *     int n = device.receive(rx, rx.length);         // the integrator's I/O
 *     long next = stack.run(rx, n);                   // process, fire timers, flush
 *     device.waitForInput(next - System.nanoTime());  // sleep no longer than the stack asks
 * }
 * }</pre>
 *
 * @param <P> the integrator's packet type
 */
public final class Stack<P> {
    /** Pass as {@code dstMac} to let the stack find the link address itself (its ARP cache, gateway, broadcast). */
    public static final long RESOLVE = -1;

    private final NetInterface<P> nif;
    private final BatchWarmer<P> warmer;

    /**
     * Creates a context. Allocates every table it will ever use.
     *
     * @param events receiver of ARP and ICMP events ({@code null}: none)
     */
    public Stack(StackConfig config, PacketOps<P> ops, Nic<P> nic, Clock clock, StackEvents<P> events) {
        this.nif = new NetInterface<>(this, Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(ops, "ops"),
                Objects.requireNonNull(nic, "nic"), Objects.requireNonNull(clock, "clock"),
                events != null ? events : new StackEvents<P>() { });
        this.warmer = new BatchWarmer<>(nif);
    }

    /**
     * Processes received frames, fires due timers and flushes the NIC once (iip's {@code iip_run}).
     *
     * <p><b>Ownership:</b> the stack takes every packet in {@code rx[0..count)}; the integrator must not touch them
     * afterwards (the array itself stays the integrator's and is not modified). Frames are processed in order.
     *
     * @return the clock time (same scale as {@link Clock#nanoTime()}) at which the stack next needs a call even if
     *         nothing arrives; {@link Long#MAX_VALUE} when no timer is pending
     */
    public long run(P[] rx, int count) {
        nif.beginRun();
        int i = 0;
        try {
            boolean warm = warmer.pays(count);
            while (i < count) {
                int end = warm ? warmer.warmBatch(rx, i, count) : count;
                for (; i < end; i++) {
                    nif.input(rx[i]);
                }
            }
            nif.tcp.settleAcks();
            return nif.timers();
        } finally {
            // If a callback threw, the frames not yet processed are still ours to free.
            for (int j = i + 1; j < count; j++) {
                nif.ops.free(rx[j]);
            }
            nif.endRun();
        }
    }

    /** Fires due timers and flushes: {@code run} with no frames. */
    public long run() {
        return run(null, 0);
    }

    /**
     * Binds a UDP port to a handler.
     *
     * @return {@link Result#OK}, {@link Result#PORT_IN_USE}, {@link Result#NO_SPACE} (table full) or
     *         {@link Result#INVALID_ARGUMENT}
     */
    public int udpBind(int port, UdpHandler<P> handler) {
        nif.beginCall();
        try {
            return nif.udp.bind(port, handler);
        } finally {
            nif.endCall();
        }
    }

    /** @return {@link Result#OK} or {@link Result#NOT_BOUND} */
    public int udpUnbind(int port) {
        nif.beginCall();
        try {
            return nif.udp.unbind(port);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Sends one UDP datagram whose payload is the data of {@code payload} (a packet or a chain). Zero-copy when the
     * NIC offers {@link NicFeatures#TX_SCATTER_GATHER}: the headers go in a separate packet chained in front of
     * yours; otherwise the payload is copied behind the headers and your packet freed. The checksum is left to
     * the NIC when it offers {@link NicFeatures#UDP_TX_CSUM}. DF is set; datagrams larger than the path MTU are
     * refused. (iip's {@code iip_udp_send}.)
     *
     * <p><b>Ownership:</b> on {@link Result#OK} the stack owns {@code payload} (it is sent, or waits for ARP, and
     * is freed by the NIC or the stack). On any error the caller still owns it.
     *
     * @param dstMac the next hop's MAC, or {@link #RESOLVE}
     * @return {@link Result#OK}, {@link Result#TOO_BIG}, {@link Result#UNRESOLVED}, {@link Result#NO_BUFFER} or
     *         {@link Result#INVALID_ARGUMENT}
     */
    public int udpSend(P payload, int srcPort, int dstIp, int dstPort, long dstMac) {
        nif.beginCall();
        try {
            return nif.udp.send(payload, srcPort, dstIp, dstPort, dstMac);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Sends the data of {@code payload} (one packet) as consecutive datagrams of {@code segmentSize} bytes each, the
     * last possibly shorter: one frame the NIC splits when it offers {@link NicFeatures#UDP_GSO} (Linux's
     * {@code UDP_SEGMENT}), otherwise datagram by datagram in software. Each datagram must fit the path MTU.
     *
     * <p><b>Ownership:</b> as {@link #udpSend(Object, int, int, int, long)}. In software mode a datagram that finds
     * no buffer is dropped and counted ({@link Counter#DROP_TX_NO_BUFFER}) while the others are sent.
     */
    public int udpSendSegmented(P payload, int srcPort, int dstIp, int dstPort, int segmentSize, long dstMac) {
        nif.beginCall();
        try {
            return nif.udp.sendSegmented(payload, srcPort, dstIp, dstPort, segmentSize, dstMac);
        } finally {
            nif.endCall();
        }
    }

    /** {@link #udpSend(Object, int, int, int, long)} with {@link #RESOLVE}. */
    public int udpSend(P payload, int srcPort, int dstIp, int dstPort) {
        return udpSend(payload, srcPort, dstIp, dstPort, RESOLVE);
    }

    /**
     * Broadcasts an ARP request for {@code targetIp} (iip's {@code iip_arp_request}); the reply arrives as
     * {@link StackEvents#onArpReply} and, when the stack's ARP cache is enabled, is learned.
     *
     * @return {@link Result#OK}, {@link Result#NO_BUFFER}, or {@link Result#INVALID_ARGUMENT} on a link without ARP
     */
    public int arpRequest(int targetIp) {
        if (nif.l2Length == 0) {
            return Result.INVALID_ARGUMENT;
        }
        nif.beginCall();
        try {
            if (nif.arpCache != null) {
                nif.arpCache.requestDue(targetIp, nif.now());
            }
            return nif.arp.sendRequest(targetIp) ? Result.OK : Result.NO_BUFFER;
        } finally {
            nif.endCall();
        }
    }

    /**
     * Sends an ICMP echo request carrying {@code dataLength} bytes copied from {@code data} at absolute index
     * {@code dataOffset} ({@code data} may be {@code null} when the length is 0). The reply arrives as
     * {@link StackEvents#onEchoReply}.
     *
     * @return {@link Result#OK}, {@link Result#TOO_BIG}, {@link Result#UNRESOLVED}, {@link Result#NO_BUFFER} or
     *         {@link Result#INVALID_ARGUMENT}
     */
    public int icmpEchoRequest(int dstIp, long dstMac, int identifier, int sequence, ByteBuffer data, int dataOffset,
            int dataLength) {
        if (dstIp == 0 || dataLength < 0 || dataLength > 0 && data == null || identifier < 0 || identifier > 0xffff
                || sequence < 0 || sequence > 0xffff) {
            return Result.INVALID_ARGUMENT;
        }
        nif.beginCall();
        try {
            long mac = dstMac >= 0 ? dstMac : nif.resolveOrRefuse(dstIp);
            if (mac == NetInterface.UNREACHABLE) {
                return Result.UNRESOLVED;
            }
            return nif.icmp.sendEchoRequest(dstIp, mac, identifier, sequence, data, dataOffset, dataLength);
        } finally {
            nif.endCall();
        }
    }

    /** The MTU to use towards {@code dstIp}: the link MTU, or lower after ICMP fragmentation-needed (RFC 1191). */
    public int pathMtu(int dstIp) {
        nif.beginCall();
        try {
            return nif.pathMtu.get(dstIp, nif.now());
        } finally {
            nif.endCall();
        }
    }

    /** The MAC address the stack's ARP cache holds for {@code ip}, or {@link io.jiip.arp.ArpCache#NONE}. */
    public long arpLookup(int ip) {
        nif.beginCall();
        try {
            return nif.arpCache == null ? ArpCache.NONE : nif.arpCache.lookup(ip, nif.now());
        } finally {
            nif.endCall();
        }
    }

    // ---- TCP ----

    /**
     * Listens on {@code port} (iip has no LISTEN state; jiip does). Each SYN asks {@link TcpEvents#onAccept}; at
     * most {@code backlog} handshakes may be in progress at once, further SYNs are dropped and counted.
     *
     * @return {@link Result#OK}, {@link Result#ADDRESS_IN_USE}, {@link Result#NO_SPACE} or
     *         {@link Result#INVALID_ARGUMENT}
     */
    public int tcpListen(int port, int backlog, TcpEvents<P> handler) {
        nif.beginCall();
        try {
            return nif.tcp.listen(port, backlog, handler);
        } finally {
            nif.endCall();
        }
    }

    /** Stops accepting on {@code port}; established connections are not affected. */
    public int tcpUnlisten(int port) {
        nif.beginCall();
        try {
            return nif.tcp.unlisten(port);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Opens a connection (iip's {@code iip_tcp_connect}); {@link TcpEvents#onConnected} or
     * {@link TcpEvents#onClosed} follows. Data may be sent at once: it waits for the handshake.
     *
     * @param localPort 0 for an ephemeral port
     * @return the connection handle (&gt;= 0), or a negative {@link Result}: {@link Result#UNRESOLVED},
     *         {@link Result#ADDRESS_IN_USE}, {@link Result#TOO_MANY_CONNECTIONS}, {@link Result#INVALID_ARGUMENT}
     */
    public int tcpConnect(int remoteIp, int remotePort, int localPort, TcpEvents<P> handler, Object attachment) {
        nif.beginCall();
        try {
            return nif.tcp.connect(remoteIp, remotePort, localPort, handler, attachment);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Queues the data of {@code payload} (one packet, not a chain) on the connection, zero-copy (iip's
     * {@code iip_tcp_send}). Segments go out as the windows allow; with scatter-gather the headers are chained in
     * front of clones of your packet, otherwise the bytes are copied behind them.
     *
     * <p><b>Ownership:</b> on {@link Result#OK} the stack owns {@code payload} and frees it once the peer has
     * acknowledged all of its bytes ({@link TcpEvents#onAcked} tells you); {@code clone} it first to keep a
     * reference. Without scatter-gather, a payload of at most 16 bytes is copied into the send queue and freed before
     * this returns (a packet held for a round trip costs more than 16 bytes copied). On any error the caller still
     * owns it.
     *
     * @param flags {@link TcpSendFlags}
     * @return {@link Result#OK}, {@link Result#WOULD_BLOCK} (send buffer full), {@link Result#WRONG_STATE},
     *         {@link Result#BAD_HANDLE} or {@link Result#INVALID_ARGUMENT}
     */
    public int tcpSend(int connection, P payload, int flags) {
        nif.beginCall();
        try {
            return nif.tcp.send(connection, payload, flags);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Tells the stack the application is done with {@code bytes} of received payload, reopening the receive
     * window by that much (iip's {@code iip_tcp_rxbuf_consumed}, counted in bytes instead of packets). Payload
     * that is never consumed closes the window: that is flow control.
     */
    public int tcpRxConsumed(int connection, int bytes) {
        nif.beginCall();
        try {
            return nif.tcp.rxConsumed(connection, bytes);
        } finally {
            nif.endCall();
        }
    }

    /** Sends FIN after the queued data and keeps receiving (half-close). */
    public int tcpShutdownOutput(int connection) {
        nif.beginCall();
        try {
            return nif.tcp.shutdownOutput(connection);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Closes the connection (iip's {@code iip_tcp_close}): FIN after queued data; data arriving afterwards is
     * answered with RST. {@link TcpEvents#onClosed} follows when the exchange completes.
     */
    public int tcpClose(int connection) {
        nif.beginCall();
        try {
            return nif.tcp.close(connection);
        } finally {
            nif.endCall();
        }
    }

    /** Sends RST and forgets the connection; {@link TcpEvents#onClosed} fires with ABORTED before returning. */
    public int tcpAbort(int connection) {
        nif.beginCall();
        try {
            return nif.tcp.abort(connection);
        } finally {
            nif.endCall();
        }
    }

    /** Disables (or enables) Nagle's algorithm on a connection. */
    public int tcpNoDelay(int connection, boolean noDelay) {
        nif.beginCall();
        try {
            return nif.tcp.setNoDelay(connection, noDelay);
        } finally {
            nif.endCall();
        }
    }

    /** Enables or disables delayed ACKs on a connection. */
    public int tcpDelayedAck(int connection, boolean on) {
        nif.beginCall();
        try {
            return nif.tcp.setDelayedAck(connection, on);
        } finally {
            nif.endCall();
        }
    }

    /** Keepalive: after {@code idleNanos} without input, up to {@code count} probes {@code intervalNanos} apart. */
    public int tcpKeepalive(int connection, long idleNanos, long intervalNanos, int count) {
        nif.beginCall();
        try {
            return nif.tcp.setKeepalive(connection, idleNanos, intervalNanos, count);
        } finally {
            nif.endCall();
        }
    }

    /** Switches a connection's congestion control (the new one starts from the RFC 6928 initial window). */
    public int tcpCongestionControl(int connection, CongestionAlgorithm algorithm) {
        nif.beginCall();
        try {
            return nif.tcp.setCongestionControl(connection, algorithm);
        } finally {
            nif.endCall();
        }
    }

    /** Closes the connection with TIMEOUT when data stays unacknowledged this long (RFC 5482; 0 = off). */
    public int tcpUserTimeout(int connection, long nanos) {
        nif.beginCall();
        try {
            return nif.tcp.setUserTimeout(connection, nanos);
        } finally {
            nif.endCall();
        }
    }

    /** The state of a live connection, or {@code null} when the handle is no longer valid. */
    public TcpState tcpState(int connection) {
        nif.beginCall();
        try {
            return nif.tcp.state(connection);
        } finally {
            nif.endCall();
        }
    }

    /** Fills {@code out} with the connection's sender and receiver state. */
    public int tcpInfo(int connection, TcpInfo out) {
        nif.beginCall();
        try {
            return nif.tcp.info(connection, out);
        } finally {
            nif.endCall();
        }
    }

    /**
     * Connection slots in use, half-open included. TIME-WAIT holds no slot: a connection that enters it is released
     * (its handle dies with {@code onClosed(NORMAL)}) and its 4-tuple kept in a record ({@link #tcpTimeWaitCount}).
     */
    public int tcpConnectionCount() {
        nif.beginCall();
        try {
            return nif.tcp.connectionCount();
        } finally {
            nif.endCall();
        }
    }

    /** 4-tuples in TIME-WAIT, at most {@link TcpConfig#timeWaitCapacity}. */
    public int tcpTimeWaitCount() {
        nif.beginCall();
        try {
            return nif.tcp.timeWaitCount();
        } finally {
            nif.endCall();
        }
    }

    /** This context's counters. */
    public Stats stats() {
        return nif.stats;
    }

    public StackConfig config() {
        return nif.config;
    }

    /** The packet operations this stack was built with (e.g. to {@link PacketOps#clone} in a callback). */
    public PacketOps<P> packetOps() {
        return nif.ops;
    }

    /**
     * Frees every packet the stack still holds (fragments in reassembly, frames waiting for ARP). Call when the
     * context is discarded so the pool balances; the stack must not be used afterwards.
     */
    public void close() {
        nif.beginCall();
        try {
            nif.tcp.clear();
            nif.reassembler.clear();
            if (nif.arpCache != null) {
                P frame;
                while ((frame = nif.arpCache.takeAny()) != null) {
                    nif.ops.free(frame);
                }
            }
        } finally {
            nif.endCall();
        }
    }

    @Override
    public String toString() {
        return "Stack[" + nif.config + "]";
    }
}
