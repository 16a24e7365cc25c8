package io.jiip.sim.app;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpInfo;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.sim.Node;
import io.jiip.sim.Units;
import io.jiip.sim.trace.Trace;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * One end of one scripted connection: what it sent, what it received (checked byte by byte against the peer's
 * {@link Pattern} stream), how it ended. Runs the {@link TcpScript} for its role from the stack's callbacks.
 */
public final class TcpEnd {
    private final Node node;
    private final TcpScript script;
    private final boolean client;
    private final String label;
    private final long sendSeed;
    private final long recvSeed;
    private final SplittableRandom random;
    int handle = -1;

    private long sendTarget;
    private long queued;
    private long acked;
    private long received;
    private long unconsumed;
    private final CRC32C sentCrc = new CRC32C();
    private final ByteBuffer crcScratch = ByteBuffer.allocate(4096);
    private final CRC32C receivedCrc = new CRC32C();
    private long mismatchAt = -1;
    private boolean established;
    private boolean remoteShutdown;
    private boolean closeCalled;
    private boolean shutdownCalled;
    private boolean aborted;
    private int closedReason = -1;
    private long establishedAt = -1;
    private long closedAt = -1;
    private long firstPayloadAt = -1;
    private long lastPayloadAt = -1;
    private int round;
    private int answered;
    private boolean retryPending;
    private boolean readerPending;
    private String apiError;
    private long injectBugAt = -1;
    private Trace.Series series;

    TcpEnd(Node node, TcpScript script, boolean client, String label, long clientSeed, long serverSeed,
            SplittableRandom random) {
        this.node = node;
        this.script = script;
        this.client = client;
        this.label = label;
        this.sendSeed = client ? clientSeed : serverSeed;
        this.recvSeed = client ? serverSeed : clientSeed;
        this.random = random;
    }

    void injectBugAt(long offset) {
        this.injectBugAt = offset;
    }

    void trace(Trace.Series s) {
        this.series = s;
    }

    // ---- events (called by the apps' TcpEvents) ----

    void onEstablished(Stack<Packet> stack, int conn) {
        handle = conn;
        established = true;
        establishedAt = node.sim().now();
        if (script.noDelay) {
            stack.tcpNoDelay(conn, true);
        }
        if (script.delayedAck != null) {
            stack.tcpDelayedAck(conn, script.delayedAck);
        }
        boolean survivor = client ? script.mode == TcpScript.Mode.ABORT_SERVER
                : script.mode == TcpScript.Mode.ABORT_CLIENT;
        if (survivor && script.keepaliveIdle > 0) {
            stack.tcpKeepalive(conn, script.keepaliveIdle, script.keepaliveInterval, script.keepaliveCount);
        }
        if (client) {
            if (script.mode == TcpScript.Mode.ABORT_CLIENT && script.abortAfter == 0) {
                abort(stack);
                return;
            }
            sendTarget = script.clientBytes;
            pump(stack);
        }
    }

    /** The client's connect was accepted by the stack (handle known before the handshake completes). */
    void onConnecting(int conn) {
        handle = conn;
    }

    void onPayload(Stack<Packet> stack, int conn, Packet packet, int offset, int length) {
        ByteBuffer buf = packet.buffer();
        if (injectBugAt >= 0 && received <= injectBugAt && injectBugAt < received + length) {
            injectBugAt = -1; // the intentional bug: this chunk is consumed but never counted
            consume(stack, length);
            return;
        }
        if (mismatchAt < 0) {
            int bad = Pattern.verify(buf, offset, recvSeed, received, length);
            if (bad >= 0) {
                mismatchAt = received + bad;
            }
        }
        if (buf.hasArray()) {
            receivedCrc.update(buf.array(), buf.arrayOffset() + offset, length);
        } else {
            for (int i = 0; i < length; i++) {
                receivedCrc.update(buf.get(offset + i));
            }
        }
        received += length;
        long now = node.sim().now();
        if (firstPayloadAt < 0) {
            firstPayloadAt = now;
        }
        lastPayloadAt = now;
        if (series != null) {
            series.received(length);
        }
        consume(stack, length);
        if (aborted || closedReason >= 0) {
            return;
        }
        if (client) {
            if (script.mode == TcpScript.Mode.PING_PONG && received >= (long) (round + 1) * script.serverBytes) {
                round++;
                if (round < script.rounds) {
                    sendTarget += script.clientBytes;
                    pump(stack);
                } else {
                    close(stack);
                }
            }
        } else {
            if (script.mode == TcpScript.Mode.ABORT_SERVER && received >= script.abortAfter) {
                abort(stack);
                return;
            }
            if (script.mode == TcpScript.Mode.PING_PONG) {
                boolean more = false;
                while (answered < script.rounds && received >= (long) (answered + 1) * script.clientBytes) {
                    answered++;
                    sendTarget += script.serverBytes;
                    more = true;
                }
                if (more) {
                    pump(stack);
                }
            }
        }
    }

    private void consume(Stack<Packet> stack, int length) {
        if (script.readRate <= 0) {
            stack.tcpRxConsumed(handle, length);
            return;
        }
        unconsumed += length;
        scheduleReader();
    }

    private void scheduleReader() {
        if (readerPending || unconsumed == 0) {
            return;
        }
        readerPending = true;
        long interval = 10 * Units.MILLISECOND;
        node.at(node.sim().now() + interval, () -> {
            readerPending = false;
            if (closedReason >= 0) {
                return;
            }
            long n = Math.min(unconsumed, Math.max(1, script.readRate * interval / Units.SECOND));
            unconsumed -= n;
            node.stack().tcpRxConsumed(handle, (int) n);
            scheduleReader();
        });
    }

    void onAcked(Stack<Packet> stack, int bytes) {
        acked += bytes;
        if (series != null) {
            series.acked(bytes);
        }
        if (client && script.mode == TcpScript.Mode.ABORT_CLIENT && !aborted && acked >= script.abortAfter) {
            abort(stack);
            return;
        }
        pump(stack);
    }

    void onRemoteShutdown(Stack<Packet> stack) {
        remoteShutdown = true;
        if (aborted) {
            return;
        }
        if (!client && script.mode == TcpScript.Mode.HALF_CLOSE) {
            sendTarget = script.serverBytes;
            pump(stack);
            return;
        }
        close(stack);
    }

    void onClosed(int reason) {
        if (closedReason < 0) {
            closedReason = reason;
            closedAt = node.sim().now();
        }
    }

    // ---- sending ----

    private void pump(Stack<Packet> stack) {
        if (aborted || closedReason >= 0 || handle < 0) {
            return;
        }
        PacketPool pool = node.pool();
        while (queued < sendTarget) {
            if (script.sendUntil >= 0 && node.sim().now() >= script.sendUntil) {
                sendTarget = queued;
                break;
            }
            int chunk = script.minChunk == script.maxChunk ? script.minChunk
                    : script.minChunk + random.nextInt(script.maxChunk - script.minChunk + 1);
            int len = (int) Math.min(chunk, sendTarget - queued);
            Packet p = node.poolLow() ? null : pool.alloc(len);
            if (p == null) {
                retryLater();
                return;
            }
            Pattern.fill(p.buffer(), p.offset(), sendSeed, queued, len);
            pool.length(p, len);
            int r = stack.tcpSend(handle, p, 0);
            if (r != Result.OK) {
                pool.free(p);
                if (r == Result.WOULD_BLOCK) {
                    if (acked == queued) {
                        retryLater(); // nothing in flight to bring an onAcked: poll
                    }
                    return;
                }
                apiError = "tcpSend returned " + Result.name(r) + " after " + queued + " bytes";
                return;
            }
            addToSentCrc(queued, len);
            queued += len;
        }
        if (queued == sendTarget) {
            sendComplete(stack);
        }
    }

    /**
     * Adds stream bytes {@code [offset, offset + len)} to the CRC of what was handed to the stack. They come from the
     * pattern the packet was filled with: once sent, the packet is the stack's (a small one is already freed).
     */
    private void addToSentCrc(long offset, int len) {
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, crcScratch.capacity());
            Pattern.fill(crcScratch, 0, sendSeed, offset + done, n);
            sentCrc.update(crcScratch.array(), 0, n);
            done += n;
        }
    }

    private void sendComplete(Stack<Packet> stack) {
        switch (script.mode) {
            case BULK:
            case ABORT_SERVER:
                if (client) {
                    close(stack);
                }
                break;
            case HALF_CLOSE:
                if (client) {
                    if (!shutdownCalled) {
                        shutdownCalled = true;
                        check(stack.tcpShutdownOutput(handle), "tcpShutdownOutput");
                    }
                } else if (remoteShutdown) {
                    close(stack);
                }
                break;
            default:
                break;
        }
    }

    private void retryLater() {
        if (retryPending) {
            return;
        }
        retryPending = true;
        node.at(node.sim().now() + Units.MILLISECOND, () -> {
            retryPending = false;
            pump(node.stack());
        });
    }

    private void close(Stack<Packet> stack) {
        if (!closeCalled && closedReason < 0) {
            closeCalled = true;
            check(stack.tcpClose(handle), "tcpClose");
        }
    }

    private void abort(Stack<Packet> stack) {
        if (!aborted && closedReason < 0) {
            aborted = true;
            check(stack.tcpAbort(handle), "tcpAbort");
        }
    }

    private void check(int result, String call) {
        if (result != Result.OK && apiError == null) {
            apiError = call + " returned " + Result.name(result);
        }
    }

    // ---- verdict ----

    /** Adds every broken expectation of this end to {@code problems}. */
    void check(List<String> problems, boolean peerKnown) {
        String who = label + (client ? " client" : " server");
        if (apiError != null) {
            problems.add(who + ": " + apiError);
        }
        if (mismatchAt >= 0) {
            problems.add(who + ": received byte at stream offset " + mismatchAt + " differs from what was sent"
                    + " (lost, repeated, reordered or corrupted data)");
        }
        if (closedReason < 0) {
            TcpInfo info = new TcpInfo();
            String tcp = node.stack().tcpInfo(handle, info) != Result.OK ? "gone from the stack"
                    : "state " + info.state + ", cwnd " + info.cwnd + ", peer window " + info.sendWindow
                    + ", in flight " + info.bytesInFlight + ", queued " + info.bytesQueued + ", our window "
                    + info.receiveWindow + ", rto " + Units.formatTime(info.rtoNanos) + ", retransmits "
                    + info.retransmits;
            problems.add(who + ": connection never closed (" + tcp + "; app received " + received + ", sent "
                    + queued + ", acked " + acked + ")");
            return;
        }
        long expected = client ? script.expectedAtClient() : script.expectedAtServer();
        int reason = closedReason;
        switch (script.mode) {
            case ABORT_CLIENT:
            case ABORT_SERVER: {
                boolean aborter = client == (script.mode == TcpScript.Mode.ABORT_CLIENT);
                if (aborter) {
                    expectReason(problems, who, reason, TcpCloseReason.ABORTED);
                } else if (reason != TcpCloseReason.RESET_BY_PEER && reason != TcpCloseReason.TIMEOUT) {
                    problems.add(who + ": closed with " + reasonName(reason) + ", expected RESET_BY_PEER or TIMEOUT");
                }
                if (received > expected && !client) {
                    problems.add(who + ": received " + received + " bytes, more than the " + expected + " sent");
                }
                break;
            }
            default:
                expectReason(problems, who, reason, TcpCloseReason.NORMAL);
                if (script.sendUntil >= 0 && !client) {
                    break; // sending until a time: the client pair check compares the byte counts
                }
                if (received != expected) {
                    problems.add(who + ": received " + received + " bytes, expected " + expected);
                }
                if (acked != queued) {
                    problems.add(who + ": " + queued + " bytes sent but only " + acked + " acknowledged");
                }
                long toSend = client ? script.expectedAtServer() : script.expectedAtClient();
                if (script.sendUntil < 0 && queued != toSend) {
                    problems.add(who + ": sent " + queued + " bytes, the script says " + toSend);
                }
        }
    }

    private static void expectReason(List<String> problems, String who, int reason, int expected) {
        if (reason != expected) {
            problems.add(who + ": closed with " + reasonName(reason) + ", expected " + reasonName(expected));
        }
    }

    public static String reasonName(int reason) {
        switch (reason) {
            case TcpCloseReason.NORMAL: return "NORMAL";
            case TcpCloseReason.RESET_BY_PEER: return "RESET_BY_PEER";
            case TcpCloseReason.TIMEOUT: return "TIMEOUT";
            case TcpCloseReason.ABORTED: return "ABORTED";
            case TcpCloseReason.REFUSED: return "REFUSED";
            case -1: return "(open)";
            default: return "REASON(" + reason + ")";
        }
    }

    // ---- read-only view ----

    public boolean isClient() {
        return client;
    }

    public String label() {
        return label;
    }

    public int handle() {
        return handle;
    }

    public long queued() {
        return queued;
    }

    public long acked() {
        return acked;
    }

    public long received() {
        return received;
    }

    /** CRC-32C of every byte handed to the stack (in order). */
    public long sentCrc() {
        return sentCrc.getValue();
    }

    /** CRC-32C of every byte received (in order). */
    public long receivedCrc() {
        return receivedCrc.getValue();
    }

    public boolean established() {
        return established;
    }

    public int closedReason() {
        return closedReason;
    }

    public long establishedAt() {
        return establishedAt;
    }

    public long closedAt() {
        return closedAt;
    }

    /** When the first / last payload byte arrived (-1: none yet). */
    public long firstPayloadAt() {
        return firstPayloadAt;
    }

    public long lastPayloadAt() {
        return lastPayloadAt;
    }

    public long mismatchAt() {
        return mismatchAt;
    }
}
