package io.jiip.io;

import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A jiip-side TCP client for tests: records events in order and keeps what it receives. */
class Recorder implements TcpEvents<Packet> {
    final List<String> events = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<Integer> connected = new CompletableFuture<>();
    final CompletableFuture<Void> remoteShutdown = new CompletableFuture<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    @Override
    public Object onConnected(Stack<Packet> stack, int connection, Object attachment) {
        events.add("connected");
        connected.complete(connection);
        return attachment;
    }

    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        byte[] b = new byte[length];
        packet.buffer().get(offset, b);
        synchronized (received) {
            received.write(b, 0, length);
        }
        stack.tcpRxConsumed(connection, length);
        if (events.isEmpty() || !events.get(events.size() - 1).equals("payload")) {
            events.add("payload");
        }
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        events.add("remote-shutdown");
        remoteShutdown.complete(null);
    }

    @Override
    public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
        events.add("closed " + reason);
        closed.complete(reason);
    }

    byte[] bytes() {
        synchronized (received) {
            return received.toByteArray();
        }
    }
}
