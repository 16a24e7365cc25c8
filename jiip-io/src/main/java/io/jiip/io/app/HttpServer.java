package io.jiip.io.app;

import io.jiip.api.PacketOps;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpSendFlags;
import io.jiip.link.Packet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A small HTTP/1.1 server on jiip TCP (RFC 9112): {@code GET /} answers a fixed body and {@code GET /bytes/N}
 * streams {@code N} {@link Pattern} bytes zero-copy (clones of one pattern buffer), paced by the peer's
 * acknowledgements. {@code HEAD} is answered without a body; other methods get 405, other paths 404. Every
 * response carries {@code Content-Length}. One instance per stack (its event loop thread).
 *
 * <p><b>Connections</b> (RFC 9112 §9.3). HTTP/1.1 is persistent unless the request's {@code Connection} list holds
 * {@code close}; HTTP/1.0 closes after the response unless the list holds {@code keep-alive}, and then the response
 * says {@code Connection: keep-alive}. A closing response says {@code Connection: close} and the server closes
 * after it (requests already received after it are not answered, §9.6). Pipelined requests are answered in order;
 * while a response is still being sent, further input is held unconsumed, so the peer's window closes (flow
 * control, no unbounded buffering). A peer's half-close lets the pending responses finish first.
 *
 * <p><b>Limits.</b> A request head (request line, field lines and the empty line) longer than
 * {@link #MAX_HEAD_BYTES} gets 431; a {@code Content-Length} over {@link #MAX_BODY_BYTES} gets 413. A body within
 * the limit is read and discarded, so a request with a body (a POST, answered 405) leaves the connection in step;
 * so is a chunked body (RFC 9112 §7.1), whose length shows only as it arrives: the response has gone out by then,
 * so a chunked body beyond {@link #MAX_BODY_BYTES} (or with a chunk-size line or trailer section beyond
 * {@link #MAX_HEAD_BYTES}) or with malformed framing closes the connection instead. A malformed request gets 400
 * ({@link HttpRequestParser} lists the rules, among them: a {@code Transfer-Encoding} not ending in
 * {@code chunked}, a repeated or invalid {@code Content-Length}), an HTTP major version other than 1 gets 505. All
 * four close the connection after the response.
 */
public final class HttpServer implements TcpEvents<Packet> {
    /** The longest request head accepted, in bytes: request line, field lines and the final empty line. */
    public static final int MAX_HEAD_BYTES = 8192;
    /** The longest request body read (and discarded), in bytes. */
    public static final long MAX_BODY_BYTES = 1 << 20;

    private enum Status {
        OK(200, "OK"),
        BAD_REQUEST(400, "Bad Request"),
        NOT_FOUND(404, "Not Found"),
        METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
        CONTENT_TOO_LARGE(413, "Content Too Large"),
        HEADER_FIELDS_TOO_LARGE(431, "Request Header Fields Too Large"),
        VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported");

        /** {@code HTTP/1.1 200 OK CRLF}: we always send our own version (RFC 9110 §2.5). */
        final byte[] line;

        Status(int code, String reason) {
            line = Payloads.ascii("HTTP/1.1 " + code + " " + reason + "\r\n");
        }
    }

    private static final byte[] SERVER = Payloads.ascii("Server: jiip\r\n");
    private static final byte[] CONTENT_LENGTH = Payloads.ascii("Content-Length: ");
    private static final byte[] TEXT = Payloads.ascii("Content-Type: text/plain\r\n");
    private static final byte[] OCTETS = Payloads.ascii("Content-Type: application/octet-stream\r\n");
    private static final byte[] CLOSE = Payloads.ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = Payloads.ascii("Connection: keep-alive\r\n");
    private static final byte[] ALLOW = Payloads.ascii("Allow: GET, HEAD\r\n"); // RFC 9110 §15.5.6: 405 MUST say
    private static final byte[] CRLF = Payloads.ascii("\r\n");
    private static final byte[] NOT_FOUND_BODY = Payloads.ascii("not found\n");
    private static final byte[] BYTES_PREFIX = Payloads.ascii("/bytes/");
    /** Upper bound of a response head: the longest status line and every field line. */
    private static final int MAX_RESPONSE_HEAD = 256;

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
        /** Received bytes not yet processed: {@code [start, end)}; a head is searched for from {@code scanned}. */
        final byte[] in = new byte[MAX_HEAD_BYTES];
        int start;
        int end;
        int scanned;
        final HttpRequestParser request = new HttpRequestParser();
        /** Body bytes of the current request still to discard. */
        long bodyLeft;
        /** The current request's chunked body, while it is read past. */
        final ChunkedBodySkipper chunks = new ChunkedBodySkipper(MAX_BODY_BYTES, MAX_HEAD_BYTES);
        /** Input received while a response was in progress: clones, not yet consumed (created when first needed). */
        ArrayDeque<Packet> held;
        /** Bytes of a streamed body still to queue, and the stream position of the next one. */
        long remaining;
        long position;
        /** A response did not fit in the send buffer: the same request is answered again on the next ACK. */
        boolean waitingForRoom;
        boolean closeAfter;
        boolean peerClosed;
        boolean closed;

        boolean busy() {
            return remaining > 0 || waitingForRoom;
        }

        boolean holding() {
            return held != null && !held.isEmpty();
        }
    }

    @Override
    public Object onAccepted(Stack<Packet> stack, int connection) {
        if (pattern == null) {
            pattern = new PatternSource(stack.packetOps());
        }
        // Every send is a whole response (or the end of one): Nagle would hold the answers to pipelined requests
        // back until the peer's delayed ACK.
        stack.tcpNoDelay(connection, true);
        return new Conn();
    }

    @Override
    public void onPayload(Stack<Packet> stack, int connection, Object attachment, Packet packet, int offset,
            int length) {
        Conn c = (Conn) attachment;
        if (c.closed) {
            return; // RFC 9112 §9.6: nothing after a closing response is processed
        }
        PacketOps<Packet> ops = stack.packetOps();
        int used = c.busy() || c.holding() ? 0 : feed(stack, connection, c, ops.buffer(packet), offset, length);
        if (used == length || c.closed) {
            return;
        }
        Packet rest = ops.clone(packet);
        if (rest == null) {
            stack.tcpAbort(connection); // out of descriptors: cannot keep the bytes
            return;
        }
        ops.trimHead(rest, offset + used - ops.offset(rest));
        ops.length(rest, length - used);
        if (c.held == null) {
            c.held = new ArrayDeque<>();
        }
        c.held.add(rest);
    }

    @Override
    public void onAcked(Stack<Packet> stack, int connection, Object attachment, int bytes) {
        Conn c = (Conn) attachment;
        if (c.closed) {
            return;
        }
        if (c.remaining > 0) {
            pump(stack, connection, c);
            if (c.remaining > 0 || c.closed) {
                return;
            }
            if (c.closeAfter) {
                close(stack, connection, c);
                return;
            }
        } else if (!c.waitingForRoom) {
            return;
        }
        c.waitingForRoom = false;
        resume(stack, connection, c);
    }

    @Override
    public void onRemoteShutdown(Stack<Packet> stack, int connection, Object attachment) {
        Conn c = (Conn) attachment;
        c.peerClosed = true;
        resume(stack, connection, c);
    }

    @Override
    public void onClosed(Stack<Packet> stack, int connection, Object attachment, int reason) {
        if (attachment instanceof Conn c) {
            c.closed = true;
            dropHeld(stack, c);
        }
    }

    /**
     * Goes on after a response completed: requests already buffered, then the held input, until a response is in
     * progress again; closes when the peer has half-closed and everything is answered.
     */
    private void resume(Stack<Packet> stack, int connection, Conn c) {
        process(stack, connection, c);
        PacketOps<Packet> ops = stack.packetOps();
        while (!c.busy() && !c.closed && c.holding()) {
            Packet p = c.held.peek();
            int length = ops.length(p);
            int used = feed(stack, connection, c, ops.buffer(p), ops.offset(p), length);
            if (c.closed) {
                break; // an abort has freed the held packets already
            }
            if (used == length) {
                c.held.poll();
                ops.free(p);
            } else {
                ops.trimHead(p, used);
            }
        }
        if (c.closed) {
            dropHeld(stack, c);
        } else if (c.peerClosed && !c.busy() && !c.holding()) {
            close(stack, connection, c);
        }
    }

    /**
     * Takes input bytes {@code [offset, offset + length)} of {@code buf} and answers the requests they complete, until
     * a response is in progress or the connection closes; returns how many bytes were taken (and consumed).
     */
    private int feed(Stack<Packet> stack, int connection, Conn c, ByteBuffer buf, int offset, int length) {
        int used = 0;
        while (used < length && !c.busy() && !c.closed) {
            int n;
            long skippable = c.bodyLeft > 0 ? c.bodyLeft : c.chunks.dataLeft();
            if (skippable > 0 && c.start == c.end) {
                n = (int) Math.min(skippable, length - used); // a body to discard: no need to copy it
                if (c.bodyLeft > 0) {
                    c.bodyLeft -= n;
                } else {
                    c.chunks.skipData(n);
                }
            } else {
                if (c.end == c.in.length) {
                    compact(c); // start > 0 here: a buffer full from 0 without a head was answered 431
                }
                n = Math.min(length - used, c.in.length - c.end);
                if (n == 0) {
                    break; // cannot happen (see above); keeps the loop bounded if it ever did
                }
                buf.get(offset + used, c.in, c.end, n);
                c.end += n;
            }
            used += n;
            stack.tcpRxConsumed(connection, n);
            process(stack, connection, c);
        }
        return used;
    }

    /** Answers the complete requests in the buffer, in order, until a response is in progress. */
    private void process(Stack<Packet> stack, int connection, Conn c) {
        while (!c.busy() && !c.closed) {
            if (c.chunks.active()) {
                int verdict = c.chunks.take(c.in, c.start, c.end);
                c.start += c.chunks.consumed();
                if (verdict == ChunkedBodySkipper.MORE) {
                    break;
                }
                if (verdict != ChunkedBodySkipper.DONE) {
                    close(stack, connection, c); // the response went out before the body: only closing is left
                    break;
                }
            }
            if (c.bodyLeft > 0) {
                int n = (int) Math.min(c.bodyLeft, c.end - c.start);
                c.start += n;
                c.bodyLeft -= n;
                if (c.bodyLeft > 0) {
                    break;
                }
            }
            // RFC 9112 §2.2: empty lines before a request line are ignored (some clients send CRLF after a body).
            while (c.end - c.start >= 2 && c.in[c.start] == '\r' && c.in[c.start + 1] == '\n') {
                c.start += 2;
            }
            int headEnd = HttpRequestParser.headEnd(c.in, c.start, c.scanned, c.end);
            if (headEnd < 0) {
                c.scanned = c.end;
                if (c.start == 0 && c.end == c.in.length) {
                    respond(stack, connection, c, Status.HEADER_FIELDS_TOO_LARGE, null, null, 0, true, false);
                }
                break;
            }
            if (!serve(stack, connection, c, c.start, headEnd - 2)) {
                break; // no room in the send buffer: the same request again on the next ACK
            }
            c.start = headEnd;
            c.scanned = headEnd;
        }
        if (c.start == c.end) {
            c.start = 0;
            c.end = 0;
            c.scanned = 0;
        }
    }

    private static void compact(Conn c) {
        System.arraycopy(c.in, c.start, c.in, 0, c.end - c.start);
        c.end -= c.start;
        c.scanned = Math.max(0, c.scanned - c.start);
        c.start = 0;
    }

    /**
     * Answers the request whose head (without its final empty line) is {@code [start, end)} of the buffer; returns
     * false when the response did not fit in the send buffer (nothing changed then).
     */
    private boolean serve(Stack<Packet> stack, int connection, Conn c, int start, int end) {
        HttpRequestParser r = c.request;
        int verdict = r.parse(c.in, start, end);
        if (verdict == HttpRequestParser.BAD_REQUEST) {
            return respond(stack, connection, c, Status.BAD_REQUEST, null, null, 0, true, false);
        }
        if (verdict == HttpRequestParser.VERSION_NOT_SUPPORTED) {
            return respond(stack, connection, c, Status.VERSION_NOT_SUPPORTED, null, null, 0, true, false);
        }
        if (r.contentLength > MAX_BODY_BYTES) {
            // RFC 9110 §15.5.14: the server may close rather than read a body it refuses.
            return respond(stack, connection, c, Status.CONTENT_TOO_LARGE, null, null, 0, true, false);
        }
        boolean close = !r.persistent;
        boolean head = r.method == HttpRequestParser.METHOD_HEAD;
        long stream = 0;
        boolean sent;
        if (r.method == HttpRequestParser.METHOD_OTHER) {
            sent = respond(stack, connection, c, Status.METHOD_NOT_ALLOWED, null, null, 0, close, false);
        } else if (r.pathEnd - r.pathStart == 1 && c.in[r.pathStart] == '/') {
            sent = respond(stack, connection, c, Status.OK, TEXT, head ? null : body, body.length, close, false);
        } else if (r.pathStartsWith(c.in, BYTES_PREFIX)) {
            long n = bytesToStream(c.in, r.pathStart + BYTES_PREFIX.length, r.pathEnd);
            if (n < 0) {
                sent = respond(stack, connection, c, Status.BAD_REQUEST, null, null, 0, close, false);
            } else {
                stream = head ? 0 : n;
                sent = respond(stack, connection, c, Status.OK, OCTETS, null, n, close, stream > 0);
            }
        } else {
            sent = respond(stack, connection, c, Status.NOT_FOUND, TEXT, head ? null : NOT_FOUND_BODY,
                    NOT_FOUND_BODY.length, close, false);
        }
        if (!sent || c.closed) {
            return sent;
        }
        if (r.chunked) {
            c.chunks.start();
        } else {
            c.bodyLeft = r.contentLength;
        }
        if (stream > 0) {
            c.remaining = stream;
            c.position = 0;
            pump(stack, connection, c);
            if (c.remaining == 0 && c.closeAfter) {
                close(stack, connection, c);
            }
        }
        return true;
    }

    /** {@code N} of {@code /bytes/N} ({@link Pattern#parseSize}: digits, optional k/m/g), or -1. */
    private static long bytesToStream(byte[] b, int start, int end) {
        try {
            return start < end ? Pattern.parseSize(new String(b, start, end - start, StandardCharsets.US_ASCII))
                    : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Sends the status line and fields, and {@code inline} as the body when given (else the body follows by
     * streaming, or there is none); closes after it when {@code close} and no body follows. Returns false when the
     * send buffer has no room (the caller retries on the next ACK), true otherwise (sent, or the connection gone).
     */
    private boolean respond(Stack<Packet> stack, int connection, Conn c, Status status, byte[] contentType,
            byte[] inline, long contentLength, boolean close, boolean bodyFollows) {
        PacketOps<Packet> ops = stack.packetOps();
        int inlineLength = inline != null ? inline.length : 0;
        Packet p = ops.alloc(MAX_RESPONSE_HEAD + inlineLength);
        if (p == null) {
            stack.tcpAbort(connection);
            return true;
        }
        ByteBuffer b = ops.buffer(p);
        int at = put(b, ops.offset(p), status.line);
        at = put(b, at, SERVER);
        if (contentType != null) {
            at = put(b, at, contentType);
        }
        at = put(b, at, CONTENT_LENGTH);
        at = putDecimal(b, at, contentLength);
        at = put(b, at, CRLF);
        if (status == Status.METHOD_NOT_ALLOWED) {
            at = put(b, at, ALLOW);
        }
        if (close) {
            at = put(b, at, CLOSE);
        } else if (c.request.http10) {
            at = put(b, at, KEEP_ALIVE); // RFC 9112 §9.3: an HTTP/1.0 peer needs to be told
        }
        at = put(b, at, CRLF);
        if (inline != null) {
            at = put(b, at, inline);
        }
        ops.length(p, at - ops.offset(p));
        int r = stack.tcpSend(connection, p, bodyFollows ? TcpSendFlags.MORE : TcpSendFlags.NONE);
        if (r != Result.OK) {
            ops.free(p);
            if (r == Result.WOULD_BLOCK) {
                c.waitingForRoom = true;
                return false;
            }
            stack.tcpAbort(connection);
            return true;
        }
        requests++;
        bodyBytes += inlineLength;
        c.closeAfter = close;
        if (close && !bodyFollows) {
            close(stack, connection, c);
        }
        return true;
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
            if (r != Result.OK) {
                stack.packetOps().free(p);
                if (r != Result.WOULD_BLOCK) {
                    stack.tcpAbort(connection);
                }
                return;
            }
            c.remaining -= len;
            c.position += len;
            bodyBytes += len;
        }
    }

    private static void close(Stack<Packet> stack, int connection, Conn c) {
        if (!c.closed) {
            c.closed = true;
            stack.tcpClose(connection);
        }
    }

    private static void dropHeld(Stack<Packet> stack, Conn c) {
        Packet p;
        while (c.held != null && (p = c.held.poll()) != null) {
            stack.packetOps().free(p);
        }
    }

    private static int put(ByteBuffer b, int at, byte[] bytes) {
        b.put(at, bytes);
        return at + bytes.length;
    }

    private static int putDecimal(ByteBuffer b, int at, long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        long v = value;
        for (int i = digits - 1; i >= 0; i--) {
            b.put(at + i, (byte) ('0' + v % 10));
            v /= 10;
        }
        return at + digits;
    }

    /** Frees the pattern buffer; call on the loop thread when the stack is being discarded. */
    public void release() {
        if (pattern != null) {
            pattern.release();
        }
    }

    /** Responses sent (all statuses). */
    public long requests() {
        return requests;
    }

    /** Response body bytes queued. */
    public long bodyBytes() {
        return bodyBytes;
    }
}
