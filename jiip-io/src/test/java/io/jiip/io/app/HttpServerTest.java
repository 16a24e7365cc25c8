package io.jiip.io.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.ManualClock;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP server's connection semantics (RFC 9112) against a raw TCP client: two stacks on a memory link with a
 * virtual clock, one thread, no root. The client writes exactly the bytes given, one segment per {@link #send}.
 */
class HttpServerTest {
    private static final String HOST = "Host: t\r\n";
    private static final String GET_11 = "GET / HTTP/1.1\r\n" + HOST + "\r\n";
    private static final String HELLO = "Hello from jiip, a TCP/IP stack in Java.\n";

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final MemoryLink link = new MemoryLink(clock);
    private final PacketPool serverPool = PacketPool.standard();
    private final PacketPool clientPool = PacketPool.standard();
    private final MemoryLink.Port serverPort = link.attach(serverPool);
    private final MemoryLink.Port clientPort = link.attach(clientPool);
    private Stack<Packet> server;
    private final Stack<Packet> client = new Stack<>(StackConfig.builder().mac("02:00:00:00:00:02")
            .ipv4("10.0.0.2", 24).tcp(TcpConfig.builder().nagle(false).build()).build(), clientPool, clientPort,
            clock, null);
    private final HttpServer http = new HttpServer();
    private final Packet[] rx = new Packet[64];
    private final RawClient peer = new RawClient();

    /** Collects what the server sends; remembers its FIN. */
    private static final class RawClient implements TcpEvents<Packet> {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int connection = -1;
        boolean serverFin;
        boolean closed;

        @Override
        public Object onConnected(Stack<Packet> stack, int c, Object attachment) {
            connection = c;
            return attachment;
        }

        @Override
        public void onPayload(Stack<Packet> stack, int c, Object attachment, Packet packet, int offset, int length) {
            byte[] bytes = new byte[length];
            stack.packetOps().buffer(packet).get(offset, bytes);
            received.writeBytes(bytes);
            stack.tcpRxConsumed(c, length);
        }

        @Override
        public void onRemoteShutdown(Stack<Packet> stack, int c, Object attachment) {
            serverFin = true;
        }

        @Override
        public void onClosed(Stack<Packet> stack, int c, Object attachment, int reason) {
            closed = true;
        }
    }

    /** One parsed response. */
    private record Response(int status, Map<String, String> fields, String body) {
        String field(String name) {
            return fields.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private void connect() {
        connect(TcpConfig.builder());
    }

    private void connect(TcpConfig.Builder serverTcp) {
        server = new Stack<>(StackConfig.builder().mac("02:00:00:00:00:01").ipv4("10.0.0.1", 24)
                .tcp(serverTcp.build()).build(), serverPool, serverPort, clock, null);
        assertEquals(Result.OK, server.tcpListen(80, 16, http));
        assertTrue(client.tcpConnect(Ipv4Address.parse("10.0.0.1"), 80, 0, peer, null) >= 0);
        pump(200);
        assertTrue(peer.connection >= 0, "connected");
    }

    /** Sends {@code text} as one segment and lets both stacks run until it is answered. */
    private void send(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Packet p = clientPool.alloc(bytes.length);
        p.buffer().put(p.offset(), bytes);
        clientPool.length(p, bytes.length);
        assertEquals(Result.OK, client.tcpSend(peer.connection, p, 0));
        pump(400);
    }

    /** Runs both stacks for {@code rounds} steps of 100 µs of virtual time (40 ms for 400: past delayed ACKs). */
    private void pump(int rounds) {
        for (int i = 0; i < rounds; i++) {
            clock.advance(100_000);
            server.run(rx, serverPort.poll(rx, rx.length));
            client.run(rx, clientPort.poll(rx, rx.length));
        }
    }

    /** Parses the bytes received so far into responses; {@code head} marks the answers to HEAD (no body). */
    private List<Response> responses(boolean... head) {
        String all = peer.received.toString(StandardCharsets.ISO_8859_1);
        List<Response> out = new ArrayList<>();
        int at = 0;
        while (at < all.length()) {
            int end = all.indexOf("\r\n\r\n", at);
            assertTrue(end > 0, "a complete head at " + at + ": " + all.substring(at));
            String[] lines = all.substring(at, end).split("\r\n");
            assertTrue(lines[0].startsWith("HTTP/1.1 "), lines[0]);
            Map<String, String> fields = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                assertNull(fields.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim()), "repeated field " + lines[i]);
            }
            assertTrue(fields.containsKey("content-length"), "always a Content-Length: " + fields);
            int length = out.size() < head.length && head[out.size()] ? 0
                    : Integer.parseInt(fields.get("content-length"));
            at = end + 4 + length;
            assertTrue(at <= all.length(), "the whole body arrived");
            out.add(new Response(Integer.parseInt(lines[0].substring(9, 12)), fields,
                    all.substring(end + 4, at)));
        }
        return out;
    }

    /** The first {@code n} bytes of {@link Pattern}, as the parsed bodies hold them. */
    private static String pattern(int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        Pattern.fill(b, 0, n, 0);
        return new String(b.array(), StandardCharsets.ISO_8859_1);
    }

    private Response only() {
        List<Response> r = responses();
        assertEquals(1, r.size(), r.toString());
        return r.get(0);
    }

    @AfterEach
    void noLeaks() {
        if (peer.connection >= 0 && !peer.closed) {
            client.tcpAbort(peer.connection);
        }
        pump(50);
        http.release();
        if (server != null) {
            server.close();
        }
        client.close();
        assertEquals(0, serverPool.inUse(), "server packets all freed");
    }

    @Test
    void http11PersistsWithoutConnectionHeader() {
        connect();
        send(GET_11);
        send(GET_11);
        List<Response> r = responses();
        assertEquals(2, r.size());
        assertEquals(200, r.get(1).status());
        assertEquals(HELLO, r.get(1).body());
        assertNull(r.get(0).field("Connection"));
        assertFalse(peer.serverFin, "still open");
    }

    @Test
    void http11CloseIsAnsweredWithCloseAndAFin() {
        connect();
        send("GET / HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n");
        Response r = only();
        assertEquals(200, r.status());
        assertEquals("close", r.field("Connection"));
        assertTrue(peer.serverFin, "the server closed after the response");
    }

    @Test
    void http10ClosesByDefault() {
        connect();
        send("GET / HTTP/1.0\r\n\r\n");
        Response r = only();
        assertEquals(HELLO, r.body());
        assertEquals("close", r.field("Connection"));
        assertTrue(peer.serverFin);
    }

    /** What {@code ab -k} sends: the answer must say keep-alive, or the client waits for a close (RFC 9112 §9.3). */
    @Test
    void http10KeepAliveIsConfirmedAndKept() {
        connect();
        String request = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: t\r\nUser-Agent: ApacheBench/2.3\r\n"
                + "Accept: */*\r\n\r\n";
        send(request);
        send(request);
        List<Response> r = responses();
        assertEquals(2, r.size());
        assertEquals("keep-alive", r.get(0).field("Connection"));
        assertEquals("keep-alive", r.get(1).field("Connection"));
        assertFalse(peer.serverFin);
    }

    /** The Connection field is a list of case-insensitive tokens, empty elements allowed (RFC 9110 §7.6.1). */
    @Test
    void connectionIsATokenList() {
        connect();
        send("GET / HTTP/1.0\r\nConnection: TE, ,keep-alive\r\n\r\n");
        send("GET / HTTP/1.1\r\n" + HOST + "Connection: upgrade\r\nConnection: foo,  CLOSE \r\n\r\n");
        List<Response> r = responses();
        assertEquals(2, r.size());
        assertEquals("keep-alive", r.get(0).field("Connection"));
        assertEquals("close", r.get(1).field("Connection"));
        assertTrue(peer.serverFin);
    }

    @Test
    void pipelinedRequestsInOneSegmentAreAnsweredInOrder() {
        connect();
        send(GET_11 + "HEAD /bytes/7 HTTP/1.1\r\n" + HOST + "\r\n" + "GET /bytes/5 HTTP/1.1\r\n" + HOST + "\r\n"
                + "GET /nothing HTTP/1.1\r\n" + HOST + "\r\n");
        List<Response> r = responses(false, true, false, false);
        assertEquals(List.of(200, 200, 200, 404), r.stream().map(Response::status).toList());
        assertEquals(HELLO, r.get(0).body());
        assertEquals("7", r.get(1).field("Content-Length"));
        assertEquals("", r.get(1).body());
        assertEquals(pattern(5), r.get(2).body());
        assertEquals("not found\n", r.get(3).body());
    }

    @Test
    void aRequestSplitAcrossSegmentsIsAnsweredOnce() {
        connect();
        send("GET / HT");
        send("TP/1.1\r\nHo");
        send("st: t\r\n\r");
        assertEquals(0, peer.received.size(), "not complete yet");
        send("\n");
        assertEquals(HELLO, only().body());
    }

    /** Requests arriving while a long body streams wait (unconsumed) and are answered after it, in order. */
    @Test
    void requestsBehindAStreamedBodyWaitTheirTurn() {
        connect();
        int size = 3 << 20; // more than the send buffer: streaming spans many ACKs
        send("GET /bytes/" + size + " HTTP/1.1\r\n" + HOST + "\r\n" + GET_11);
        send("GET /bytes/3 HTTP/1.1\r\n" + HOST + "\r\n");
        pump(2000);
        List<Response> r = responses();
        assertEquals(3, r.size());
        assertEquals(size, r.get(0).body().length());
        assertEquals(pattern(size), r.get(0).body());
        assertEquals(HELLO, r.get(1).body());
        assertEquals(pattern(3), r.get(2).body());
    }

    /** Answers that do not fit in the send buffer wait for ACKs; none is lost or reordered. */
    @Test
    void pipelinedAnswersBeyondTheSendBufferWaitForRoom() {
        connect(TcpConfig.builder().sendBuffer(2048));
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            burst.append("GET /").append(i % 2 == 0 ? "" : "bytes/" + i).append(" HTTP/1.1\r\n").append(HOST)
                    .append("\r\n");
        }
        send(burst.toString()); // about 1.6 KB of requests, 60 answers of about 130 bytes
        pump(2000);
        List<Response> r = responses();
        assertEquals(60, r.size());
        for (int i = 0; i < 60; i++) {
            assertEquals(i % 2 == 0 ? HELLO : pattern(i), r.get(i).body(), "answer " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /\r\n\r\n", // no version
        "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", // two spaces
        "GET / HTTP/1.1 \r\nHost: t\r\n\r\n", // trailing space
        "G(T / HTTP/1.1\r\nHost: t\r\n\r\n", // not a token
        "GET / http/1.1\r\nHost: t\r\n\r\n", // the version is case-sensitive
        "GET / HTTP/1.10\r\nHost: t\r\n\r\n",
        "GET / HTTP/1.1\r\nHost t\r\n\r\n", // no colon
        "GET / HTTP/1.1\r\nHost : t\r\n\r\n", // whitespace before the colon (RFC 9112 §5.1)
        "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", // obs-fold (§5.2)
        "GET / HTTP/1.1\r\nHost: t\r\nX: a\u0001b\r\n\r\n", // a control character
        "GET / HTTP/1.1\nHost: t\r\n\r\n", // a bare LF
        "GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", // a bare CR
        "GET / HTTP/1.1\r\n\r\n", // HTTP/1.1 without Host (§3.2)
        "GET / HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n", // two Hosts
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: \r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 3\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", // duplicate (§6.3)
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", // conflicting
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1234567890123456789\r\n\r\n", // overflow
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", // not final (§6.3)
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", // faulty in 1.0 (§6.1)
    })
    void malformedRequestsGet400AndClose(String request) {
        connect();
        send(request + GET_11); // the request after a malformed one is not answered
        Response r = only();
        assertEquals(400, r.status(), request);
        assertEquals("close", r.field("Connection"));
        assertTrue(peer.serverFin);
    }

    @Test
    void anUnsupportedMajorVersionGets505() {
        connect();
        send("GET / HTTP/2.0\r\nHost: t\r\n\r\n");
        Response r = only();
        assertEquals(505, r.status());
        assertEquals("close", r.field("Connection"));
        assertTrue(peer.serverFin);
    }

    /** A later 1.x minor version is served as 1.1 (RFC 9110 §2.5). */
    @Test
    void aLaterMinorVersionIsServedAs11() {
        connect();
        send("GET / HTTP/1.7\r\nHost: t\r\n\r\n");
        assertEquals(200, only().status());
        assertFalse(peer.serverFin);
    }

    @Test
    void aHeadBeyondTheLimitGets431() {
        connect();
        String big = "GET / HTTP/1.1\r\n" + HOST + "X: " + "a".repeat(HttpServer.MAX_HEAD_BYTES) + "\r\n\r\n";
        for (int at = 0; at < big.length(); at += 1000) {
            send(big.substring(at, Math.min(big.length(), at + 1000)));
        }
        Response r = only();
        assertEquals(431, r.status());
        assertEquals("close", r.field("Connection"));
        assertTrue(peer.serverFin);
    }

    @Test
    void aHeadJustWithinTheLimitIsServed() {
        connect();
        String head = "GET / HTTP/1.1\r\n" + HOST + "X: \r\n\r\n";
        String exact = head.replace("X: ", "X: " + "a".repeat(HttpServer.MAX_HEAD_BYTES - head.length()));
        assertEquals(HttpServer.MAX_HEAD_BYTES, exact.length());
        send(exact.substring(0, 5000));
        send(exact.substring(5000));
        assertEquals(200, only().status());
    }

    @Test
    void aBodyBeyondTheLimitGets413() {
        connect();
        send("POST / HTTP/1.1\r\n" + HOST + "Content-Length: " + (HttpServer.MAX_BODY_BYTES + 1) + "\r\n\r\nab");
        Response r = only();
        assertEquals(413, r.status());
        assertEquals("close", r.field("Connection"));
        assertTrue(peer.serverFin);
    }

    /**
     * A chunked body (RFC 9112 §7.1) is read past, with extensions and trailers, in whatever pieces it arrives,
     * and the pipelined request after it is answered in step.
     */
    @Test
    void aChunkedBodyIsDiscardedAndTheConnectionStaysInStep() {
        connect();
        String data = "y".repeat(5000);
        send("POST /up HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip, Chunked\r\n\r\n1388;name=\"v\"\r\n"
                + data.substring(0, 1000));
        send(data.substring(1000) + "\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n");
        send("\r\n" + GET_11 + "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + GET_11);
        List<Response> r = responses();
        assertEquals(List.of(405, 200, 405, 200), r.stream().map(Response::status).toList());
        assertEquals(HELLO, r.get(3).body());
        assertFalse(peer.serverFin);
    }

    /**
     * A broken chunked body can no longer get a status (the response went out with the head): the server closes,
     * and what follows is not answered.
     */
    @ParameterizedTest
    @ValueSource(strings = {"zz\r\n", "5\r\nhelloXX", "5\nhello\r\n", "5\r\nhello\r\n0\r\nX: a\u0001\r\n\r\n"})
    void aMalformedChunkedBodyClosesTheConnection(String body) {
        connect();
        send("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n" + body + "\r\n" + GET_11);
        Response r = only();
        assertEquals(405, r.status(), body);
        assertTrue(peer.serverFin, "closed after the broken body");
    }

    /** A chunked body beyond {@link HttpServer#MAX_BODY_BYTES} closes the connection once its sizes say so. */
    @Test
    void aChunkedBodyBeyondTheLimitClosesTheConnection() {
        connect();
        send("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n"
                + Long.toHexString(HttpServer.MAX_BODY_BYTES + 1) + "\r\nab");
        assertEquals(405, only().status());
        assertTrue(peer.serverFin);
    }

    /** A body within the limit is skipped, also across segments, and the next request is read in step. */
    @Test
    void aPostBodyIsDiscardedAndTheConnectionStaysInStep() {
        connect();
        String body = "x".repeat(20_000);
        send("POST /form HTTP/1.1\r\n" + HOST + "Content-Length: " + body.length() + "\r\n\r\n"
                + body.substring(0, 100));
        send(body.substring(100, 10_000));
        send(body.substring(10_000) + GET_11);
        send("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nGET ");
        send("\r\n" + GET_11); // an empty line before a request line is ignored (RFC 9112 §2.2)
        List<Response> r = responses();
        assertEquals(List.of(405, 200, 405, 200), r.stream().map(Response::status).toList());
        assertEquals("GET, HEAD", r.get(0).field("Allow"));
        assertEquals("keep-alive", r.get(2).field("Connection"));
        assertFalse(peer.serverFin);
    }

    @Test
    void absoluteFormAndQueryAreServed() {
        connect();
        send("GET http://t/bytes/4?x=1 HTTP/1.1\r\n" + HOST + "\r\n" + "GET /?a=b HTTP/1.1\r\n" + HOST + "\r\n");
        List<Response> r = responses();
        assertEquals(pattern(4), r.get(0).body());
        assertEquals(HELLO, r.get(1).body());
    }

    /** The peer's half-close lets the answers to what it sent go out first, then the server closes. */
    @Test
    void aHalfCloseAfterPipelinedRequestsGetsEveryAnswer() {
        connect();
        Packet p = clientPool.alloc(2 * GET_11.length());
        p.buffer().put(p.offset(), (GET_11 + GET_11).getBytes(StandardCharsets.US_ASCII));
        clientPool.length(p, 2 * GET_11.length());
        assertEquals(Result.OK, client.tcpSend(peer.connection, p, 0));
        assertEquals(Result.OK, client.tcpShutdownOutput(peer.connection));
        pump(400);
        assertEquals(2, responses().size());
        // The client, half-closed, hears the server's FIN as the end of the connection (TIME-WAIT).
        assertTrue(peer.closed, "the server closed too");
    }
}
