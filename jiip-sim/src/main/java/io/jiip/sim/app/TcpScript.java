package io.jiip.sim.app;

import io.jiip.sim.Units;
import java.util.Locale;

/**
 * What both ends of a scripted TCP connection do ({@link TcpClientApp}, {@link TcpServerApp}), and so what a
 * correct stack must deliver. The client connects; then, by {@link Mode}:
 *
 * <ul>
 *   <li>{@code BULK}: the client sends {@code clientBytes} (or keeps sending until {@code sendUntil}) and closes;
 *       the server reads to the end and closes. Both end NORMAL.</li>
 *   <li>{@code HALF_CLOSE}: the client sends {@code clientBytes} and shuts its direction down; when the server sees
 *       the end it sends {@code serverBytes} and closes; the client reads to the end and closes.</li>
 *   <li>{@code PING_PONG}: {@code rounds} times the client sends {@code clientBytes} and waits for
 *       {@code serverBytes} of answer; then it closes, and the server closes on seeing the end.</li>
 *   <li>{@code ABORT_CLIENT}: the client sends {@code clientBytes} and aborts (RST) once {@code abortAfter} bytes are
 *       acknowledged; the server ends with RESET_BY_PEER, or TIMEOUT (keepalive) if every RST was lost.</li>
 *   <li>{@code ABORT_SERVER}: as {@code BULK}, but the server aborts once it has received {@code abortAfter} bytes;
 *       the client ends with RESET_BY_PEER or TIMEOUT.</li>
 * </ul>
 *
 * Every byte is checked at its stream offset ({@link Pattern}); a plain mutable specification.
 */
public final class TcpScript {
    /** An empty bulk script; prefer the factories ({@link #bulk}, {@link #pingPong}, ...). */
    public TcpScript() {
    }

    public enum Mode { BULK, HALF_CLOSE, PING_PONG, ABORT_CLIENT, ABORT_SERVER }

    Mode mode = Mode.BULK;
    long clientBytes;
    long serverBytes;
    int rounds = 1;
    long abortAfter;
    long sendUntil = -1;
    int minChunk = 1448;
    int maxChunk = 1448;
    boolean noDelay;
    Boolean delayedAck;
    long readRate;
    long keepaliveIdle = 10 * Units.SECOND;
    long keepaliveInterval = 2 * Units.SECOND;
    int keepaliveCount = 10;

    public static TcpScript bulk(long bytes) {
        TcpScript s = new TcpScript();
        s.clientBytes = bytes;
        return s;
    }

    /** Bulk that keeps the send buffer full until {@code untilNanos}, then closes. */
    public static TcpScript bulkUntil(long untilNanos) {
        TcpScript s = new TcpScript();
        s.sendUntil = untilNanos;
        s.clientBytes = Long.MAX_VALUE;
        return s;
    }

    public static TcpScript halfClose(long requestBytes, long responseBytes) {
        TcpScript s = new TcpScript();
        s.mode = Mode.HALF_CLOSE;
        s.clientBytes = requestBytes;
        s.serverBytes = responseBytes;
        return s;
    }

    public static TcpScript pingPong(int rounds, long requestBytes, long responseBytes) {
        if (rounds < 1 || requestBytes < 1 || responseBytes < 1) {
            throw new IllegalArgumentException("ping-pong needs rounds, request and response >= 1");
        }
        TcpScript s = new TcpScript();
        s.mode = Mode.PING_PONG;
        s.rounds = rounds;
        s.clientBytes = requestBytes;
        s.serverBytes = responseBytes;
        return s;
    }

    /** The client sends {@code bytes} and aborts once {@code abortAfter} (&lt;= bytes) are acknowledged. */
    public static TcpScript abortClient(long bytes, long abortAfter) {
        if (abortAfter < 0 || abortAfter > bytes) {
            throw new IllegalArgumentException("abortAfter must be in [0, bytes]");
        }
        TcpScript s = new TcpScript();
        s.mode = Mode.ABORT_CLIENT;
        s.clientBytes = bytes;
        s.abortAfter = abortAfter;
        return s;
    }

    /** The client sends {@code bytes}; the server aborts once it received {@code abortAfter} (&lt; bytes). */
    public static TcpScript abortServer(long bytes, long abortAfter) {
        if (abortAfter < 0 || abortAfter >= bytes) {
            throw new IllegalArgumentException("abortAfter must be in [0, bytes)");
        }
        TcpScript s = new TcpScript();
        s.mode = Mode.ABORT_SERVER;
        s.clientBytes = bytes;
        s.abortAfter = abortAfter;
        return s;
    }

    /** Each write is {@code min..max} bytes (uniform, from the connection's own random stream; default 1448). */
    public TcpScript chunks(int min, int max) {
        if (min < 1 || max < min || max > 65536) {
            throw new IllegalArgumentException("chunks must be 1 <= min <= max <= 65536");
        }
        this.minChunk = min;
        this.maxChunk = max;
        return this;
    }

    /** Disables Nagle on both ends. */
    public TcpScript noDelay(boolean on) {
        this.noDelay = on;
        return this;
    }

    /** Delayed ACKs on both ends (default: the stack's setting). */
    public TcpScript delayedAck(boolean on) {
        this.delayedAck = on;
        return this;
    }

    /** A slow reader: received bytes are consumed at this rate (bytes/s; 0, the default: at once). */
    public TcpScript readRate(long bytesPerSecond) {
        this.readRate = bytesPerSecond;
        return this;
    }

    /** Keepalive the surviving end of an abort script uses to notice a lost RST (default 10 s, 2 s, 10). */
    public TcpScript keepalive(long idle, long interval, int count) {
        this.keepaliveIdle = idle;
        this.keepaliveInterval = interval;
        this.keepaliveCount = count;
        return this;
    }

    public Mode mode() {
        return mode;
    }

    public long clientBytes() {
        return clientBytes;
    }

    public long serverBytes() {
        return serverBytes;
    }

    public int rounds() {
        return rounds;
    }

    public long abortAfter() {
        return abortAfter;
    }

    /** Bytes the server should receive in total on a connection that ends normally. */
    long expectedAtServer() {
        return mode == Mode.PING_PONG ? clientBytes * rounds : clientBytes;
    }

    /** Bytes the client should receive in total. */
    long expectedAtClient() {
        switch (mode) {
            case HALF_CLOSE: return serverBytes;
            case PING_PONG: return serverBytes * rounds;
            default: return 0;
        }
    }

    boolean aborts() {
        return mode == Mode.ABORT_CLIENT || mode == Mode.ABORT_SERVER;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(mode.name().toLowerCase(Locale.ROOT));
        switch (mode) {
            case BULK:
                sb.append(sendUntil >= 0 ? " until " + Units.formatTime(sendUntil) : " " + clientBytes + " B");
                break;
            case HALF_CLOSE:
                sb.append(' ').append(clientBytes).append(" B / ").append(serverBytes).append(" B");
                break;
            case PING_PONG:
                sb.append(' ').append(rounds).append(" x ").append(clientBytes).append(" B / ").append(serverBytes)
                        .append(" B");
                break;
            default:
                sb.append(' ').append(clientBytes).append(" B, abort after ").append(abortAfter).append(" B");
        }
        sb.append(", writes ").append(minChunk).append("..").append(maxChunk);
        if (noDelay) {
            sb.append(", nodelay");
        }
        if (delayedAck != null) {
            sb.append(delayedAck ? ", delack" : ", no delack");
        }
        if (readRate > 0) {
            sb.append(", reader ").append(readRate).append(" B/s");
        }
        return sb.toString();
    }
}
