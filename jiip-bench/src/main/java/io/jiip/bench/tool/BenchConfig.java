package io.jiip.bench.tool;

/** What one {@code jiip bench} run does: parsed and validated options, no behaviour. */
public final class BenchConfig {
    /** The traffic pattern. */
    public enum Workload {
        /** TCP request/response: the client keeps {@code depth} requests in flight per connection. */
        PING_PONG("ping-pong"),
        /** TCP bulk: the client sends {@code depth} messages ahead per connection, the server sinks them. */
        BULK("bulk"),
        /** UDP request/response per flow. */
        UDP_PING_PONG("udp-ping-pong"),
        /** UDP datagrams from client to server, {@code depth} per flow per loop iteration; the server counts. */
        UDP_STREAM("udp-stream");

        final String label;

        Workload(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        boolean tcp() {
            return this == PING_PONG || this == BULK;
        }

        boolean requestResponse() {
            return this == PING_PONG || this == UDP_PING_PONG;
        }
    }

    /** The CPU-core model (paper §2.1.3): where network and application logic run. */
    public enum Model {
        /** Network and application logic on one thread per context. */
        UNIFIED,
        /** Network and application on two threads (two cores), SPSC rings between them, the app thread spinning. */
        SPLIT,
        /** As split, but the app thread sleeps (parks) when idle and is woken on work: one core's worth of CPU. */
        MERGE
    }

    public Workload workload = Workload.PING_PONG;
    public Model model = Model.UNIFIED;
    public int threads = 1;
    public int connections = 1;
    public int depth = 1;
    /** Request (and response) payload in bytes. */
    public int length = 1;
    /** The literal request/response, or null (then {@link #length} zero-ish bytes). */
    public byte[] message;
    /** Requests (or messages) per second per connection; 0 = as fast as possible. */
    public long rate;
    public double durationSeconds = 10;
    public double warmupSeconds;
    public boolean csumOffload = true;
    public boolean tso = true;
    public boolean lro = true;
    public boolean scatterGather = true;
    // TAP roles (jiip-io): the device, its namespace (null: the current one), jiip's and the kernel's addresses.
    public String tap;
    public String netns;
    public String ip;
    public String hostIp;
    /** Server role: the port to listen on (0: not a server). */
    public int listenPort;
    /** Client role: where to connect (null: not a client). */
    public String serverIp;
    public int serverPort;
    /** Print a line per second per thread. */
    public boolean perSecond = true;

    /** Bytes of one request: the message's length when a message was given. */
    int requestLength() {
        return message != null ? message.length : length;
    }

    String offloads() {
        return "csum=" + on(csumOffload) + " tso=" + on(tso) + " lro=" + on(lro) + " sg=" + on(scatterGather);
    }

    private static String on(boolean b) {
        return b ? "on" : "off";
    }
}
