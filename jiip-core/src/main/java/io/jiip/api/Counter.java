package io.jiip.api;

/**
 * Every counter the stack keeps ({@link Stats}). Names starting with {@code DROP_} count packets dropped, one
 * reason each: a packet is counted under exactly one drop reason.
 */
public enum Counter {
    // link
    RX_FRAMES("frames received"),
    TX_FRAMES("frames pushed to the NIC"),
    DROP_L2_TRUNCATED("frames shorter than the link header"),
    DROP_L2_NOT_FOR_US("frames for another link address"),
    DROP_L2_UNKNOWN_TYPE("frames with an EtherType we do not speak"),
    DROP_TX_NO_BUFFER("outgoing packets not sent: packet pool empty"),

    // ARP
    ARP_RX("ARP packets received"),
    ARP_REQUESTS_ANSWERED("ARP requests answered"),
    ARP_REPLIES_RX("ARP replies received"),
    ARP_REQUESTS_TX("ARP requests sent"),
    DROP_ARP_MALFORMED("ARP packets truncated or not Ethernet/IPv4"),
    DROP_ARP_NOT_FOR_US("ARP requests for another address"),
    DROP_ARP_PENDING_OVERFLOW("packets dropped: ARP pending queue full"),
    DROP_ARP_PENDING_TIMEOUT("packets dropped: address never resolved"),

    // IPv4
    IP_RX("IPv4 datagrams received"),
    IP_DELIVERED("IPv4 datagrams delivered to a protocol"),
    IP_TX("IPv4 datagrams sent"),
    DROP_IP_TRUNCATED("IPv4 datagrams truncated"),
    DROP_IP_BAD_VERSION("IPv4 datagrams with a version other than 4"),
    DROP_IP_BAD_HEADER_LENGTH("IPv4 datagrams with IHL below 5"),
    DROP_IP_BAD_TOTAL_LENGTH("IPv4 datagrams whose total length disagrees with the frame"),
    DROP_IP_BAD_OPTIONS("IPv4 datagrams with malformed options"),
    DROP_IP_BAD_CHECKSUM("IPv4 datagrams with a bad header checksum"),
    DROP_IP_BAD_SOURCE("IPv4 datagrams from a broadcast or multicast source"),
    DROP_IP_NOT_FOR_US("IPv4 datagrams for another address"),
    DROP_IP_UNKNOWN_PROTOCOL("IPv4 datagrams for a protocol we do not speak"),

    // reassembly
    REASM_FRAGMENTS_RX("fragments received"),
    REASM_OK("datagrams reassembled"),
    DROP_REASM_BAD_FRAGMENT("fragments with a length not a multiple of 8 or empty"),
    DROP_REASM_TOO_BIG("fragments beyond 65535 bytes"),
    DROP_REASM_DUPLICATE("fragments received twice"),
    DROP_REASM_OVERLAP("datagrams dropped: overlapping fragments (RFC 5722)"),
    DROP_REASM_TIMEOUT("datagrams dropped: reassembly timeout"),
    DROP_REASM_NO_SLOT("fragments dropped: too many datagrams in reassembly"),
    DROP_REASM_TOO_MANY_FRAGMENTS("datagrams dropped: too many fragments"),
    DROP_REASM_MEMORY("fragments dropped: reassembly memory budget"),
    DROP_REASM_NO_BUFFER("datagrams dropped: no buffer to reassemble into"),

    // ICMP
    ICMP_RX("ICMP messages received"),
    ICMP_ECHO_REQUESTS_RX("echo requests received"),
    ICMP_ECHO_REPLIES_TX("echo replies sent"),
    ICMP_ECHO_REQUESTS_TX("echo requests sent"),
    ICMP_ECHO_REPLIES_RX("echo replies received"),
    ICMP_UNREACHABLE_RX("destination unreachable received"),
    ICMP_FRAG_NEEDED_RX("fragmentation needed received (path MTU)"),
    ICMP_ERRORS_IGNORED("ICMP errors ignored: they quote no TCP data of ours in flight (RFC 5927 §7.2)"),
    ICMP_UNREACHABLE_TX("destination unreachable sent"),
    ICMP_ERRORS_RATE_LIMITED("ICMP errors not sent: rate limit"),
    ICMP_ECHO_TOO_BIG("echo requests not answered: reply larger than the path MTU"),
    ICMP_OTHER_RX("ICMP messages of other types ignored"),
    DROP_ICMP_TRUNCATED("ICMP messages truncated"),
    DROP_ICMP_BAD_CHECKSUM("ICMP messages with a bad checksum"),

    // UDP
    UDP_RX("UDP datagrams received"),
    UDP_DELIVERED("UDP datagrams delivered to a bound port"),
    UDP_TX("UDP datagrams sent"),
    DROP_UDP_TRUNCATED("UDP datagrams truncated"),
    DROP_UDP_BAD_LENGTH("UDP datagrams with a bad length field"),
    DROP_UDP_BAD_CHECKSUM("UDP datagrams with a bad checksum"),
    DROP_UDP_NO_PORT("UDP datagrams for an unbound port"),

    // TCP
    TCP_RX("TCP segments received"),
    TCP_TX("TCP segments sent"),
    TCP_RETRANSMITS("TCP segments retransmitted"),
    TCP_FAST_RETRANSMITS("fast retransmits (three duplicate ACKs)"),
    TCP_TIMEOUTS("retransmission timeouts"),
    TCP_TLP_PROBES("tail loss probes sent (RFC 8985)"),
    TCP_SACK_RENEGING("retransmission timeouts that found SACKed data at SND.UNA: SACK state forgotten (RFC 2018 §8)"),
    TCP_PATH_MTU_REDUCTIONS("segment size lowered after fragmentation needed (RFC 1191 §6.4)"),
    TCP_ACTIVE_OPENS("connections opened actively"),
    TCP_PASSIVE_OPENS("connections accepted"),
    TCP_RESETS_TX("resets sent"),
    TCP_RESETS_RX("resets accepted"),
    TCP_CHALLENGE_ACKS("challenge ACKs sent (RFC 5961)"),
    TCP_CHALLENGE_ACKS_LIMITED("challenge ACKs not sent: rate limit"),
    TCP_DELAYED_ACKS("delayed ACKs sent by timer"),
    TCP_WINDOW_PROBES("zero-window probes sent"),
    TCP_KEEPALIVES("keepalive probes sent"),
    TCP_CLOSED_TIMEOUT("connections closed by timeout"),
    TCP_OOO_SEGMENTS("segments queued out of order"),
    TCP_TIME_WAIT_ENTERED("connections that entered TIME-WAIT (slot freed, a TIME-WAIT record kept)"),
    TCP_TIME_WAIT_EXPIRED("TIME-WAIT records expired after 2 MSL"),
    TCP_TIME_WAIT_RECYCLED("TIME-WAIT records recycled early, oldest first: TIME-WAIT table full"),
    TCP_TIME_WAIT_REOPENED("TIME-WAIT records ended by a new SYN (RFC 6191)"),
    TCP_TIME_WAIT_RESET("TIME-WAIT records ended by a RST at RCV.NXT"),
    DROP_TCP_TRUNCATED("TCP segments truncated or with a bad data offset"),
    DROP_TCP_BAD_CHECKSUM("TCP segments with a bad checksum"),
    DROP_TCP_BAD_PORT("TCP segments with port 0 or to a broadcast"),
    DROP_TCP_BAD_OPTIONS("TCP segments with malformed options"),
    DROP_TCP_NO_CONNECTION("TCP segments for no connection (answered with RST)"),
    DROP_TCP_BACKLOG_FULL("SYNs dropped: listen backlog full"),
    DROP_TCP_TABLE_FULL("SYNs dropped: connection table full"),
    DROP_TCP_REFUSED("SYNs refused by the accept decision"),
    DROP_TCP_OUT_OF_WINDOW("TCP segments outside the receive window"),
    DROP_TCP_PAWS("TCP segments rejected by PAWS (RFC 7323)"),
    DROP_TCP_BAD_ACK("TCP segments with an unacceptable ACK"),
    DROP_TCP_BAD_RST("resets not exactly at RCV.NXT (RFC 5961)"),
    DROP_TCP_BAD_SYN("SYNs on a synchronized connection (RFC 5961)"),
    DROP_TCP_OOO_LIMIT("out-of-order segments dropped: memory or descriptor budget"),
    DROP_TCP_DATA_AFTER_CLOSE("segments with data after the application closed (RST sent)"),
    DROP_TCP_DUPLICATE("TCP segments entirely already received"),
    DROP_TCP_STATE("TCP segments not acceptable in the connection's state"),

    // hardening (SYN cookies, RFC 4987; budgets)
    SYN_COOKIES_SENT("SYN-ACKs sent with a SYN cookie (backlog, half-open limit or table full)"),
    SYN_COOKIES_VALID("connections completed through a valid SYN cookie"),
    SYN_COOKIES_INVALID("ACKs to a listener carrying no valid SYN cookie (answered with RST)"),
    TCP_HALF_OPEN_LIMITED("SYNs over the per-context half-open limit (cookie or drop)"),
    DROP_TCP_HALF_OPEN_LIMIT("SYNs dropped: per-context half-open limit, cookies off");

    private final String description;

    Counter(String description) {
        this.description = description;
    }

    /** What the counter counts, in words (as {@code netstat -s} prints it). */
    public String description() {
        return description;
    }

    /** {@code true} for drop reasons. */
    public boolean isDrop() {
        return name().startsWith("DROP_");
    }
}
