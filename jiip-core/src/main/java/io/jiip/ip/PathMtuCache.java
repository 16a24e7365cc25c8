package io.jiip.ip;

/**
 * Path MTU per destination, learned from ICMP fragmentation-needed (RFC 1191). Fixed capacity; entries expire
 * after a lifetime so that a raised MTU is found again (RFC 1191 §6.3). The least recently lowered entry is
 * replaced when full.
 */
public final class PathMtuCache {
    /** Lowest MTU we accept from the network: a forged ICMP must not push segments below this (Linux min_pmtu). */
    public static final int MIN_MTU = 552;
    /** RFC 1191 §7 plateaus, for routers that report a next-hop MTU of 0. */
    private static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    private final int[] dsts;
    private final int[] mtus;
    private final long[] expires;
    private final int linkMtu;
    private final long lifetime;

    public PathMtuCache(int entries, int linkMtu, long lifetimeNanos) {
        this.dsts = new int[entries];
        this.mtus = new int[entries];
        this.expires = new long[entries];
        this.linkMtu = linkMtu;
        this.lifetime = lifetimeNanos;
    }

    /** The MTU to use towards {@code dst}: the link MTU unless a lower path MTU is known. */
    public int get(int dst, long now) {
        for (int i = 0; i < dsts.length; i++) {
            if (mtus[i] != 0 && dsts[i] == dst) {
                if (now - expires[i] >= 0) {
                    mtus[i] = 0;
                    return linkMtu;
                }
                return mtus[i];
            }
        }
        return linkMtu;
    }

    /**
     * Applies a fragmentation-needed report for {@code dst}.
     *
     * @param reported    the next-hop MTU field (0 from pre-RFC 1191 routers)
     * @param sentLength  total length of the datagram that did not fit (from the quoted header)
     * @return the new path MTU, or 0 when the report was ignored (not lower than what we use, or no room)
     */
    public int update(int dst, int reported, int sentLength, long now) {
        int mtu = reported != 0 ? reported : plateauBelow(sentLength);
        mtu = Math.max(MIN_MTU, mtu);
        if (dsts.length == 0 || mtu >= get(dst, now)) {
            return 0;
        }
        int slot = -1;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < dsts.length; i++) {
            if (mtus[i] != 0 && dsts[i] == dst) {
                slot = i;
                break;
            }
            if (mtus[i] == 0 && oldest != Long.MIN_VALUE) {
                slot = i;
                oldest = Long.MIN_VALUE;
            } else if (mtus[i] != 0 && expires[i] < oldest) {
                slot = i;
                oldest = expires[i];
            }
        }
        dsts[slot] = dst;
        mtus[slot] = mtu;
        expires[slot] = now + lifetime;
        return mtu;
    }

    private static int plateauBelow(int length) {
        for (int p : PLATEAUS) {
            if (p < length) {
                return p;
            }
        }
        return 68;
    }
}
