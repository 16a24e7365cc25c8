package io.jiip.api;

/**
 * Receives the datagrams of one bound UDP port ({@link Stack#udpBind}). Counterpart of iip's
 * {@code iip_ops_udp_payload}, with the port demultiplexing iip leaves to the integrator.
 *
 * <p>The payload is handed zero-copy: bytes {@code [payloadOffset, payloadOffset + payloadLength)} of
 * {@link PacketOps#buffer}{@code (packet)}. The packet belongs to the stack and is freed when the method returns;
 * {@link PacketOps#clone} it to keep it. Replying from inside the callback ({@link Stack#udpSend}) is allowed.
 */
@FunctionalInterface
public interface UdpHandler<P> {
    void onDatagram(Stack<P> stack, P packet, int srcIp, int srcPort, int dstIp, int dstPort, int payloadOffset,
            int payloadLength);
}
