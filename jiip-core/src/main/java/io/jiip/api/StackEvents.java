package io.jiip.api;

/**
 * Input events that are not tied to a bound port or a connection. All methods have no-op defaults; override what
 * you need. Called from inside {@link Stack#run} on the stack's thread.
 *
 * <p><b>Ownership.</b> A packet passed to an event belongs to the stack and is freed right after the method returns
 * (also if it throws). To keep its bytes without copying, {@link PacketOps#clone} it. Offsets are absolute indices
 * into {@link PacketOps#buffer}. Counterpart of iip's {@code iip_ops_arp_reply} and {@code iip_ops_icmp_reply}.
 */
public interface StackEvents<P> {

    /** An ARP reply arrived (also delivered when the stack's own ARP cache consumed it). */
    default void onArpReply(Stack<P> stack, P frame, int senderIp, long senderMac) {
    }

    /**
     * An ICMP echo reply arrived for a request sent with {@link Stack#icmpEchoRequest}.
     *
     * @param dataOffset absolute index of the echo data (after the 8-byte ICMP header)
     */
    default void onEchoReply(Stack<P> stack, P packet, int fromIp, int identifier, int sequence, int dataOffset,
            int dataLength) {
    }

    /**
     * An ICMP destination-unreachable arrived about a datagram we sent ({@code code} per RFC 792, e.g. 3 = port
     * unreachable). Fragmentation-needed (code 4) is also consumed by the stack to lower the path MTU.
     */
    default void onDestinationUnreachable(Stack<P> stack, int code, int originalDstIp, int protocol, int srcPort,
            int dstPort) {
    }
}
