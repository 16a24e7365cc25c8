package io.jiip.io.app;

import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;

/**
 * Discard (RFC 863) over TCP: consumes everything, counts it, and closes when the peer does. Counters are written on
 * the loop thread and may be read from any (slightly stale).
 */
public final class DiscardServer implements TcpEvents<Packet> {
    private volatile long bytes;
    private volatile long connections;
    private volatile long firstByteNanos;
    private volatile long lastByteNanos;

    @Override
    public Object onAccepted(Stack<Packet> stack, int connection) {
        connections++;
        return null;
    }

    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        long now = System.nanoTime();
        if (bytes == 0) {
            firstByteNanos = now;
        }
        lastByteNanos = now;
        bytes += length;
        stack.tcpRxConsumed(connection, length);
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        stack.tcpClose(connection);
    }

    public long bytes() {
        return bytes;
    }

    public long connections() {
        return connections;
    }

    /** Bytes per second from the first to the last byte received (0 before two arrivals). */
    public double rate() {
        long dt = lastByteNanos - firstByteNanos;
        return dt <= 0 ? 0 : bytes * 1e9 / dt;
    }

    public void reset() {
        bytes = 0;
        firstByteNanos = 0;
        lastByteNanos = 0;
    }
}
