package io.jiip.bench;

import io.jiip.api.Clock;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;

/**
 * Bulk transfer over one connection between two contexts on a {@link MemoryLink} in one thread, in the shape of
 * the C iip reference: 16 chunks of 65,160 bytes outstanding, one chunk sent again per chunk acknowledged, the wire
 * copying every frame into a fresh receive buffer, up to 64 frames per run.
 *
 * <ul>
 * <li><b>offload</b>: the sender's NIC offers checksum offload, TSO and scatter-gather; the link splits each
 * super-segment into MSS frames, computes no checksum and reports every frame valid (an ideal NIC). Chunks are
 * sent zero-copy: clones of one chunk buffer chained behind the headers.
 * <li><b>no offload</b>: software checksums on both sides, and each segment's payload copied behind its header.
 * </ul>
 */
public final class BulkHarness implements AutoCloseable {
    public static final int CHUNK = 65_160;
    public static final int OUTSTANDING = 16;
    private static final int PORT = 5001;
    private static final int MAX_IDLE_STEPS = 100_000;
    private static final byte[] ISN_KEY = new byte[16];

    private final PacketPool senderPool;
    private final PacketPool receiverPool;
    /** The sender is the client, the receiver the server. */
    private final StackPair pair;
    private final Stack<Packet> sender;
    private final Packet chunk;
    private int connection = -1;
    private long bytesReceived;
    private long ackedSinceSend;
    private long sendFailures;

    private final TcpEvents<Packet> senderEvents = new TcpEvents<>() {
        @Override
        public Object onConnected(Stack<Packet> s, int c, Object a) {
            connection = c;
            return a;
        }

        @Override
        public void onAcked(Stack<Packet> s, int c, Object a, int bytes) {
            ackedSinceSend += bytes;
            while (ackedSinceSend >= CHUNK) {
                ackedSinceSend -= CHUNK;
                sendChunk();
            }
        }
    };

    private final TcpEvents<Packet> receiverEvents = new TcpEvents<>() {
        @Override
        public void onPayload(Stack<Packet> s, int c, Object a, Packet p, int off, int len) {
            bytesReceived += len;
            s.tcpRxConsumed(c, len);
        }
    };

    public BulkHarness(boolean offload) {
        this(offload, System::nanoTime);
    }

    public BulkHarness(boolean offload, Clock clock) {
        senderPool = PacketPool.builder().packets(8192).small(4096, 2048).large(8, 65_792).build();
        receiverPool = PacketPool.builder().packets(8192).small(4096, 2048).large(8, 65_792).build();
        int senderFeatures = offload ? NicFeatures.ALL_CSUM | NicFeatures.TCP_TSO | NicFeatures.TX_SCATTER_GATHER : 0;
        int receiverFeatures = offload ? NicFeatures.ALL_CSUM : 0;
        TcpConfig tcp = TcpConfig.builder().connections(4).receiveBuffer(4 << 20).sendBuffer(4 << 20).isnKey(ISN_KEY)
                .build();
        pair = new StackPair(new MemoryLink(clock).trustChecksums(offload), clock, 4096,
                senderPool, senderFeatures,
                StackConfig.builder().mac("02:00:00:00:01:01").ipv4("10.9.0.1", 24).tcp(tcp).build(),
                receiverPool, receiverFeatures,
                StackConfig.builder().mac("02:00:00:00:01:02").ipv4("10.9.0.2", 24).tcp(tcp).build());
        sender = pair.client;
        chunk = senderPool.alloc(CHUNK);
        senderPool.length(chunk, CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            chunk.buffer().put(chunk.offset() + i, (byte) i);
        }
        open();
    }

    private void open() {
        StackPair.check(pair.server.tcpListen(PORT, 4, receiverEvents), "listen");
        pair.resolveServer(100);
        int handle = sender.tcpConnect(pair.serverIp(), PORT, 0, senderEvents, null);
        if (handle < 0) {
            throw new IllegalStateException("connect: " + Result.name(handle));
        }
        for (int i = 0; i < 1000 && connection < 0; i++) {
            step();
        }
        if (connection < 0) {
            throw new IllegalStateException("not connected");
        }
        sender.tcpNoDelay(connection, true);
        for (int i = 0; i < OUTSTANDING; i++) {
            sendChunk();
        }
    }

    /** Queues one more chunk: a clone of the chunk buffer (zero-copy), freed by the stack once acknowledged. */
    private void sendChunk() {
        Packet p = senderPool.clone(chunk);
        if (p == null || sender.tcpSend(connection, p, 0) != Result.OK) {
            if (p != null) {
                senderPool.free(p);
            }
            sendFailures++;
        }
    }

    /** One poll and run of each context ({@link StackPair#step}). */
    public int step() {
        return pair.step();
    }

    /** Steps until at least {@code target} payload bytes were delivered in total. */
    public void runUntil(long target) {
        int idle = 0;
        while (bytesReceived < target) {
            if (step() == 0 && ++idle > MAX_IDLE_STEPS) {
                throw new IllegalStateException("bulk transfer stalled at " + bytesReceived + " bytes");
            }
        }
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long sendFailures() {
        return sendFailures;
    }

    @Override
    public void close() {
        pair.close();
        senderPool.free(chunk);
        if (senderPool.inUse() != 0 || receiverPool.inUse() != 0) {
            throw new IllegalStateException("pool leak");
        }
    }
}
