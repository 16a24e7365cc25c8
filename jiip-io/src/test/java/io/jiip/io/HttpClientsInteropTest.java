package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiip.api.Result;
import io.jiip.io.app.HttpServer;
import io.jiip.io.app.Pattern;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Real HTTP clients nobody here wrote against the jiip HTTP server on a TAP: ApacheBench with a connection per
 * request and with HTTP/1.0 keep-alive ({@code -k}), wrk (HTTP/1.1 keep-alive, 32 connections), and
 * {@code curl -0} (HTTP/1.0). Zero failed requests, socket errors or non-2xx answers, and every request counted.
 * Every command is bounded by a timeout. The churn test ({@code ab -n 50000} without keep-alive: the server closes
 * first, so every connection leaves a TIME-WAIT behind) runs unless {@code -Djiip.interop.churn=false}.
 */
class HttpClientsInteropTest {
    private static final String URL = "http://" + KernelPeer.JIIP_IP + "/";
    private static final String HELLO = "Hello from jiip, a TCP/IP stack in Java.\n";

    /** Starts the kernel peer with the HTTP server on port 80; skips (with the reason) when a client is missing. */
    private static KernelPeer serve(HttpServer server) throws Exception {
        KernelPeer.assumeAvailable();
        String missing = KernelPeer.missingTools("ab", "wrk");
        assumeTrue(missing == null, () -> "HTTP client interop skipped: not installed: " + missing);
        KernelPeer peer = KernelPeer.start();
        assertEquals(Result.OK, (int) peer.node.call(s -> s.tcpListen(80, 1024, server)));
        return peer;
    }

    /** The integer after {@code label} in ApacheBench's or wrk's report, or -1 when the line is missing. */
    private static long figure(String output, String regex) {
        Matcher m = java.util.regex.Pattern // style: qualified, clashes with io.jiip.io.app.Pattern
                .compile(regex).matcher(output);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Runs ApacheBench and checks its report: all requests complete, none failed, all 2xx. */
    private static NetNs.Result ab(KernelPeer peer, Duration timeout, int requests, String... options)
            throws Exception {
        String[] command = new String[options.length + 8];
        command[0] = "ab";
        command[1] = "-s";
        command[2] = "5"; // a stalled connection fails the run after 5 s instead of ab's 30
        command[3] = "-n";
        command[4] = Integer.toString(requests);
        command[5] = "-c";
        command[6] = "10";
        System.arraycopy(options, 0, command, 7, options.length);
        command[command.length - 1] = URL;
        long start = System.nanoTime();
        NetNs.Result r = peer.ns.exec(timeout, command);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %.1f s%n%s%n", String.join(" ", command), seconds, r.output());
        assertEquals(0, r.exit(), r.output());
        assertEquals(requests, figure(r.output(), "Complete requests:\\s+(\\d+)"), r.output());
        assertEquals(0, figure(r.output(), "Failed requests:\\s+(\\d+)"), r.output());
        assertFalse(r.output().contains("Non-2xx responses"), r.output());
        return r;
    }

    /**
     * One connection per request, HTTP/1.0: the server answers {@code Connection: close} and closes first. 2,000 is
     * more connections than the default table holds (1,024), so TIME-WAIT must not keep new ones out.
     */
    @Test
    void apacheBenchWithAConnectionPerRequest() throws Exception {
        HttpServer server = new HttpServer();
        try (KernelPeer peer = serve(server)) {
            ab(peer, Duration.ofSeconds(60), 2000);
            System.out.println(peer.stats());
        }
    }

    /** {@code ab -k}: HTTP/1.0 with {@code Connection: keep-alive}, which the server must confirm (RFC 9112 §9.3). */
    @Test
    void apacheBenchWithHttp10KeepAlive() throws Exception {
        HttpServer server = new HttpServer();
        try (KernelPeer peer = serve(server)) {
            NetNs.Result r = ab(peer, Duration.ofSeconds(60), 2000, "-k");
            assertEquals(2000, figure(r.output(), "Keep-Alive requests:\\s+(\\d+)"), r.output());
        }
    }

    @Test
    void wrkWith32KeepAliveConnections() throws Exception {
        HttpServer server = new HttpServer();
        try (KernelPeer peer = serve(server)) {
            NetNs.Result r = peer.ns.exec(Duration.ofSeconds(20), "wrk", "-t1", "-c32", "-d2s", URL);
            System.out.println(r.output());
            assertEquals(0, r.exit(), r.output());
            long requests = figure(r.output(), "(\\d+) requests in");
            assertTrue(requests > 0, r.output());
            assertFalse(r.output().contains("Socket errors"), r.output());
            assertFalse(r.output().contains("Non-2xx"), r.output());
            // wrk counts a request when its response is complete; the server may have answered a few more.
            long answered = peer.node.<Long>call(s -> server.requests());
            assertTrue(answered >= requests, answered + " answered, wrk counted " + requests);
        }
    }

    /**
     * {@code curl -0} (HTTP/1.0): the body is right and curl exits at once, because the server closes (or, asked
     * for keep-alive, because it says so and sends a length). A POST body and a chunked upload are skipped and the
     * connection reused.
     */
    @Test
    void curlHttp10() throws Exception {
        HttpServer server = new HttpServer();
        try (KernelPeer peer = serve(server)) {
            NetNs.Result hello = peer.ns.exec(Duration.ofSeconds(10), "curl", "-0", "-sS", "-m", "5", URL);
            assertEquals(0, hello.exit(), hello.output());
            assertEquals(HELLO, hello.output());

            NetNs.Result kept = peer.ns.exec(Duration.ofSeconds(10), "curl", "-0", "-sS", "-m", "5", "-H",
                    "Connection: keep-alive", "-w", "|%{num_connects}", URL, URL);
            assertEquals(0, kept.exit(), kept.output());
            assertEquals(HELLO + "|1" + HELLO + "|0", kept.output(), "the second request reused the connection");

            NetNs.Result bulk = peer.ns.exec(Duration.ofSeconds(20), "bash", "-c",
                    "set -o pipefail; curl -0 -sS -m 15 " + URL + "bytes/1m | sha256sum");
            assertEquals(0, bulk.exit(), bulk.output());
            assertEquals(Pattern.sha256(1 << 20), bulk.output().split(" ")[0]);

            // No "Expect: 100-continue", so the 5,000-byte body follows the head at once, over several segments.
            NetNs.Result post = peer.ns.exec(Duration.ofSeconds(10), "curl", "-sS", "-m", "5", "-o", "/dev/null",
                    "-w", "%{http_code} %{num_connects};", "-H", "Expect:", "--data-binary", "x".repeat(5000), URL,
                    "--next", "-sS", "-m", "5", "-o", "/dev/null", "-w", "%{http_code} %{num_connects};", URL);
            assertEquals(0, post.exit(), post.output());
            assertEquals("405 1;200 0;", post.output(), "405 to the POST, then the GET on the same connection");

            // A chunked upload (curl -T - reads stdin, length unknown): the body is read past chunk by chunk. Whether
            // curl reuses the connection is its own choice: a response that comes before the end of its upload (the
            // server answers 405 at the head) makes it drop the connection, so only the answers are checked here;
            // HttpServerTest shows over the memory link that the connection stays in step.
            NetNs.Result chunked = peer.ns.exec(Duration.ofSeconds(10), "bash", "-c",
                    "head -c 3000 /dev/zero | curl -sS -m 5 -o /dev/null -w '%{http_code} %{num_connects};' "
                            + "-H 'Expect:' -T - " + URL + "up --next -sS -m 5 -o /dev/null "
                            + "-w '%{http_code} %{num_connects};' " + URL);
            assertEquals(0, chunked.exit(), chunked.output());
            assertTrue(chunked.output().matches("405 1;200 [01];"),
                    "405 to the chunked PUT, then 200: " + chunked.output());
        }
    }

    /**
     * Connection churn: 50,000 connections, each closed first by the server, with the default configuration; ab
     * fails the run if any connection stalls for 5 s. Off with {@code -Djiip.interop.churn=false}.
     */
    @Test
    void apacheBenchChurnOf50000Connections() throws Exception {
        assumeTrue(Boolean.parseBoolean(System.getProperty("jiip.interop.churn", "true")),
                "churn test off (-Djiip.interop.churn=false)");
        HttpServer server = new HttpServer();
        try (KernelPeer peer = serve(server)) {
            ab(peer, Duration.ofMinutes(4), 50_000);
            System.out.println(peer.stats());
        }
    }
}
