package io.jiip.examples;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.link.ManualClock;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import java.nio.charset.StandardCharsets;

/**
 * The README's integration example, kept compiling and running by {@link MinimalIntegrationTest}: a UDP echo
 * server context and a client context on a memory link, driven by the integrator's own loop.
 */
public final class MinimalIntegration {
    private MinimalIntegration() {
    }

    /** Returns what the client received back. */
    public static String run() {
        ManualClock clock = new ManualClock();                  // or System::nanoTime
        MemoryLink wire = new MemoryLink(clock);                 // or a TAP / AF_XDP backend

        PacketPool serverPool = PacketPool.standard();           // your PacketOps: mbufs, UMEM slots, ...
        MemoryLink.Port serverNic = wire.attach(serverPool);     // your Nic: push, flush, offloads
        Stack<Packet> server = new Stack<>(
                StackConfig.builder().mac("02:00:00:00:00:01").ipv4("10.0.0.1", 24).build(),
                serverPool, serverNic, clock, null);
        server.udpBind(7, (stack, pkt, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            Packet reply = stack.packetOps().clone(pkt);        // zero-copy: echo the received bytes
            stack.packetOps().trimHead(reply, off - reply.offset());
            stack.packetOps().length(reply, len);
            if (stack.udpSend(reply, dstPort, srcIp, srcPort) != Result.OK) {
                stack.packetOps().free(reply);                  // on error we still own it
            }
        });

        PacketPool clientPool = PacketPool.standard();
        MemoryLink.Port clientNic = wire.attach(clientPool);
        Stack<Packet> client = new Stack<>(
                StackConfig.builder().mac("02:00:00:00:00:02").ipv4("10.0.0.2", 24).build(),
                clientPool, clientNic, clock, null);
        StringBuilder got = new StringBuilder();
        client.udpBind(4000, (stack, pkt, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] bytes = new byte[len];
            pkt.buffer().get(off, bytes);
            got.append(new String(bytes, StandardCharsets.UTF_8));
        });

        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        Packet payload = clientPool.alloc(hello.length);
        payload.buffer().put(payload.offset(), hello);
        clientPool.length(payload, hello.length);
        client.udpSend(payload, 4000, Ipv4Address.parse("10.0.0.1"), 7); // ARP is resolved for you

        Packet[] rx = new Packet[64];
        for (int i = 0; i < 100 && got.length() == 0; i++) {   // the integrator's loop
            clock.advance(10_000);
            server.run(rx, serverNic.poll(rx, rx.length));
            client.run(rx, clientNic.poll(rx, rx.length));
        }
        return got.toString();
    }

    public static void main(String[] args) {
        System.out.println(run());
    }
}
