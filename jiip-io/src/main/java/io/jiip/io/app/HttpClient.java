package io.jiip.io.app;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.wire.Ipv4Address;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * A one-shot HTTP/1.1 GET over jiip TCP ({@code Connection: close}): the body is hashed with SHA-256 as it arrives
 * (never stored), and the result carries status, size, hash and rate. The body ends at {@code Content-Length} or,
 * without one, at the server's FIN. Start it on the loop thread with {@link #start}.
 */
public final class HttpClient implements TcpEvents<Packet> {
    /** What a finished GET produced. */
    public record Response(int status, long bytes, String sha256, long nanos, String error) {
        public double bytesPerSecond() {
            return nanos <= 0 ? 0 : bytes * 1e9 / nanos;
        }

        public boolean ok() {
            return error == null;
        }
    }

    private final int ip;
    private final int port;
    private final String path;
    private final String host;
    private final CompletableFuture<Response> result = new CompletableFuture<>();
    private final MessageDigest digest = Pattern.sha256();
    private final byte[] head = new byte[16384];
    private int headLength;
    private boolean inBody;
    private int status;
    private long contentLength = -1;
    private long received;
    private long startNanos;
    private long bodyStartNanos;
    private ByteBuffer view;
    private ByteBuffer viewOf;
    private int connection = -1;
    private volatile long progress;

    public HttpClient(int ip, int port, String path, String host) {
        this.ip = ip;
        this.port = port;
        this.path = path;
        this.host = host;
    }

    /** For {@code http://A.B.C.D[:port]/path} (IPv4 literals only: jiip has no resolver). */
    public static HttpClient forUrl(String url) {
        URI u = URI.create(url);
        if (!"http".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("need http://IPv4[:port]/path, got " + url);
        }
        int ip = Ipv4Address.parse(u.getHost());
        int port = u.getPort() < 0 ? 80 : u.getPort();
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        if (u.getRawQuery() != null) {
            path += "?" + u.getRawQuery();
        }
        return new HttpClient(ip, port, path, u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()));
    }

    /** Connects; call on the loop thread. */
    public void start(Stack<Packet> stack) {
        startNanos = System.nanoTime();
        int c = stack.tcpConnect(ip, port, 0, this, null);
        if (c < 0) {
            result.complete(new Response(0, 0, null, 0, "connect: " + Result.name(c)));
        }
    }

    public CompletableFuture<Response> result() {
        return result;
    }

    /** Body bytes received so far (any thread). */
    public long progress() {
        return progress;
    }

    @Override
    public Object onConnected(Stack<Packet> stack, int conn, Object attachment) {
        connection = conn;
        String req = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: jiip\r\nAccept: */*\r\n"
                + "Connection: close\r\n\r\n";
        Packet p = Payloads.of(stack.packetOps(), req);
        if (p == null || stack.tcpSend(conn, p, 0) != Result.OK) {
            if (p != null) {
                stack.packetOps().free(p);
            }
            fail(stack, "cannot send the request");
        }
        return attachment;
    }

    @Override
    public void onPayload(Stack<Packet> stack, int conn, Object attachment, Packet packet, int offset, int length) {
        stack.tcpRxConsumed(conn, length);
        ByteBuffer buf = stack.packetOps().buffer(packet);
        int off = offset;
        int len = length;
        if (!inBody) {
            int take = Math.min(len, head.length - headLength);
            buf.get(off, head, headLength, take);
            int scanFrom = Math.max(0, headLength - 3);
            headLength += take;
            int end = -1;
            for (int i = scanFrom; i + 3 < headLength; i++) {
                if (head[i] == '\r' && head[i + 1] == '\n' && head[i + 2] == '\r' && head[i + 3] == '\n') {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                if (headLength == head.length) {
                    fail(stack, "response header too long");
                }
                return;
            }
            if (!parseHead(new String(head, 0, end, StandardCharsets.ISO_8859_1))) {
                fail(stack, "bad response header");
                return;
            }
            inBody = true;
            bodyStartNanos = System.nanoTime();
            int bodyInHead = headLength - (end + 4);
            int consumedFromThis = take - bodyInHead;
            off += consumedFromThis;
            len -= consumedFromThis;
        }
        if (len > 0) {
            if (viewOf != buf) {
                viewOf = buf;
                view = buf.duplicate();
            }
            view.clear();
            view.position(off);
            view.limit(off + len);
            digest.update(view);
            received += len;
            progress = received;
        }
        if (contentLength >= 0 && received >= contentLength) {
            finish(stack);
        }
    }

    private boolean parseHead(String text) {
        String[] lines = text.split("\r\n");
        String[] first = lines[0].split(" ", 3);
        if (first.length < 2 || !first[0].startsWith("HTTP/1.")) {
            return false;
        }
        try {
            status = Integer.parseInt(first[1]);
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i].toLowerCase(Locale.ROOT);
                if (l.startsWith("content-length:")) {
                    contentLength = Long.parseLong(l.substring(15).trim());
                } else if (l.startsWith("transfer-encoding:") && l.contains("chunked")) {
                    return false; // not supported: servers of files send a length
                }
            }
        } catch (NumberFormatException e) {
            return false;
        }
        return true;
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int conn, Object attachment) {
        if (!inBody) {
            fail(stack, "connection closed before the response header");
        } else if (contentLength < 0) {
            finish(stack);
        } else if (received < contentLength) {
            fail(stack, "connection closed after " + received + " of " + contentLength + " bytes");
        }
    }

    @Override
    public void onClosed(Stack<Packet> stack, int conn, Object attachment, int reason) {
        if (!result.isDone()) {
            String why = reason == TcpCloseReason.REFUSED ? "connection refused"
                    : reason == TcpCloseReason.RESET_BY_PEER ? "connection reset" : "closed (reason " + reason + ")";
            result.complete(new Response(status, received, null, System.nanoTime() - startNanos, why));
        }
    }

    private void finish(Stack<Packet> stack) {
        if (result.isDone()) {
            return;
        }
        long t = System.nanoTime() - (bodyStartNanos != 0 ? bodyStartNanos : startNanos);
        result.complete(new Response(status, received, HexFormat.of().formatHex(digest.digest()), t, null));
        stack.tcpClose(connection);
    }

    private void fail(Stack<Packet> stack, String why) {
        if (!result.isDone()) {
            result.complete(new Response(status, received, null, System.nanoTime() - startNanos, why));
        }
        if (connection >= 0) {
            stack.tcpAbort(connection);
        }
    }
}
