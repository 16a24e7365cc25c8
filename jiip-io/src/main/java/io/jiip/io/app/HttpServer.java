package io.jiip.io.app;

import io.jiip.api.PacketOps;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpSendFlags;
import io.jiip.link.Packet;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A small HTTP/1.1 server on jiip TCP: keep-alive and pipelining, {@code GET /} answers a fixed body and
 * {@code GET /bytes/N} streams {@code N} {@link Pattern} bytes zero-copy (clones of one pattern buffer), paced by
 * the peer's acknowledgements. {@code HEAD} is answered without a body; anything else gets 404/405/400.
 * {@code Connection: close} (and HTTP/1.0 without keep-alive) closes after the response; a peer's half-close lets
 * the current response finish first.
 */
public final class HttpServer implements TcpEvents<Packet> {
    private static final int MAX_HEAD = 8192;

    private final byte[] body;
    private PatternSource pattern;
    private volatile long requests;
    private volatile long bodyBytes;

    /** @param body the answer to {@code GET /} */
    public HttpServer(String body) {
        this.body = body.getBytes(StandardCharsets.UTF_8);
    }

    public HttpServer() {
        this("Hello from jiip, a TCP/IP stack in Java.\n");
    }

    private static final class Conn {
        final byte[] head = new byte[MAX_HEAD];
        int headLength;
        long remaining;
        long position;
        boolean streaming;
        boolean closeAfter;
        boolean peerClosed;
        boolean closed;
    }

    @Override
    public Object onAccepted(Stack<Packet> stack, int connection) {
        if (pattern == null) {
            pattern = new PatternSource(stack.packetOps());
        }
        return new Conn();
    }

    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        Conn c = (Conn) attachment;
        stack.tcpRxConsumed(connection, length);
        if (c.closed) {
            return;
        }
        if (c.headLength + length > MAX_HEAD) {
            respond(stack, connection, c, 431, "Request Header Fields Too Large", null, 0, true);
            return;
        }
        stack.packetOps().buffer(packet).get(offset, c.head, c.headLength, length);
        c.headLength += length;
        serveBuffered(stack, connection, c);
    }

    @Override
    public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
        Conn c = (Conn) attachment;
        if (c.streaming) {
            pump(stack, connection, c);
        }
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        Conn c = (Conn) attachment;
        c.peerClosed = true;
        if (!c.streaming) {
            serveBuffered(stack, connection, c);
            if (!c.streaming) {
                close(stack, connection, c);
            }
        }
    }

    @Override
    public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
        if (attachment instanceof Conn c) {
            c.closed = true;
        }
    }

    /** Answers complete requests in the buffer, one at a time (a streaming response finishes first). */
    private void serveBuffered(Stack<Packet> stack, int connection, Conn c) {
        while (!c.streaming && !c.closed) {
            int end = headEnd(c.head, c.headLength);
            if (end < 0) {
                return;
            }
            String head = new String(c.head, 0, end, StandardCharsets.ISO_8859_1);
            System.arraycopy(c.head, end + 4, c.head, 0, c.headLength - end - 4);
            c.headLength -= end + 4;
            handle(stack, connection, c, head);
            if (c.streaming) {
                pump(stack, connection, c);
            }
        }
        if (!c.streaming && c.peerClosed && !c.closed) {
            close(stack, connection, c);
        }
    }

    private void handle(Stack<Packet> stack, int connection, Conn c, String head) {
        requests++;
        String[] lines = head.split("\r\n");
        String[] parts = lines[0].split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            respond(stack, connection, c, 400, "Bad Request", null, 0, true);
            return;
        }
        boolean keepAlive = parts[2].equals("HTTP/1.1");
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].toLowerCase(Locale.ROOT);
            if (l.startsWith("connection:")) {
                String v = l.substring(11).trim();
                keepAlive = v.contains("keep-alive") || keepAlive && !v.contains("close");
            }
        }
        boolean head0 = parts[0].equals("HEAD");
        if (!parts[0].equals("GET") && !head0) {
            respond(stack, connection, c, 405, "Method Not Allowed", null, 0, !keepAlive);
            return;
        }
        String path = parts[1];
        if (path.equals("/")) {
            respond(stack, connection, c, 200, "OK", head0 ? null : body, body.length, !keepAlive);
        } else if (path.startsWith("/bytes/")) {
            long n;
            try {
                n = Pattern.parseSize(path.substring(7));
            } catch (RuntimeException e) {
                n = -1;
            }
            if (n < 0) {
                respond(stack, connection, c, 400, "Bad Request", null, 0, !keepAlive);
                return;
            }
            respond(stack, connection, c, 200, "OK", null, n, !keepAlive, !head0 && n > 0);
            if (!head0 && n > 0) {
                c.streaming = true;
                c.remaining = n;
                c.position = 0;
            }
        } else {
            byte[] msg = "not found\n".getBytes(StandardCharsets.US_ASCII);
            respond(stack, connection, c, 404, "Not Found", head0 ? null : msg, msg.length, !keepAlive);
        }
    }

    /**
     * Sends the status line and headers, and {@code inline} as the body when given (else the body follows by
     * streaming, or there is none).
     */
    private void respond(Stack<Packet> stack, int connection, Conn c, int status, String reason, byte[] inline,
            long contentLength, boolean close) {
        respond(stack, connection, c, status, reason, inline, contentLength, close, false);
    }

    private void respond(Stack<Packet> stack, int connection, Conn c, int status, String reason, byte[] inline,
            long contentLength, boolean close, boolean bodyFollows) {
        c.closeAfter = close;
        String h = "HTTP/1.1 " + status + " " + reason + "\r\nServer: jiip\r\nContent-Length: " + contentLength
                + "\r\nContent-Type: " + (inline != null && status == 200 ? "text/plain" : "application/octet-stream")
                + (close ? "\r\nConnection: close" : "") + "\r\n\r\n";
        byte[] hb = h.getBytes(StandardCharsets.US_ASCII);
        int total = hb.length + (inline != null ? inline.length : 0);
        PacketOps<Packet> ops = stack.packetOps();
        Packet p = ops.alloc(total);
        if (p == null) {
            stack.tcpAbort(connection);
            c.closed = true;
            return;
        }
        ops.buffer(p).put(ops.offset(p), hb);
        if (inline != null) {
            ops.buffer(p).put(ops.offset(p) + hb.length, inline);
        }
        ops.length(p, total);
        int r = stack.tcpSend(connection, p, bodyFollows ? TcpSendFlags.MORE : TcpSendFlags.NONE);
        if (r != Result.OK) {
            ops.free(p);
            stack.tcpAbort(connection);
            c.closed = true;
            return;
        }
        bodyBytes += inline != null ? inline.length : 0;
        if (close && !bodyFollows) {
            close(stack, connection, c);
        }
    }

    /** Queues pattern bytes until the send buffer is full; the next {@code onAcked} continues. */
    private void pump(Stack<Packet> stack, int connection, Conn c) {
        while (c.remaining > 0 && !c.closed) {
            Packet p = pattern.slice(c.position, c.remaining);
            if (p == null) {
                return; // out of descriptors: onAcked frees some
            }
            int len = stack.packetOps().length(p);
            int r = stack.tcpSend(connection, p, c.remaining > len ? TcpSendFlags.MORE : TcpSendFlags.NONE);
            if (r == Result.WOULD_BLOCK) {
                stack.packetOps().free(p);
                return;
            }
            if (r != Result.OK) {
                stack.packetOps().free(p);
                c.closed = true;
                stack.tcpAbort(connection);
                return;
            }
            c.remaining -= len;
            c.position += len;
            bodyBytes += len;
        }
        if (c.remaining == 0) {
            c.streaming = false;
            if (c.closeAfter || c.peerClosed) {
                close(stack, connection, c);
            } else {
                serveBuffered(stack, connection, c);
            }
        }
    }

    private static void close(Stack<Packet> stack, int connection, Conn c) {
        if (!c.closed) {
            c.closed = true;
            stack.tcpClose(connection);
        }
    }

    private static int headEnd(byte[] b, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Frees the pattern buffer; call on the loop thread when the stack is being discarded. */
    public void release() {
        if (pattern != null) {
            pattern.release();
        }
    }

    public long requests() {
        return requests;
    }

    public long bodyBytes() {
        return bodyBytes;
    }
}
