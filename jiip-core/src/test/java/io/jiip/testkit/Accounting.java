package io.jiip.testkit;

import static io.jiip.api.Counter.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Stats;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Counter bookkeeping for the robustness tests: deltas between snapshots, and the conservation laws of the
 * receive path (every received frame is delivered or dropped under a reason, layer by layer).
 */
public final class Accounting {
    private static final Counter[] L2_DROPS = {DROP_L2_TRUNCATED, DROP_L2_NOT_FOR_US, DROP_L2_UNKNOWN_TYPE};
    private static final Counter[] ARP_DROPS = {DROP_ARP_MALFORMED, DROP_ARP_NOT_FOR_US};
    private static final Counter[] IP_DROPS = {DROP_IP_TRUNCATED, DROP_IP_BAD_VERSION, DROP_IP_BAD_HEADER_LENGTH,
        DROP_IP_BAD_TOTAL_LENGTH, DROP_IP_BAD_OPTIONS, DROP_IP_BAD_CHECKSUM, DROP_IP_BAD_SOURCE, DROP_IP_NOT_FOR_US};
    private static final Counter[] ICMP_DROPS = {DROP_ICMP_TRUNCATED, DROP_ICMP_BAD_CHECKSUM};
    private static final Counter[] UDP_DROPS = {DROP_UDP_TRUNCATED, DROP_UDP_BAD_LENGTH, DROP_UDP_BAD_CHECKSUM,
        DROP_UDP_NO_PORT};
    /** TCP drops: at most one per segment (segments that are processed count nowhere else). */
    private static final Counter[] TCP_DROPS = {DROP_TCP_TRUNCATED, DROP_TCP_BAD_CHECKSUM, DROP_TCP_BAD_PORT,
        DROP_TCP_BAD_OPTIONS, DROP_TCP_NO_CONNECTION, DROP_TCP_BACKLOG_FULL, DROP_TCP_TABLE_FULL, DROP_TCP_REFUSED,
        DROP_TCP_OUT_OF_WINDOW, DROP_TCP_PAWS, DROP_TCP_BAD_ACK, DROP_TCP_BAD_RST, DROP_TCP_BAD_SYN,
        DROP_TCP_OOO_LIMIT, DROP_TCP_DATA_AFTER_CLOSE, DROP_TCP_DUPLICATE, DROP_TCP_STATE, DROP_TCP_HALF_OPEN_LIMIT};
    /** Reassembly drops that count the one fragment that caused them. */
    private static final Counter[] FRAGMENT_DROPS = {DROP_REASM_BAD_FRAGMENT, DROP_REASM_TOO_BIG,
        DROP_REASM_DUPLICATE, DROP_REASM_NO_SLOT, DROP_REASM_MEMORY};
    /** Reassembly drops that count one datagram: at least two fragments each. */
    private static final Counter[] DATAGRAM_DROPS = {DROP_REASM_OVERLAP, DROP_REASM_TOO_MANY_FRAGMENTS,
        DROP_REASM_NO_BUFFER};
    /** Drops on the transmit side: not about received frames. */
    private static final Counter[] TX_DROPS = {DROP_TX_NO_BUFFER, DROP_ARP_PENDING_OVERFLOW, DROP_ARP_PENDING_TIMEOUT};

    private Accounting() {
    }

    /** The counters as they are now. */
    public static Snapshot snapshot(Stats stats) {
        return new Snapshot(stats);
    }

    /** Counters at one moment, to diff against later. */
    public static final class Snapshot {
        private final Stats stats;
        private final long[] before = new long[Counter.values().length];

        private Snapshot(Stats stats) {
            this.stats = stats;
            stats.copyTo(before);
        }

        public long delta(Counter c) {
            return stats.get(c) - before[c.ordinal()];
        }

        /** Every counter that moved, with how much. */
        public Map<Counter, Long> changes() {
            Map<Counter, Long> out = new EnumMap<>(Counter.class);
            for (Counter c : Counter.values()) {
                if (delta(c) != 0) {
                    out.put(c, delta(c));
                }
            }
            return out;
        }

        /** The drop reasons that moved, with how much. */
        public Map<Counter, Long> drops() {
            Map<Counter, Long> out = changes();
            out.keySet().removeIf(c -> !c.isDrop());
            return out;
        }
    }

    /**
     * Asserts the receive-path conservation laws of an Ethernet stack whose pool never ran dry:
     * <ul>
     * <li>frames = L2 drops + ARP packets + IPv4 datagrams;
     * <li>ARP packets = ARP drops + requests answered + replies received;
     * <li>IPv4 datagrams = IP drops + fragments + unfragmented datagrams handed to a protocol (UDP, ICMP, or
     * dropped as unknown), where reassembled datagrams are handed over too but arrived as fragments;
     * <li>handed to ICMP/UDP/TCP = ICMP messages + UDP datagrams + TCP segments, each = its drops + its deliveries;
     * <li>fragments: reassembly reasons count per fragment or per datagram (2+ fragments); held fragments count
     * nowhere until their datagram completes or is dropped, so only an inequality holds for them.
     * </ul>
     * Without fragments this is exactly "every frame is delivered or counted under one drop reason".
     */
    public static void assertEveryFrameAccounted(Stats s) {
        String all = "\n" + s;
        assertEquals(0, s.get(DROP_TX_NO_BUFFER), "the pool ran dry: unanswered ARP requests count nowhere" + all);
        assertEquals(s.get(RX_FRAMES), sum(s, L2_DROPS) + s.get(ARP_RX) + s.get(IP_RX), "frames" + all);
        assertEquals(s.get(ARP_RX), sum(s, ARP_DROPS) + s.get(ARP_REQUESTS_ANSWERED) + s.get(ARP_REPLIES_RX),
                "ARP" + all);
        long handedOver = s.get(IP_DELIVERED) + s.get(DROP_IP_UNKNOWN_PROTOCOL);
        assertEquals(s.get(IP_RX), sum(s, IP_DROPS) + s.get(REASM_FRAGMENTS_RX) + handedOver - s.get(REASM_OK),
                "IPv4" + all);
        assertEquals(s.get(IP_DELIVERED), s.get(ICMP_RX) + s.get(UDP_RX) + s.get(TCP_RX), "IP delivered" + all);
        assertTrue(s.get(TCP_RX) >= sum(s, TCP_DROPS), "TCP" + all);
        assertEquals(s.get(ICMP_RX), sum(s, ICMP_DROPS) + s.get(ICMP_ECHO_REQUESTS_RX) + s.get(ICMP_ECHO_REPLIES_RX)
                + s.get(ICMP_UNREACHABLE_RX) + s.get(ICMP_OTHER_RX), "ICMP" + all);
        assertEquals(s.get(UDP_RX), sum(s, UDP_DROPS) + s.get(UDP_DELIVERED), "UDP" + all);
        long fragmentsUsed = sum(s, FRAGMENT_DROPS) + 2 * (s.get(REASM_OK) + sum(s, DATAGRAM_DROPS))
                + s.get(DROP_REASM_TIMEOUT);
        assertTrue(s.get(REASM_FRAGMENTS_RX) >= fragmentsUsed, "fragments" + all);
    }

    /** Guards the laws above against a new drop reason nobody accounts for. */
    public static Set<Counter> unaccountedDropReasons() {
        Set<Counter> drops = EnumSet.noneOf(Counter.class);
        for (Counter c : Counter.values()) {
            if (c.isDrop()) {
                drops.add(c);
            }
        }
        Stream.of(L2_DROPS, ARP_DROPS, IP_DROPS, ICMP_DROPS, UDP_DROPS, TCP_DROPS, FRAGMENT_DROPS, DATAGRAM_DROPS,
                        TX_DROPS)
                .flatMap(Arrays::stream).forEach(drops::remove);
        drops.remove(DROP_IP_UNKNOWN_PROTOCOL);
        drops.remove(DROP_REASM_TIMEOUT);
        return drops;
    }

    private static long sum(Stats s, Counter[] counters) {
        long total = 0;
        for (Counter c : counters) {
            total += s.get(c);
        }
        return total;
    }
}
