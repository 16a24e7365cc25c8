package io.jiip.arp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArpCacheTest {
    private static final long S = 1_000_000_000L;
    private static final long LIFETIME = 60 * S;
    private static final long INTERVAL = S;
    private static final long PENDING_TIMEOUT = 3 * S;
    private static final long T0 = 1_000 * S;

    private static final int IP1 = 0x0a000001;
    private static final int IP2 = 0x0a000002;
    private static final int IP3 = 0x0a000003;
    private static final int IP4 = 0x0a000004;
    private static final long MAC1 = 0x020000000001L;
    private static final long MAC2 = 0x020000000002L;
    private static final long MAC3 = 0x020000000003L;
    private static final long MAC4 = 0x020000000004L;

    private static ArpCache<String> cache(int entries, int pending) {
        return new ArpCache<>(entries, pending, LIFETIME, INTERVAL, PENDING_TIMEOUT);
    }

    @Test
    void shouldLookUpWhatWasLearned() {
        ArpCache<String> c = cache(4, 4);
        assertEquals(ArpCache.NONE, c.lookup(IP1, T0));
        assertFalse(c.contains(IP1));
        c.update(IP1, MAC1, T0);
        c.update(IP2, MAC2, T0);
        assertTrue(c.contains(IP1));
        assertEquals(MAC1, c.lookup(IP1, T0));
        assertEquals(MAC2, c.lookup(IP2, T0 + 5 * S));
        assertEquals(ArpCache.NONE, c.lookup(IP3, T0));
        // A new MAC replaces the old one (the host changed its card, or gratuitous ARP).
        c.update(IP1, MAC3, T0 + S);
        assertEquals(MAC3, c.lookup(IP1, T0 + S));
        // MAC 0 is a legal value, distinct from NONE.
        c.update(IP4, 0, T0);
        assertEquals(0, c.lookup(IP4, T0));
    }

    @Test
    void shouldExpireAfterTheLifetimeAndRefreshOnUpdate() {
        ArpCache<String> c = cache(4, 4);
        c.update(IP1, MAC1, T0);
        assertEquals(MAC1, c.lookup(IP1, T0 + LIFETIME - 1));
        assertEquals(ArpCache.NONE, c.lookup(IP1, T0 + LIFETIME));
        assertTrue(c.contains(IP1), "the expired entry remains until reused");
        c.update(IP1, MAC1, T0 + LIFETIME + S);
        assertEquals(MAC1, c.lookup(IP1, T0 + 2 * LIFETIME));
        assertEquals(ArpCache.NONE, c.lookup(IP1, T0 + 2 * LIFETIME + S));
    }

    @Test
    void shouldWorkAcrossAClockNearOverflow() {
        ArpCache<String> c = cache(2, 2);
        long t = Long.MAX_VALUE - S / 2;
        c.update(IP1, MAC1, t);
        assertEquals(MAC1, c.lookup(IP1, t + S)); // wraps to negative
        assertTrue(c.requestDue(IP2, t));
        assertFalse(c.requestDue(IP2, t + INTERVAL - 1));
        assertTrue(c.requestDue(IP2, t + INTERVAL));
    }

    @Test
    void shouldRateLimitRequestsPerTarget() {
        ArpCache<String> c = cache(4, 4);
        assertTrue(c.requestDue(IP1, T0));
        assertTrue(c.contains(IP1), "an unresolved entry is created");
        assertEquals(ArpCache.NONE, c.lookup(IP1, T0), "but it resolves nothing");
        assertFalse(c.requestDue(IP1, T0));
        assertFalse(c.requestDue(IP1, T0 + INTERVAL - 1));
        assertTrue(c.requestDue(IP2, T0 + 1), "another target has its own limit");
        assertTrue(c.requestDue(IP1, T0 + INTERVAL));
        assertFalse(c.requestDue(IP1, T0 + INTERVAL + 1));
        assertFalse(c.requestDue(IP2, T0 + INTERVAL), "IP2 asked at T0+1");
        assertTrue(c.requestDue(IP2, T0 + INTERVAL + 1));

        // Count over 10 s of asking every 100 ms: once per interval.
        ArpCache<String> d = cache(4, 4);
        int sent = 0;
        for (long t = T0; t < T0 + 10 * S; t += S / 10) {
            if (d.requestDue(IP3, t)) {
                sent++;
            }
        }
        assertEquals(10, sent);
    }

    @Test
    void shouldAllowARequestForAnAddressLearnedWithoutOne() {
        ArpCache<String> c = cache(4, 4);
        c.update(IP1, MAC1, T0);
        assertTrue(c.requestDue(IP1, T0), "learning does not count as a request");
        assertFalse(c.requestDue(IP1, T0 + 1));
        // A reply keeps the rate limit of its request.
        c.update(IP1, MAC1, T0 + 2);
        assertFalse(c.requestDue(IP1, T0 + 3));
        assertEquals(MAC1, c.lookup(IP1, T0 + 3));
    }

    @Test
    void shouldResolveAnEntryCreatedByARequest() {
        ArpCache<String> c = cache(4, 4);
        assertTrue(c.requestDue(IP1, T0));
        c.update(IP1, MAC1, T0 + 10);
        assertEquals(MAC1, c.lookup(IP1, T0 + 10));
        assertFalse(c.requestDue(IP1, T0 + 20), "still rate limited by the earlier request");
    }

    @Test
    void shouldEvictUnresolvedEntriesFirst() {
        ArpCache<String> c = cache(3, 4);
        c.update(IP1, MAC1, T0); // oldest, but resolved
        assertTrue(c.requestDue(IP2, T0 + 5 * S)); // unresolved, newer
        c.update(IP3, MAC3, T0 + 2 * S);
        c.update(IP4, MAC4, T0 + 10 * S);
        assertFalse(c.contains(IP2), "the unresolved entry goes first");
        assertEquals(MAC1, c.lookup(IP1, T0 + 10 * S));
        assertEquals(MAC3, c.lookup(IP3, T0 + 10 * S));
        assertEquals(MAC4, c.lookup(IP4, T0 + 10 * S));
    }

    @Test
    void shouldEvictTheOldestAmongUnresolvedEntries() {
        ArpCache<String> c = cache(3, 4);
        c.update(IP1, MAC1, T0);
        assertTrue(c.requestDue(IP2, T0 + 2 * S));
        assertTrue(c.requestDue(IP3, T0 + S));
        assertTrue(c.requestDue(IP4, T0 + 3 * S));
        assertFalse(c.contains(IP3), "the older unresolved entry");
        assertTrue(c.contains(IP2));
        assertTrue(c.contains(IP1));
        assertTrue(c.contains(IP4));
    }

    @Test
    void shouldEvictTheLeastRecentlyUpdatedResolvedEntry() {
        ArpCache<String> c = cache(3, 4);
        c.update(IP1, MAC1, T0);
        c.update(IP2, MAC2, T0 + S);
        c.update(IP3, MAC3, T0 + 2 * S);
        c.update(IP1, MAC1, T0 + 3 * S); // refreshed: IP2 is now the stalest
        c.update(IP4, MAC4, T0 + 4 * S);
        assertFalse(c.contains(IP2));
        assertEquals(MAC1, c.lookup(IP1, T0 + 4 * S));
        assertEquals(MAC3, c.lookup(IP3, T0 + 4 * S));
        assertEquals(MAC4, c.lookup(IP4, T0 + 4 * S));
        // A single-entry cache always replaces its entry.
        ArpCache<String> one = cache(1, 1);
        one.update(IP1, MAC1, T0);
        one.update(IP2, MAC2, T0 + 1);
        assertFalse(one.contains(IP1));
        assertEquals(MAC2, one.lookup(IP2, T0 + 1));
    }

    @Test
    void shouldBoundThePendingQueue() {
        ArpCache<String> c = cache(4, 3);
        assertTrue(c.hasPendingSpace());
        assertTrue(c.enqueue(IP1, "a", T0));
        assertTrue(c.enqueue(IP2, "b", T0));
        assertTrue(c.enqueue(IP1, "c", T0));
        assertEquals(3, c.pendingCount());
        assertFalse(c.hasPendingSpace());
        assertFalse(c.enqueue(IP3, "d", T0), "full: the caller keeps the frame");
        assertEquals(3, c.pendingCount());
        assertEquals("a", c.takePending(IP1));
        assertTrue(c.hasPendingSpace());
        assertTrue(c.enqueue(IP3, "d", T0));

        ArpCache<String> none = cache(4, 0);
        assertFalse(none.hasPendingSpace());
        assertFalse(none.enqueue(IP1, "x", T0));
        assertNull(none.takeAny());
        assertEquals(Long.MAX_VALUE, none.nextDeadline());
    }

    @Test
    void shouldTakePendingFramesInOrderPerTarget() {
        ArpCache<String> c = cache(4, 8);
        c.enqueue(IP1, "1a", T0);
        c.enqueue(IP2, "2a", T0 + 1);
        c.enqueue(IP1, "1b", T0 + 2);
        c.enqueue(IP3, "3a", T0 + 3);
        c.enqueue(IP1, "1c", T0 + 4);
        c.enqueue(IP2, "2b", T0 + 5);
        List<String> one = new ArrayList<>();
        String f;
        while ((f = c.takePending(IP1)) != null) {
            one.add(f);
        }
        assertEquals(List.of("1a", "1b", "1c"), one);
        assertEquals(3, c.pendingCount());
        assertNull(c.takePending(IP4));
        assertEquals("2a", c.takePending(IP2));
        c.enqueue(IP2, "2c", T0 + 6);
        assertEquals("2b", c.takePending(IP2));
        assertEquals("2c", c.takePending(IP2));
        assertNull(c.takePending(IP2));
        assertEquals("3a", c.takeAny());
        assertNull(c.takeAny());
        assertEquals(0, c.pendingCount());
    }

    @Test
    void shouldTakeOnlyExpiredFramesAndReportTheNextDeadline() {
        ArpCache<String> c = cache(4, 8);
        assertEquals(Long.MAX_VALUE, c.nextDeadline());
        c.enqueue(IP1, "a", T0 + 2 * S);
        c.enqueue(IP2, "b", T0);
        c.enqueue(IP1, "c", T0 + S);
        assertEquals(T0 + PENDING_TIMEOUT, c.nextDeadline(), "the oldest frame, wherever it is in the queue");
        assertNull(c.takeExpired(T0 + PENDING_TIMEOUT - 1));
        assertEquals("b", c.takeExpired(T0 + PENDING_TIMEOUT));
        assertNull(c.takeExpired(T0 + PENDING_TIMEOUT));
        assertEquals(T0 + S + PENDING_TIMEOUT, c.nextDeadline());
        List<String> expired = new ArrayList<>();
        String f;
        while ((f = c.takeExpired(T0 + 10 * S)) != null) {
            expired.add(f);
        }
        assertEquals(List.of("a", "c"), expired, "in queue order");
        assertEquals(0, c.pendingCount());
        assertEquals(Long.MAX_VALUE, c.nextDeadline());
    }

    @Test
    void shouldKeepQueueConsistentAfterRemovalsInTheMiddle() {
        ArpCache<String> c = cache(4, 4);
        for (int round = 0; round < 50; round++) {
            long t = T0 + round * S;
            assertTrue(c.enqueue(IP1, "x" + round, t));
            assertTrue(c.enqueue(IP2, "y" + round, t));
            assertTrue(c.enqueue(IP3, "z" + round, t));
            assertEquals("y" + round, c.takePending(IP2));
            assertEquals("x" + round, c.takePending(IP1));
            assertEquals(t + PENDING_TIMEOUT, c.nextDeadline());
            assertEquals("z" + round, c.takeExpired(t + PENDING_TIMEOUT));
            assertEquals(0, c.pendingCount());
        }
    }

    @Test
    void shouldRejectInvalidSizes() {
        assertThrows(IllegalArgumentException.class, () -> cache(0, 1));
        assertThrows(IllegalArgumentException.class, () -> cache(1, -1));
    }
}
