package io.jiip.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An application on one side of a TCP connection: records every event in {@link #log}, consumes what it receives
 * into {@link #received} (ISO-8859-1, one char per byte), echoes it if asked to, and remembers the last connection
 * handle.
 */
public final class RecordingApp implements TcpEvents<Packet> {
    public final TestNet net;
    /** "accepted", "connected", "remote-shutdown", "closed REASON" (see {@link #reasonName}), in order. */
    public final List<String> log = new ArrayList<>();
    public final List<Integer> accepted = new ArrayList<>();
    public final StringBuilder received = new StringBuilder();
    /** The last connection accepted or connected; -1 before. */
    public int conn = -1;
    public int closedReason = -1;
    /** Virtual time of the last close; -1 before. */
    public long closedAt = -1;
    public long acked;
    /** Refuse connections in {@code onAccept}. */
    public boolean refuse;
    /** Send back everything received. */
    public boolean echo;

    public RecordingApp(TestNet net) {
        this.net = net;
    }

    @Override
    public boolean onAccept(Stack<Packet> stack, int localPort, int remoteIp, int remotePort) {
        return !refuse;
    }

    @Override
    public Object onAccepted(Stack<Packet> stack, int connection) {
        conn = connection;
        accepted.add(connection);
        log.add("accepted");
        return null;
    }

    @Override
    public Object onConnected(Stack<Packet> stack, int connection, Object attachment) {
        conn = connection;
        log.add("connected");
        return attachment;
    }

    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        byte[] b = new byte[length];
        packet.buffer().get(offset, b);
        received.append(new String(b, StandardCharsets.ISO_8859_1));
        stack.tcpRxConsumed(connection, length);
        if (echo) {
            Packet reply = stack.packetOps().clone(packet);
            stack.packetOps().trimHead(reply, offset - reply.offset());
            stack.packetOps().length(reply, length);
            assertEquals(Result.OK, stack.tcpSend(connection, reply, 0));
        }
    }

    @Override
    public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
        acked += bytes;
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        log.add("remote-shutdown");
    }

    @Override
    public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
        log.add("closed " + reasonName(reason));
        closedReason = reason;
        closedAt = net.clock.nanoTime();
    }

    /** The {@link TcpCloseReason} constant's name, as logged. */
    public static String reasonName(int reason) {
        switch (reason) {
            case TcpCloseReason.NORMAL: return "NORMAL";
            case TcpCloseReason.RESET_BY_PEER: return "RESET_BY_PEER";
            case TcpCloseReason.TIMEOUT: return "TIMEOUT";
            case TcpCloseReason.ABORTED: return "ABORTED";
            case TcpCloseReason.REFUSED: return "REFUSED";
            default: return "REASON(" + reason + ")";
        }
    }
}
