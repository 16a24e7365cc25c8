package io.jiip.tcp;

/**
 * HyStart++ (RFC 9406): leaves the initial slow start when the minimum RTT of a round rises by a threshold over the
 * previous round's, before the overshoot that slow start would otherwise end with a burst of losses. A rise first
 * switches to Conservative Slow Start (CSS, a quarter of the growth); the RTT falling back below the CSS baseline
 * resumes slow start (the rise was jitter), and {@link #CSS_ROUNDS} rounds of CSS end in congestion avoidance.
 * A loss ends it for the connection (§4.2, §4.4): later slow starts stop at the ssthresh the loss set.
 *
 * <p>Owned by {@link WindowControl}; it keeps only the detection state and sizes the slow-start increase, the
 * window stays the controller's. Times in nanoseconds.
 */
final class HyStart {
    /** RFC 9406 §4.3: RTT samples a round needs before its minimum counts. */
    static final int N_RTT_SAMPLE = 8;
    /** RFC 9406 §4.3: bounds of the RTT rise that ends slow start, and the share of the last minimum it is. */
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    /** RFC 9406 §4.3: CSS grows the window by a quarter of what slow start would, for at most five rounds. */
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    /** RFC 9406 §4.3: L, the segments one ACK may add to the window, for a sender that does not pace. */
    static final int NON_PACED_L = 8;
    private static final long INFINITY = Long.MAX_VALUE;

    /** In the initial slow start or in CSS; false once disabled, finished or ended by a loss. */
    private boolean active;
    /** In Conservative Slow Start (RFC 9406 §4.2). */
    private boolean conservative;
    private boolean roundStarted;
    /** SND.NXT when the current round started: the round ends once everything before it is acknowledged. */
    private int windowEnd;
    private long lastRoundMinRtt;
    private long currentRoundMinRtt;
    private int rttSampleCount;
    private long cssBaselineMinRtt;
    /** CSS rounds ended so far, the partial round CSS started in included (RFC 9406 §4.2). */
    private int cssRoundsDone;

    /** A new initial slow start, with HyStart++ if {@code enabled} (RFC 9406 §4.2 initialisation). */
    void start(boolean enabled) {
        active = enabled;
        conservative = false;
        roundStarted = false;
        windowEnd = 0;
        lastRoundMinRtt = INFINITY;
        currentRoundMinRtt = INFINITY;
        rttSampleCount = 0;
        cssBaselineMinRtt = INFINITY;
        cssRoundsDone = 0;
    }

    /** A loss (or the end of CSS): standard slow start from now on (RFC 9406 §4.2, §4.4). */
    void stop() {
        active = false;
        conservative = false;
    }

    boolean active() {
        return active;
    }

    boolean conservative() {
        return conservative;
    }

    /**
     * The window increase for an ACK of {@code bytesAcked} new bytes in slow start or CSS: {@code min(N, L*SMSS)},
     * divided by {@link #CSS_GROWTH_DIVISOR} in CSS (RFC 9406 §4.2).
     */
    int increase(int bytesAcked, int mss) {
        int increase = Math.min(bytesAcked, NON_PACED_L * mss);
        return conservative ? increase / CSS_GROWTH_DIVISOR : increase;
    }

    /**
     * An ACK advancing SND.UNA to {@code ack} while SND.NXT is {@code sndNxt}, with an RTT sample or
     * {@link RttEstimator#NO_SAMPLE}. Returns {@code true} when CSS has run its {@link #CSS_ROUNDS} rounds: the
     * caller then enters congestion avoidance (ssthresh = cwnd) and HyStart++ is done.
     */
    boolean onAck(int ack, int sndNxt, long rtt) {
        if (!active) {
            return false;
        }
        if (!roundStarted || Seq.ge(ack, windowEnd)) { // RFC 9406 §4.2: windowEnd acknowledged, a new round
            if (conservative && ++cssRoundsDone >= CSS_ROUNDS) {
                stop();
                return true;
            }
            roundStarted = true;
            windowEnd = sndNxt;
            lastRoundMinRtt = currentRoundMinRtt;
            currentRoundMinRtt = INFINITY;
            rttSampleCount = 0;
        }
        if (rtt == RttEstimator.NO_SAMPLE) {
            return false;
        }
        currentRoundMinRtt = Math.min(currentRoundMinRtt, rtt);
        rttSampleCount++;
        if (rttSampleCount < N_RTT_SAMPLE) {
            return false;
        }
        if (!conservative) {
            if (lastRoundMinRtt != INFINITY) { // RFC 9406 §4.2: the delay increase that ends slow start
                long rttThresh = Math.max(MIN_RTT_THRESH,
                        Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
                if (currentRoundMinRtt >= lastRoundMinRtt + rttThresh) {
                    cssBaselineMinRtt = currentRoundMinRtt;
                    conservative = true;
                    cssRoundsDone = 0;
                }
            }
        } else if (currentRoundMinRtt < cssBaselineMinRtt) { // RFC 9406 §4.2: the exit was spurious
            cssBaselineMinRtt = INFINITY;
            conservative = false;
        }
        return false;
    }
}
