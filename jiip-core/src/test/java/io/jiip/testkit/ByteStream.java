package io.jiip.testkit;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpState;
import io.jiip.link.Packet;
import io.jiip.wire.Ipv4Address;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * A seeded random byte stream sent over one TCP connection and hashed at both ends: {@link #sink()} is the
 * receiver's handler, {@link #fill} queues more of the stream, {@link #exact()} compares the SHA-256 digests.
 */
public final class ByteStream {
    private final MessageDigest sent = sha256();
    private final MessageDigest received = sha256();
    private final SplittableRandom random;
    private final int total;
    private final int minChunk;
    private final int maxChunk;
    private int queued;
    private long receivedBytes;

    /** {@code total} bytes in writes of {@code minChunk..maxChunk} bytes. */
    public ByteStream(long seed, int total, int minChunk, int maxChunk) {
        this.random = new SplittableRandom(seed);
        this.total = total;
        this.minChunk = minChunk;
        this.maxChunk = maxChunk;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The receiving side: hashes every payload byte and consumes it at once. */
    public TcpEvents<Packet> sink() {
        return new TcpEvents<>() {
            @Override
            public void onPayload(Stack<Packet> s, int c, Object a, Packet p, int off, int len) {
                byte[] b = new byte[len];
                p.buffer().get(off, b);
                received.update(b);
                receivedBytes += len;
                s.tcpRxConsumed(c, len);
            }
        };
    }

    /** Queues more of the stream on {@code conn} until it is all queued or the pool or send buffer is full. */
    public void fill(TestNet.Node node, int conn) {
        while (queued < total) {
            int n = Math.min(total - queued, minChunk + random.nextInt(maxChunk - minChunk + 1));
            Packet p = node.pool.alloc(n);
            if (p == null) {
                return;
            }
            byte[] b = new byte[n];
            random.nextBytes(b);
            p.buffer().put(p.offset(), b);
            node.pool.length(p, n);
            if (node.stack.tcpSend(conn, p, 0) != Result.OK) {
                node.pool.free(p);
                return;
            }
            sent.update(b);
            queued += n;
        }
    }

    /**
     * Moves the stream from node A to node B over a new connection to B's {@code port}, where this stream's sink
     * listens: waits (in 100 ms steps, on a lossy link too) for the handshake, then queues the stream and advances the
     * clock 1 ms at a time until it is all received or {@code maxRounds} steps passed. Returns the connection.
     */
    public int sendFromA(TestNet net, int port, int maxRounds) {
        if (net.b().stack.tcpListen(port, 4, sink()) != Result.OK) {
            throw new IllegalStateException("listen on " + port);
        }
        int conn = net.a().stack.tcpConnect(Ipv4Address.parse(TestNet.B_IP), port, 0, new TcpEvents<>() { }, null);
        for (int i = 0; i < 100 && net.a().stack.tcpState(conn) != TcpState.ESTABLISHED; i++) {
            net.advance(100_000_000L);
        }
        for (int round = 0; round < maxRounds && !done(); round++) {
            fill(net.a(), conn);
            net.advance(1_000_000L);
        }
        return conn;
    }

    public long receivedBytes() {
        return receivedBytes;
    }

    public boolean done() {
        return receivedBytes >= total;
    }

    /** Everything arrived and both digests agree. */
    public boolean exact() {
        return receivedBytes == total && MessageDigest.isEqual(sent.digest(), received.digest());
    }
}
