package io.jiip.io.app;

import io.jiip.api.PacketOps;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.api.UdpHandler;
import io.jiip.link.Packet;
import java.util.ArrayDeque;

/**
 * Echo (RFC 862) over TCP and UDP, zero-copy: the reply is a clone of the received bytes. Received bytes are
 * consumed (the window reopened) only once their echo is queued, so a slow reader slows the writer (flow control,
 * no unbounded buffering). When the peer half-closes, the echo finishes and then our side closes.
 */
public final class EchoServer implements TcpEvents<Packet>, UdpHandler<Packet> {

    private static final class Conn {
        final ArrayDeque<Packet> backlog = new ArrayDeque<>();
        boolean closeWhenDrained;
    }

    @Override
    public Object onAccepted(Stack<Packet> stack, int connection) {
        stack.tcpNoDelay(connection, true);
        return new Conn();
    }

    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        Conn c = (Conn) attachment;
        PacketOps<Packet> ops = stack.packetOps();
        Packet reply = ops.clone(packet);
        if (reply == null) {
            stack.tcpAbort(connection); // out of descriptors: cannot keep the bytes
            return;
        }
        ops.trimHead(reply, offset - ops.offset(reply));
        ops.length(reply, length);
        c.backlog.add(reply);
        drain(stack, connection, c);
    }

    @Override
    public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
        drain(stack, connection, (Conn) attachment);
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        Conn c = (Conn) attachment;
        c.closeWhenDrained = true;
        drain(stack, connection, c);
    }

    @Override
    public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
        Conn c = (Conn) attachment;
        if (c != null) {
            Packet p;
            while ((p = c.backlog.poll()) != null) {
                stack.packetOps().free(p);
            }
        }
    }

    private static void drain(Stack<Packet> stack, int connection, Conn c) {
        Packet p;
        while ((p = c.backlog.peek()) != null) {
            int len = stack.packetOps().length(p);
            int r = stack.tcpSend(connection, p, 0);
            if (r == Result.WOULD_BLOCK) {
                return;
            }
            c.backlog.poll();
            if (r != Result.OK) {
                stack.packetOps().free(p);
                continue;
            }
            stack.tcpRxConsumed(connection, len);
        }
        if (c.closeWhenDrained) {
            c.closeWhenDrained = false;
            stack.tcpClose(connection);
        }
    }

    @Override
    public void onDatagram(Stack<Packet> stack, Packet packet, int srcIp, int srcPort, int dstIp, int dstPort,
            int payloadOffset, int payloadLength) {
        PacketOps<Packet> ops = stack.packetOps();
        Packet reply = ops.clone(packet);
        if (reply == null) {
            return;
        }
        ops.trimHead(reply, payloadOffset - ops.offset(reply));
        ops.length(reply, payloadLength);
        if (stack.udpSend(reply, dstPort, srcIp, srcPort) != Result.OK) {
            ops.free(reply);
        }
    }
}
