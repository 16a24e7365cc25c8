package io.jiip.sim.app;

import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;

/** TCP events of an application whose connections each carry a {@link TcpEnd} as attachment: handed to it. */
abstract class TcpEndEvents implements TcpEvents<Packet> {
    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        ((TcpEnd) attachment).onPayload(stack, connection, packet, offset, length);
    }

    @Override
    public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
        ((TcpEnd) attachment).onAcked(stack, bytes);
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        ((TcpEnd) attachment).onRemoteShutdown(stack);
    }

    @Override
    public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
        ((TcpEnd) attachment).onClosed(reason);
    }
}
