package io.jiip.util;

/**
 * Token bucket on the integrator's clock: {@code rate} tokens per second up to {@code burst}. Used for ICMP errors
 * (RFC 1812 §4.3.2.8) and, later, challenge ACKs (RFC 5961 §7).
 */
public final class RateLimiter {
    private static final long SECOND = 1_000_000_000L;
    private final long nanosPerToken;
    private final int burst;
    private int tokens;
    private long lastRefill;
    private boolean started;

    public RateLimiter(int perSecond, int burst) {
        this.nanosPerToken = perSecond > 0 ? SECOND / perSecond : Long.MAX_VALUE;
        this.burst = burst;
        this.tokens = burst;
    }

    /** Takes a token if one is available at {@code now}. */
    public boolean tryAcquire(long now) {
        if (!started) {
            started = true;
            lastRefill = now;
        } else if (nanosPerToken != Long.MAX_VALUE) {
            long elapsed = now - lastRefill;
            if (elapsed >= nanosPerToken) {
                long add = elapsed / nanosPerToken;
                tokens = (int) Math.min(burst, tokens + add);
                lastRefill += add * nanosPerToken;
            }
        }
        if (tokens > 0) {
            tokens--;
            return true;
        }
        return false;
    }
}
