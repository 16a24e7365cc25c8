package io.jiip.tcp;

/**
 * Round-trip time and retransmission timeout per RFC 6298, in nanoseconds. Samples come from timed segments
 * (Karn's rule: never from a retransmitted one) or from echoed timestamps (RFC 7323 §4).
 */
final class RttEstimator {
    private static final long CLOCK_GRANULARITY = 1_000_000L; // G, RFC 6298 §2: our timers tick at ~1 ms
    /** An ACK that measured no round-trip time. */
    static final long NO_SAMPLE = -1;

    private final long minRto;
    private final long maxRto;
    private final long initialRto;
    private long srtt;
    private long rttvar;
    private long rto;
    private boolean sampled;

    RttEstimator(long minRto, long maxRto, long initialRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.initialRto = initialRto;
        reset();
    }

    void reset() {
        srtt = 0;
        rttvar = 0;
        rto = initialRto; // RFC 6298 §2.1: 1 s before any sample
        sampled = false;
    }

    void sample(long rtt) {
        if (rtt <= 0) {
            rtt = 1;
        }
        if (!sampled) {
            srtt = rtt; // RFC 6298 §2.2
            rttvar = rtt / 2;
            sampled = true;
        } else {
            long delta = Math.abs(srtt - rtt); // RFC 6298 §2.3: beta = 1/4, alpha = 1/8
            rttvar = rttvar - (rttvar >> 2) + (delta >> 2);
            srtt = srtt - (srtt >> 3) + (rtt >> 3);
        }
        rto = clamp(srtt + Math.max(CLOCK_GRANULARITY, 4 * rttvar));
    }

    /** Doubles the timeout after a retransmission (RFC 6298 §5.5). */
    void backOff() {
        rto = clamp(rto * 2);
    }

    private long clamp(long value) {
        return Math.min(maxRto, Math.max(minRto, value)); // §2.4 minimum, §2.5 maximum
    }

    long rto() {
        return rto;
    }

    long srtt() {
        return srtt;
    }

    long rttvar() {
        return rttvar;
    }

    boolean hasSample() {
        return sampled;
    }
}
