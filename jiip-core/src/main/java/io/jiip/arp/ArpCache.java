package io.jiip.arp;

/**
 * A fixed-capacity IPv4-to-MAC cache with expiry, per-target request rate limiting and a bounded queue of frames
 * waiting for resolution. iip leaves ARP to the integrator; jiip offers this helper. The {@code Stack} uses one
 * internally when {@code StackConfig.arpCacheEntries > 0}; integrators can also use it on their own.
 *
 * <p>Plain data structure: no clock of its own (time is an argument), no packet operations (frames it gives back
 * are the caller's to send or free), no allocation after construction. Lookups scan the table linearly, which is
 * the fastest choice at the sizes a neighbor table has (tens of entries); eviction takes the entry updated least
 * recently, unresolved entries first.
 *
 * @param <P> the integrator's packet type, held opaquely while it waits for resolution
 */
public final class ArpCache<P> {
    /** Returned by {@link #lookup} for an unknown or expired address. */
    public static final long NONE = -1;

    private final int[] ips;
    private final long[] macs;
    private final long[] updatedAt;
    private final long[] requestedAt;
    private final boolean[] used;
    private final long lifetime;
    private final long requestInterval;
    private final long pendingTimeout;

    private final Object[] pendingFrames;
    private final int[] pendingIps;
    private final long[] pendingSince;
    private int pendingCount;

    /**
     * @param entries         table capacity
     * @param pendingFrames   frames that may wait for resolution, all targets together
     * @param lifetimeNanos   how long a learned address is used
     * @param requestInterval minimum time between two requests for one target (RFC 1122 §2.3.2.1: 1 s)
     * @param pendingTimeout  how long a frame may wait
     */
    public ArpCache(int entries, int pendingFrames, long lifetimeNanos, long requestInterval, long pendingTimeout) {
        if (entries < 1 || pendingFrames < 0) {
            throw new IllegalArgumentException("entries must be >= 1 and pendingFrames >= 0");
        }
        this.ips = new int[entries];
        this.macs = new long[entries];
        this.updatedAt = new long[entries];
        this.requestedAt = new long[entries];
        this.used = new boolean[entries];
        this.lifetime = lifetimeNanos;
        this.requestInterval = requestInterval;
        this.pendingTimeout = pendingTimeout;
        this.pendingFrames = new Object[pendingFrames];
        this.pendingIps = new int[pendingFrames];
        this.pendingSince = new long[pendingFrames];
    }

    private int find(int ip) {
        for (int i = 0; i < ips.length; i++) {
            if (used[i] && ips[i] == ip) {
                return i;
            }
        }
        return -1;
    }

    /** The MAC address learned for {@code ip} and not yet expired, or {@link #NONE}. */
    public long lookup(int ip, long now) {
        int i = find(ip);
        if (i < 0 || macs[i] == NONE || now - updatedAt[i] >= lifetime) {
            return NONE;
        }
        return macs[i];
    }

    /** {@code true} if {@code ip} has an entry, resolved or with a request outstanding. */
    public boolean contains(int ip) {
        return find(ip) >= 0;
    }

    /** Learns or refreshes {@code ip -> mac}, evicting the stalest entry when the table is full. */
    public void update(int ip, long mac, long now) {
        int i = find(ip);
        if (i < 0) {
            i = victim();
            used[i] = true;
            ips[i] = ip;
            requestedAt[i] = now - requestInterval;
        }
        macs[i] = mac;
        updatedAt[i] = now;
    }

    /**
     * Rate limiter for requests: returns {@code true} (and records the request) when no request for {@code ip}
     * was made in the last request interval, creating an unresolved entry if needed.
     */
    public boolean requestDue(int ip, long now) {
        int i = find(ip);
        if (i < 0) {
            i = victim();
            used[i] = true;
            ips[i] = ip;
            macs[i] = NONE;
            updatedAt[i] = now;
        } else if (now - requestedAt[i] < requestInterval) {
            return false;
        }
        requestedAt[i] = now;
        return true;
    }

    private int victim() {
        int best = -1;
        for (int i = 0; i < ips.length; i++) {
            if (!used[i]) {
                return i;
            }
            if (best < 0 || (macs[i] == NONE) && (macs[best] != NONE)
                    || (macs[i] == NONE) == (macs[best] == NONE) && updatedAt[i] - updatedAt[best] < 0) {
                best = i;
            }
        }
        return best;
    }

    /** {@code true} when another frame can wait for resolution. */
    public boolean hasPendingSpace() {
        return pendingCount < pendingFrames.length;
    }

    /** Frames waiting now. */
    public int pendingCount() {
        return pendingCount;
    }

    /**
     * Holds {@code frame} until {@code ip} resolves.
     *
     * @return {@code false} when the queue is full: the caller keeps the frame
     */
    public boolean enqueue(int ip, P frame, long now) {
        if (pendingCount == pendingFrames.length) {
            return false;
        }
        pendingFrames[pendingCount] = frame;
        pendingIps[pendingCount] = ip;
        pendingSince[pendingCount] = now;
        pendingCount++;
        return true;
    }

    /** Removes and returns the oldest frame waiting for {@code ip}, or {@code null}. */
    public P takePending(int ip) {
        for (int i = 0; i < pendingCount; i++) {
            if (pendingIps[i] == ip) {
                return removePending(i);
            }
        }
        return null;
    }

    /** Removes and returns a frame that has waited longer than the pending timeout, or {@code null}. */
    public P takeExpired(long now) {
        for (int i = 0; i < pendingCount; i++) {
            if (now - pendingSince[i] >= pendingTimeout) {
                return removePending(i);
            }
        }
        return null;
    }

    /** Removes and returns any waiting frame (to drain the queue on shutdown), or {@code null}. */
    public P takeAny() {
        return pendingCount == 0 ? null : removePending(0);
    }

    /** When the oldest waiting frame expires, or {@link Long#MAX_VALUE} with none waiting. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < pendingCount; i++) {
            long d = pendingSince[i] + pendingTimeout;
            if (d < next) {
                next = d;
            }
        }
        return next;
    }

    @SuppressWarnings("unchecked")
    private P removePending(int index) {
        P frame = (P) pendingFrames[index];
        int tail = pendingCount - index - 1;
        System.arraycopy(pendingFrames, index + 1, pendingFrames, index, tail);
        System.arraycopy(pendingIps, index + 1, pendingIps, index, tail);
        System.arraycopy(pendingSince, index + 1, pendingSince, index, tail);
        pendingCount--;
        pendingFrames[pendingCount] = null;
        return frame;
    }
}
