package io.jiip.tcp;

/**
 * Round-trip time and retransmission timeout per RFC 6298, in nanoseconds. Samples come from timed segments
 * (Karn's rule: never from a retransmitted one) or from echoed timestamps (RFC 7323 §4).
 *
 * <p>One per context, with the configured bounds; the state (SRTT, RTTVAR, RTO) is each connection's, among its hot
 * fields ({@code TcpConnectionHotFields}): every ACK updates it, and with thousands of connections an object of its
 * own would be one more cache miss per segment. A new connection starts with no sample and the initial RTO
 * ({@code TcpConnection.reset}, RFC 6298 §2.1).
 */
final class RttEstimator {
    private static final long CLOCK_GRANULARITY = 1_000_000L; // G, RFC 6298 §2: our timers tick at ~1 ms
    /** An ACK that measured no round-trip time. */
    static final long NO_SAMPLE = -1;

    private final long minRto;
    private final long maxRto;

    RttEstimator(long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
    }

    void sample(TcpConnectionHotFields<?> c, long rtt) {
        if (rtt <= 0) {
            rtt = 1;
        }
        if (!c.rttSampled) {
            c.srtt = rtt; // RFC 6298 §2.2
            c.rttvar = rtt / 2;
            c.rttSampled = true;
        } else {
            long delta = Math.abs(c.srtt - rtt); // RFC 6298 §2.3: beta = 1/4, alpha = 1/8
            c.rttvar = c.rttvar - (c.rttvar >> 2) + (delta >> 2);
            c.srtt = c.srtt - (c.srtt >> 3) + (rtt >> 3);
        }
        c.rto = clamp(c.srtt + Math.max(CLOCK_GRANULARITY, 4 * c.rttvar));
    }

    /** Doubles the timeout after a retransmission (RFC 6298 §5.5). */
    void backOff(TcpConnectionHotFields<?> c) {
        c.rto = clamp(c.rto * 2);
    }

    private long clamp(long value) {
        return Math.min(maxRto, Math.max(minRto, value)); // §2.4 minimum, §2.5 maximum
    }
}
