package io.jiip.api;

import static io.jiip.testkit.TcpFixtures.A;
import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.arp.ArpCache;
import io.jiip.link.FrameHook;
import io.jiip.link.Packet;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.MacAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StackBasicsTest {
    @Test
    void shouldResolveWithArpRequestAndDeliverReplyToIntegrator() {
        TestNet net = TestNet.twoNodes();
        assertEquals(Result.OK, net.a().stack.arpRequest(B));
        net.pump();

        assertEquals(1, net.a().events.arpReplies.size());
        assertEquals(B, (int) net.a().events.arpReplies.get(0)[0]);
        assertEquals(MacAddress.parse(TestNet.B_MAC), net.a().events.arpReplies.get(0)[1]);
        assertEquals(MacAddress.parse(TestNet.B_MAC), net.a().stack.arpLookup(B));
        // B learned A from the request addressed to it (RFC 826 merge).
        assertEquals(MacAddress.parse(TestNet.A_MAC), net.b().stack.arpLookup(A));
        assertEquals(1, net.b().stack.stats().get(Counter.ARP_REQUESTS_ANSWERED));
        net.assertNoLeaks();
    }

    @Test
    void shouldPingWithAutomaticArpAndPreserveEchoData() {
        TestNet net = TestNet.twoNodes();
        byte[] data = "0123456789abcdefghijklmnopqrstuvwxyz!".getBytes(StandardCharsets.US_ASCII);
        int r = net.a().stack.icmpEchoRequest(B, Stack.RESOLVE, 0x1234, 7, ByteBuffer.wrap(data), 0, data.length);
        assertEquals(Result.OK, r);
        net.pump();

        assertEquals(1, net.a().events.echoReplies.size());
        int[] reply = net.a().events.echoReplies.get(0);
        assertEquals(B, reply[0]);
        assertEquals(0x1234, reply[1]);
        assertEquals(7, reply[2]);
        assertArrayEquals(data, net.a().events.echoData.get(0));
        assertEquals(1, net.b().stack.stats().get(Counter.ICMP_ECHO_REPLIES_TX));
        assertEquals(1, net.a().stack.stats().get(Counter.ARP_REQUESTS_TX));
        assertEquals(0, net.a().stack.stats().totalDrops());
        assertEquals(0, net.b().stack.stats().totalDrops());
        net.assertNoLeaks();
    }

    @Test
    void shouldEchoUdpBetweenTwoContextsZeroCopyInCallbacks() {
        TestNet net = TestNet.twoNodes();
        List<String> received = new ArrayList<>();
        // B echoes every datagram back from inside the callback, reusing the received bytes by clone.
        net.b().stack.udpBind(7, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            Packet copy = stack.packetOps().clone(packet);
            stack.packetOps().trimHead(copy, off - copy.offset());
            stack.packetOps().length(copy, len);
            assertEquals(Result.OK, stack.udpSend(copy, dstPort, srcIp, srcPort));
        });
        net.a().stack.udpBind(5000, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] b = new byte[len];
            packet.buffer().get(off, b);
            received.add(new String(b, StandardCharsets.UTF_8) + " from " + Ipv4Address.toString(srcIp) + ":"
                    + srcPort);
        });
        for (int i = 0; i < 3; i++) {
            Packet p = payload(net.a(), "hello " + i);
            assertEquals(Result.OK, net.a().stack.udpSend(p, 5000, B, 7));
        }
        net.pump();
        assertEquals(List.of("hello 0 from 10.0.0.2:7", "hello 1 from 10.0.0.2:7", "hello 2 from 10.0.0.2:7"),
                received);
        assertEquals(3, net.b().stack.stats().get(Counter.UDP_DELIVERED));
        net.assertNoLeaks();
    }

    @Test
    void shouldSendPortUnreachableForUnboundPortAndNotifySender() {
        TestNet net = TestNet.twoNodes();
        Packet p = payload(net.a(), "anyone?");
        assertEquals(Result.OK, net.a().stack.udpSend(p, 4000, B, 9999));
        net.pump();
        assertEquals(1, net.b().stack.stats().get(Counter.DROP_UDP_NO_PORT));
        assertEquals(1, net.b().stack.stats().get(Counter.ICMP_UNREACHABLE_TX));
        assertEquals(1, net.a().events.unreachable.size());
        assertArrayEquals(new int[] {3, B, 17, 4000, 9999}, net.a().events.unreachable.get(0));
        net.assertNoLeaks();
    }

    @Test
    void shouldRefuseWithoutTakingOwnershipWhenUnresolvable() {
        TestNet net = TestNet.twoNodes(b -> b.arpCacheEntries(0), 0);
        Packet p = payload(net.a(), "x");
        assertEquals(Result.UNRESOLVED, net.a().stack.udpSend(p, 1, B, 2));
        assertEquals(Result.OK, net.a().stack.udpSend(p, 1, B, 2, MacAddress.parse(TestNet.B_MAC)));
        net.pump();
        assertEquals(ArpCache.NONE, net.a().stack.arpLookup(B));
        net.assertNoLeaks();
    }

    @Test
    void shouldDropFramesWaitingForArpAfterTimeout() {
        TestNet net = TestNet.twoNodes();
        net.link.hook((from, buf, off, len) -> FrameHook.DROP);
        assertEquals(Result.OK, net.a().stack.udpSend(payload(net.a(), "lost"), 1, B, 2));
        net.pump();
        assertTrue(net.a().nextDeadline < Long.MAX_VALUE);
        net.advance(3_000_000_000L);
        assertEquals(1, net.a().stack.stats().get(Counter.DROP_ARP_PENDING_TIMEOUT));
        net.assertNoLeaks();
    }
}
