/**
 * jiip-core: an integratable TCP/IP stack. Depends on {@code java.base} only.
 *
 * <p>Integrators use {@code io.jiip.api} (what they implement and call), {@code io.jiip.wire} (header views and
 * checksums), {@code io.jiip.arp} (the optional ARP cache) and {@code io.jiip.link} (memory link, packet pool,
 * pcap). Protocol internals are not exported.
 */
module io.jiip.core {
    exports io.jiip.api;
    exports io.jiip.wire;
    exports io.jiip.arp;
    exports io.jiip.link;
}
