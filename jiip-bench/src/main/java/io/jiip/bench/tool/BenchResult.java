package io.jiip.bench.tool;

import java.util.Locale;

/** The numbers of one run: what the summary prints and {@code --json} writes. */
public final class BenchResult {
    public String workload;
    public String model;
    public int threads;
    public int connections;
    public int depth;
    public int payload;
    public long rate;
    public String offloads;
    public double seconds;
    /** Client messages sent and received (responses; acknowledged messages in bulk), over the measured time. */
    public long txMsgs;
    public long rxMsgs;
    public long txBytes;
    public long rxBytes;
    public double txMbitPerSecond;
    public double rxMbitPerSecond;
    public double msgsPerSecond;
    /** Ping-pong only: completed request/response pairs per second (else 0). */
    public double roundTripsPerSecond;
    public long p50Ns;
    public long p90Ns;
    public long p99Ns;
    public long p999Ns;
    public long maxNs;
    public long latencySamples;
    // Totals over the whole run including warmup and drain: the consistency check.
    public long clientSent;
    public long clientReceived;
    public long serverReceived;
    public long serverSent;
    public long clientSentBytes;
    public long serverReceivedBytes;
    public long inFlight;
    public long linkDrops;
    public long sendFailures;

    /** The result as one JSON object (no library: flat numbers and strings). */
    public String toJson() {
        StringBuilder b = new StringBuilder(1024).append("{\n");
        str(b, "tool", "jiip bench");
        str(b, "workload", workload);
        str(b, "model", model);
        num(b, "threads", threads);
        num(b, "connections", connections);
        num(b, "depth", depth);
        num(b, "payload_bytes", payload);
        num(b, "rate_per_connection", rate);
        str(b, "offloads", offloads);
        dbl(b, "seconds", seconds);
        num(b, "tx_msgs", txMsgs);
        num(b, "rx_msgs", rxMsgs);
        num(b, "tx_bytes", txBytes);
        num(b, "rx_bytes", rxBytes);
        dbl(b, "tx_mbit_per_s", txMbitPerSecond);
        dbl(b, "rx_mbit_per_s", rxMbitPerSecond);
        dbl(b, "msgs_per_s", msgsPerSecond);
        dbl(b, "round_trips_per_s", roundTripsPerSecond);
        num(b, "p50_ns", p50Ns);
        num(b, "p90_ns", p90Ns);
        num(b, "p99_ns", p99Ns);
        num(b, "p999_ns", p999Ns);
        num(b, "max_ns", maxNs);
        num(b, "latency_samples", latencySamples);
        num(b, "client_sent", clientSent);
        num(b, "client_received", clientReceived);
        num(b, "server_received", serverReceived);
        num(b, "server_sent", serverSent);
        num(b, "client_sent_bytes", clientSentBytes);
        num(b, "server_received_bytes", serverReceivedBytes);
        num(b, "in_flight", inFlight);
        num(b, "link_drops", linkDrops);
        b.append("  \"send_failures\": ").append(sendFailures).append("\n}\n");
        return b.toString();
    }

    private static void str(StringBuilder b, String k, String v) {
        b.append("  \"").append(k).append("\": \"").append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\",\n");
    }

    private static void num(StringBuilder b, String k, long v) {
        b.append("  \"").append(k).append("\": ").append(v).append(",\n");
    }

    private static void dbl(StringBuilder b, String k, double v) {
        b.append("  \"").append(k).append("\": ").append(String.format(Locale.ROOT, "%.3f", v)).append(",\n");
    }

    /** The end-of-run summary lines. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "summary: %s, %s model, %d thread(s), %d conn/thread, depth %d, %d B, %s%n",
                workload, model, threads, connections, depth, payload, offloads));
        b.append(String.format(Locale.ROOT, "  %.2f s measured: tx %,d msgs (%.1f Mbit/s), rx %,d msgs (%.1f Mbit/s),"
                + " %,.0f msgs/s%n", seconds, txMsgs, txMbitPerSecond, rxMsgs, rxMbitPerSecond, msgsPerSecond));
        if (roundTripsPerSecond > 0) {
            b.append(String.format(Locale.ROOT, "  round trips/s %,.0f; latency p50 %s p90 %s p99 %s p99.9 %s"
                    + " max %s (%,d samples)%n", roundTripsPerSecond, us(p50Ns), us(p90Ns), us(p99Ns), us(p999Ns),
                    us(maxNs), latencySamples));
        }
        b.append(String.format(Locale.ROOT, "  totals: client sent %,d, server received %,d, server sent %,d, client"
                + " received %,d, in flight %,d, link drops %,d, send failures %,d%n", clientSent, serverReceived,
                serverSent, clientReceived, inFlight, linkDrops, sendFailures));
        return b.toString();
    }

    static String us(long ns) {
        return String.format(Locale.ROOT, "%.1fus", ns / 1000.0);
    }
}
