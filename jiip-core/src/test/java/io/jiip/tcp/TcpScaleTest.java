package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.TcpConfig;
import io.jiip.api.TcpEvents;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.testkit.Frames;
import io.jiip.testkit.TestNet;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 100,000 connections in one context: lookup by 4-tuple hash and timers on a wheel keep each run proportional to
 * its packets, so establishing, exercising and closing them all is a matter of seconds, not hours.
 */
class TcpScaleTest {
    private static final int CONNECTIONS = 100_000;
    private static final int PORTS = 4; // 4-tuples differ by server port too: 25,000 ephemeral ports each

    @Test
    void shouldCarryOneHundredThousandConnectionsInOneContext() {
        TcpConfig tcp = TcpConfig.builder().connections(CONNECTIONS + 10).segments(CONNECTIONS * 2)
                .receiveBuffer(4096).nagle(false).ephemeralPorts(1024, 65535).build();
        TestNet net = new TestNet();
        PacketPool poolA = PacketPool.builder().packets(300_000).small(200_000, 256).large(2, 65792).build();
        PacketPool poolB = PacketPool.builder().packets(300_000).small(200_000, 256).large(2, 65792).build();
        net.add(TestNet.config(TestNet.A_MAC, TestNet.A_IP, b -> b.tcp(tcp)), poolA, 0);
        net.add(TestNet.config(TestNet.B_MAC, TestNet.B_IP, b -> b.tcp(tcp)), poolB, 0);
        Stack<Packet> client = net.a().stack;
        Stack<Packet> server = net.b().stack;

        int[] echoed = new int[1];
        TcpEvents<Packet> echo = new TcpEvents<>() {
            @Override
            public void onPayload(Stack<Packet> s, int c, Object a, Packet p, int off, int len) {
                s.tcpRxConsumed(c, len);
                Packet reply = s.packetOps().alloc(1);
                s.packetOps().length(reply, 1);
                assertEquals(Result.OK, s.tcpSend(c, reply, 0));
            }
        };
        TcpEvents<Packet> sink = new TcpEvents<>() {
            @Override
            public void onPayload(Stack<Packet> s, int c, Object a, Packet p, int off, int len) {
                s.tcpRxConsumed(c, len);
                echoed[0]++;
            }
        };
        for (int p = 0; p < PORTS; p++) {
            assertEquals(Result.OK, server.tcpListen(8000 + p, CONNECTIONS, echo));
        }
        int serverIp = Ipv4Address.parse(TestNet.B_IP);
        assertEquals(Result.OK, client.arpRequest(serverIp)); // resolve once, not 100,000 SYNs waiting for ARP
        net.pump();
        int[] handles = new int[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            handles[i] = client.tcpConnect(serverIp, 8000 + i % PORTS, 0, sink, null);
            assertTrue(handles[i] >= 0, Result.name(handles[i]));
            if (i % 1000 == 999) {
                net.pump();
            }
        }
        net.pump();
        assertEquals(CONNECTIONS, server.stats().get(Counter.TCP_PASSIVE_OPENS));
        assertEquals(CONNECTIONS, client.tcpConnectionCount());
        assertEquals(CONNECTIONS, server.tcpConnectionCount());

        // Garbage in a batch large enough to be warmed first (BatchWarmer.MIN_CONNECTIONS): the warm-up reads
        // state for whatever the headers say, and must stay harmless; the stack then drops every frame.
        Random random = new Random(7);
        List<byte[]> garbage = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] tcpBytes = new byte[random.nextInt(60)];
            random.nextBytes(tcpBytes);
            byte[] frame = Frames.ipv4(Ipv4Header.PROTO_TCP, tcpBytes).build();
            garbage.add(i % 4 == 0 ? Frames.truncate(frame, random.nextInt(frame.length)) : frame);
        }
        long framesBefore = server.stats().get(Counter.RX_FRAMES);
        Frames.injectAll(net.b(), garbage);
        net.pump();
        assertEquals(framesBefore + 64, server.stats().get(Counter.RX_FRAMES));
        long garbageDrops = server.stats().totalDrops() - server.stats().get(Counter.DROP_TCP_NO_CONNECTION);
        assertEquals(64, server.stats().totalDrops(), server.stats().toString());
        assertEquals(CONNECTIONS, server.tcpConnectionCount());

        for (int i = 0; i < CONNECTIONS; i++) {
            Packet one = net.a().pool.alloc(1);
            net.a().pool.length(one, 1);
            assertEquals(Result.OK, client.tcpSend(handles[i], one, 0));
            if (i % 1000 == 999) {
                net.pump();
            }
        }
        net.pump();
        assertEquals(CONNECTIONS, echoed[0]);

        for (int i = 0; i < CONNECTIONS; i++) {
            assertEquals(Result.OK, client.tcpAbort(handles[i]));
            if (i % 1000 == 999) {
                net.pump();
            }
        }
        net.pump();
        assertEquals(0, client.tcpConnectionCount());
        assertEquals(0, server.tcpConnectionCount(), client.stats() + "\n" + server.stats());
        assertEquals(garbageDrops, server.stats().totalDrops() - server.stats().get(Counter.DROP_TCP_NO_CONNECTION),
                server.stats().toString());
        net.assertNoLeaks();
    }
}
