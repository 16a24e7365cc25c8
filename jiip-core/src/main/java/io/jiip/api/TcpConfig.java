package io.jiip.api;

/**
 * TCP settings of one {@link Stack}: table sizes (allocated once at construction), buffer sizes, timers and the
 * defaults of per-connection options. Build with {@link #builder()}; every setter documents its default.
 */
public final class TcpConfig {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    final int connections;
    final int listeners;
    final int segments;
    final int receiveBuffer;
    final int sendBuffer;
    final long mslNanos;
    final long minRtoNanos;
    final long maxRtoNanos;
    final long initialRtoNanos;
    final int maxRetries;
    final int synRetries;
    final long delayedAckNanos;
    final long finWait2TimeoutNanos;
    final int outOfOrderMemory;
    final int challengeAcksPerSecond;
    final byte[] isnKey;
    final boolean nagle;
    final boolean delayedAck;
    final boolean windowScaling;
    final boolean timestamps;
    final boolean sack;
    final boolean rack;
    final long keepaliveIdleNanos;
    final long keepaliveIntervalNanos;
    final int keepaliveCount;
    final long userTimeoutNanos;
    final int ephemeralLow;
    final int ephemeralHigh;
    final CongestionAlgorithm congestionControl;
    final boolean hystart;
    final boolean synCookies;
    final int halfOpenLimit;
    final int timeWaitCapacity;

    private TcpConfig(Builder b) {
        connections = b.connections;
        listeners = b.listeners;
        segments = b.segments > 0 ? b.segments : Math.max(1024, b.connections * 16);
        receiveBuffer = b.receiveBuffer;
        sendBuffer = b.sendBuffer;
        mslNanos = b.mslNanos;
        minRtoNanos = b.minRtoNanos;
        maxRtoNanos = b.maxRtoNanos;
        initialRtoNanos = b.initialRtoNanos;
        maxRetries = b.maxRetries;
        synRetries = b.synRetries;
        delayedAckNanos = b.delayedAckNanos;
        finWait2TimeoutNanos = b.finWait2TimeoutNanos;
        outOfOrderMemory = b.outOfOrderMemory;
        challengeAcksPerSecond = b.challengeAcksPerSecond;
        isnKey = b.isnKey == null ? null : b.isnKey.clone();
        nagle = b.nagle;
        delayedAck = b.delayedAck;
        windowScaling = b.windowScaling;
        timestamps = b.timestamps;
        sack = b.sack;
        rack = b.rack;
        keepaliveIdleNanos = b.keepaliveIdleNanos;
        keepaliveIntervalNanos = b.keepaliveIntervalNanos;
        keepaliveCount = b.keepaliveCount;
        userTimeoutNanos = b.userTimeoutNanos;
        ephemeralLow = b.ephemeralLow;
        ephemeralHigh = b.ephemeralHigh;
        congestionControl = b.congestionControl;
        hystart = b.hystart;
        synCookies = b.synCookies;
        halfOpenLimit = b.halfOpenLimit >= 0 ? b.halfOpenLimit : Math.max(16, b.connections / 4);
        timeWaitCapacity = b.timeWaitCapacity >= 0 ? b.timeWaitCapacity : 4 * b.connections;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TcpConfig defaults() {
        return builder().build();
    }

    public int connections() { return connections; }
    public int listeners() { return listeners; }
    public int segments() { return segments; }
    public int receiveBuffer() { return receiveBuffer; }
    public int sendBuffer() { return sendBuffer; }
    public long mslNanos() { return mslNanos; }
    public long minRtoNanos() { return minRtoNanos; }
    public long maxRtoNanos() { return maxRtoNanos; }
    public long initialRtoNanos() { return initialRtoNanos; }
    public int maxRetries() { return maxRetries; }
    public int synRetries() { return synRetries; }
    public long delayedAckNanos() { return delayedAckNanos; }
    public long finWait2TimeoutNanos() { return finWait2TimeoutNanos; }
    public int outOfOrderMemory() { return outOfOrderMemory; }
    public int challengeAcksPerSecond() { return challengeAcksPerSecond; }
    /** The 16-byte ISN secret, or {@code null} for one drawn from {@code SecureRandom} per context. */
    public byte[] isnKey() { return isnKey == null ? null : isnKey.clone(); }
    public boolean nagle() { return nagle; }
    public boolean delayedAck() { return delayedAck; }
    public boolean windowScaling() { return windowScaling; }
    public boolean timestamps() { return timestamps; }
    public boolean sack() { return sack; }
    public boolean rack() { return rack; }
    public long keepaliveIdleNanos() { return keepaliveIdleNanos; }
    public long keepaliveIntervalNanos() { return keepaliveIntervalNanos; }
    public int keepaliveCount() { return keepaliveCount; }
    public long userTimeoutNanos() { return userTimeoutNanos; }
    public int ephemeralLow() { return ephemeralLow; }
    public int ephemeralHigh() { return ephemeralHigh; }
    public CongestionAlgorithm congestionControl() { return congestionControl; }
    /** Whether the initial slow start uses HyStart++ (RFC 9406); see {@link Builder#hystart(boolean)}. */
    public boolean hystart() { return hystart; }
    public boolean synCookies() { return synCookies; }
    public int halfOpenLimit() { return halfOpenLimit; }
    /** TIME-WAIT records held apart from the connections; see {@link Builder#timeWaitCapacity(int)}. */
    public int timeWaitCapacity() { return timeWaitCapacity; }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private int connections = 1024;
        private int listeners = 16;
        private int segments;
        private int receiveBuffer = 256 * 1024;
        private int sendBuffer = 1 << 20;
        private long mslNanos = 30 * SECOND;
        private long minRtoNanos = 200 * MS;
        private long maxRtoNanos = 120 * SECOND;
        private long initialRtoNanos = SECOND;
        private int maxRetries = 15;
        private int synRetries = 6;
        private long delayedAckNanos = 40 * MS;
        private long finWait2TimeoutNanos = 60 * SECOND;
        private int outOfOrderMemory = 16 << 20;
        private int challengeAcksPerSecond = 1000;
        private byte[] isnKey;
        private boolean nagle = true;
        private boolean delayedAck = true;
        private boolean windowScaling = true;
        private boolean timestamps = true;
        private boolean sack = true;
        private boolean rack = true;
        private long keepaliveIdleNanos;
        private long keepaliveIntervalNanos = 75 * SECOND;
        private int keepaliveCount = 9;
        private long userTimeoutNanos;
        private int ephemeralLow = 49152;
        private int ephemeralHigh = 65535;
        private CongestionAlgorithm congestionControl = CongestionAlgorithm.CUBIC;
        private boolean hystart = true;
        private boolean synCookies = true;
        private int halfOpenLimit = -1;
        private int timeWaitCapacity = -1;

        private Builder() {
        }

        /** Connections at once, every state but TIME-WAIT included (default 1024; see {@link #timeWaitCapacity}). */
        public Builder connections(int n) { this.connections = n; return this; }

        /** Listening ports (default 16). */
        public Builder listeners(int n) { this.listeners = n; return this; }

        /** Segment descriptors shared by all send and out-of-order queues (default max(1024, 16 per connection)). */
        public Builder segments(int n) { this.segments = n; return this; }

        /** Receive window per connection, bytes not yet consumed by the application (default 256 KiB). */
        public Builder receiveBuffer(int bytes) { this.receiveBuffer = bytes; return this; }

        /** Bytes a connection may have queued and unacknowledged before send returns WOULD_BLOCK (default 1 MiB). */
        public Builder sendBuffer(int bytes) { this.sendBuffer = bytes; return this; }

        /** Maximum segment lifetime; TIME-WAIT lasts 2 MSL (default 30 s). */
        public Builder mslNanos(long nanos) { this.mslNanos = nanos; return this; }

        /** Lower bound of the retransmission timeout (default 200 ms; RFC 6298 says 1 s, Linux uses 200 ms). */
        public Builder minRtoNanos(long nanos) { this.minRtoNanos = nanos; return this; }

        /** Upper bound of the retransmission timeout (default 120 s). */
        public Builder maxRtoNanos(long nanos) { this.maxRtoNanos = nanos; return this; }

        /** Timeout before the first RTT sample, SYNs included (default 1 s, RFC 6298 §2.1). */
        public Builder initialRtoNanos(long nanos) { this.initialRtoNanos = nanos; return this; }

        /** Retransmissions of one segment before the connection is closed with TIMEOUT (default 15). */
        public Builder maxRetries(int n) { this.maxRetries = n; return this; }

        /** Retransmissions of a SYN or SYN-ACK before giving up (default 6). */
        public Builder synRetries(int n) { this.synRetries = n; return this; }

        /** Longest an ACK is delayed (default 40 ms; RFC 9293 §3.8.6.3 allows up to 500 ms). */
        public Builder delayedAckNanos(long nanos) { this.delayedAckNanos = nanos; return this; }

        /** How long FIN-WAIT-2 waits for the peer's FIN after the application closed (default 60 s). */
        public Builder finWait2TimeoutNanos(long nanos) { this.finWait2TimeoutNanos = nanos; return this; }

        /** Bytes of out-of-order segments held, all connections together (default 16 MiB). */
        public Builder outOfOrderMemory(int bytes) { this.outOfOrderMemory = bytes; return this; }

        /** Challenge ACKs per second, all connections together (default 1000, RFC 5961 §7). */
        public Builder challengeAcksPerSecond(int n) { this.challengeAcksPerSecond = n; return this; }

        /** A fixed 16-byte ISN secret (RFC 6528), e.g. for reproducible simulations (default: SecureRandom). */
        public Builder isnKey(byte[] key) { this.isnKey = key == null ? null : key.clone(); return this; }

        /** Nagle's algorithm for new connections (default on). */
        public Builder nagle(boolean on) { this.nagle = on; return this; }

        /** Delayed ACKs for new connections (default on). */
        public Builder delayedAck(boolean on) { this.delayedAck = on; return this; }

        /** Offer window scaling (RFC 7323 §2; default on). */
        public Builder windowScaling(boolean on) { this.windowScaling = on; return this; }

        /** Offer timestamps (RFC 7323 §3; default on). */
        public Builder timestamps(boolean on) { this.timestamps = on; return this; }

        /** Offer SACK-permitted (RFC 2018; default on). */
        public Builder sack(boolean on) { this.sack = on; return this; }

        /**
         * RACK time-based loss detection (RFC 8985 §6) on connections that negotiated SACK (default on, as in
         * Linux): a segment is deemed lost once a segment sent sufficiently later (a round-trip time plus a
         * reordering window) was delivered, instead of after three duplicate ACKs (RFC 6675 DupThresh). It starts
         * fast recovery sooner for small flights, repairs a lost retransmission without waiting for the
         * retransmission timeout, and adapts its window to reordering (a quarter of the minimum RTT, growing on
         * D-SACKs). Off, or without SACK, losses are detected by DupThresh. The tail loss probe (RFC 8985 §7) is
         * independent of this setting.
         */
        public Builder rack(boolean on) { this.rack = on; return this; }

        /** Keepalive for new connections: idle time before probing (0 = off, the default), interval, probes. */
        public Builder keepalive(long idleNanos, long intervalNanos, int count) {
            this.keepaliveIdleNanos = idleNanos;
            this.keepaliveIntervalNanos = intervalNanos;
            this.keepaliveCount = count;
            return this;
        }

        /** Longest data may stay unacknowledged before the connection is closed (RFC 5482; 0 = off, default). */
        public Builder userTimeoutNanos(long nanos) { this.userTimeoutNanos = nanos; return this; }

        /** Range of local ports for active opens (default 49152..65535). */
        public Builder ephemeralPorts(int low, int high) {
            this.ephemeralLow = low;
            this.ephemeralHigh = high;
            return this;
        }

        /** Congestion control of new connections (default {@link CongestionAlgorithm#CUBIC}). */
        public Builder congestionControl(CongestionAlgorithm algorithm) {
            this.congestionControl = algorithm;
            return this;
        }

        /**
         * HyStart++ (RFC 9406) for the initial slow start of new connections, with either congestion control
         * (default on, as RFC 9406 recommends): slow start ends early, through a quarter-speed Conservative Slow
         * Start, when the minimum RTT of a round rises over the previous round's (a queue building at the
         * bottleneck) instead of overshooting into losses. Its RTT sample per ACK comes from the echoed timestamp
         * (RFC 7323), or without timestamps from the transmission time of the segment the ACK completes. An ACK
         * may grow the window by up to 8 MSS (RFC 9406 §4.3, a sender without pacing) instead of 2. Off: standard
         * slow start (RFC 5681, RFC 3465).
         */
        public Builder hystart(boolean on) { this.hystart = on; return this; }

        /**
         * Answer SYNs with SYN cookies (RFC 4987 §3.6) instead of dropping them when a listener's backlog, the
         * context's half-open limit or the connection table is full (default on).
         */
        public Builder synCookies(boolean on) { this.synCookies = on; return this; }

        /** Half-open (SYN-RECEIVED) connections of all listeners together (default max(16, connections / 4)). */
        public Builder halfOpenLimit(int n) { this.halfOpenLimit = n; return this; }

        /**
         * TIME-WAIT records, all connections together (default 4 × connections). A connection that enters TIME-WAIT
         * (RFC 9293 §3.10.7.4) gives its slot back at once and leaves a compact record of about 100 bytes, so a
         * server that closes first is never short of slots however fast connections come and go. When the table is
         * full the oldest record is recycled ({@link Counter#TCP_TIME_WAIT_RECYCLED}): it has waited longest, and
         * with timestamps the peer's PAWS and RFC 6191 keep old duplicates out of a new incarnation anyway, as in
         * Linux ({@code tcp_max_tw_buckets}). 0: no TIME-WAIT at all.
         */
        public Builder timeWaitCapacity(int n) { this.timeWaitCapacity = n; return this; }

        public TcpConfig build() {
            require(connections >= 0 && connections < (1 << 20), "connections must be 0..1048575");
            require(listeners >= 0, "listeners must be >= 0");
            require(segments >= 0, "segments must be >= 0");
            require(receiveBuffer >= 1024 && receiveBuffer <= (1 << 30), "receiveBuffer must be 1 KiB..1 GiB");
            require(sendBuffer >= 1, "sendBuffer must be >= 1");
            require(mslNanos > 0 && minRtoNanos > 0 && maxRtoNanos >= minRtoNanos && initialRtoNanos > 0,
                    "timers must be > 0 and minRto <= maxRto");
            require(maxRetries >= 1 && synRetries >= 0, "retries must be >= 1 (syn >= 0)");
            require(delayedAckNanos > 0 && delayedAckNanos <= 500 * MS, "delayedAck must be in (0, 500 ms]");
            require(isnKey == null || isnKey.length == 16, "isnKey must be 16 bytes");
            require(keepaliveIdleNanos >= 0 && keepaliveIntervalNanos > 0 && keepaliveCount >= 1,
                    "keepalive settings out of range");
            require(userTimeoutNanos >= 0 && outOfOrderMemory >= 0 && challengeAcksPerSecond >= 0,
                    "values must be >= 0");
            require(timeWaitCapacity >= -1 && timeWaitCapacity < (1 << 24), "timeWaitCapacity must be 0..16777215");
            require(congestionControl != null, "congestionControl is required");
            require(ephemeralLow >= 1 && ephemeralLow <= ephemeralHigh && ephemeralHigh <= 65535,
                    "ephemeral ports must be 1..65535, low <= high");
            return new TcpConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
