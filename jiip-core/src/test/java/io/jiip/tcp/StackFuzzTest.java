package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.SECOND;
import static io.jiip.testkit.TcpFixtures.connected;
import static io.jiip.testkit.TcpFixtures.stackTcp;
import static io.jiip.testkit.TcpPeer.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jiip.api.Result;
import io.jiip.api.TcpState;
import io.jiip.link.Packet;
import io.jiip.testkit.Accounting;
import io.jiip.testkit.Frames;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Opts;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.testkit.TestNet;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-stack fuzzing (Jazzer): a context with a listening TCP port (80), an established connection (peer port
 * 40000) and a bound UDP port (7) is fed an arbitrary sequence of frames and clock advances, each step chosen by the
 * input: raw Ethernet frames, IPv4 datagrams with arbitrary fields, TCP segments to the listener, blind TCP
 * segments on the established 4-tuple, UDP, ICMP, fragments. Invariants after each input: no exception escapes,
 * every received frame is accounted for, the established connection still carries data byte-exact both ways, the
 * stack's pool returns to its baseline once reassembly expires, and nothing leaks after the connection is closed.
 *
 * <p>Segments on the established 4-tuple are kept blind (sequence and ACK numbers at least 2^20 away from the right
 * ones, as for an off-path attacker): an attacker who knows them can legitimately reset or inject, and the fuzzer's
 * comparison tracing would find them. Regression mode over {@code StackFuzzTestInputs/} in every test run;
 * {@code JAZZER_FUZZ=1} fuzzes (docs/security.md).
 */
class StackFuzzTest {
    private static final int BLIND = 1 << 20;

    @FuzzTest(maxDuration = "60s")
    void wholeStack(FuzzedDataProvider d) {
        RecordingApp[] server = new RecordingApp[1];
        TcpPeer peer = connected(stackTcp(t -> t.isnKey(new byte[16])), server);
        TestNet.Node node = peer.net.a();
        List<byte[]> udp = new ArrayList<>();
        assertEquals(Result.OK, node.stack.udpBind(7, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] b = new byte[len];
            packet.buffer().get(off, b);
            udp.add(b);
        }));
        long baseline = node.pool.inUse();
        int steps = 0;
        while (d.remainingBytes() > 0 && steps++ < 48) {
            step(d, peer, node);
        }
        peer.net.pump();
        Accounting.assertEveryFrameAccounted(node.stack.stats());
        // The victim connection is intact and transfers byte-exact in both directions.
        assertEquals(TcpState.ESTABLISHED, node.stack.tcpState(server[0].conn), server[0].log.toString());
        peer.drain();
        String before = server[0].received.toString();
        peer.data("ping".getBytes(StandardCharsets.US_ASCII));
        assertEquals(before + "ping", server[0].received.toString());
        Packet p = node.pool.alloc(4);
        assertNotNull(p, "pool exhausted");
        p.buffer().put(p.offset(), "pong".getBytes(StandardCharsets.US_ASCII));
        node.pool.length(p, 4);
        assertEquals(Result.OK, node.stack.tcpSend(server[0].conn, p, 0));
        Seg reply = peer.drain().stream().filter(s -> s.payload().length > 0).findFirst().orElseThrow();
        assertEquals("pong", new String(reply.payload(), StandardCharsets.US_ASCII));
        peer.send(ACK, peer.sndNxt, reply.seq() + 4, peer.window, peer.tsOpts());
        // Reassembly and the rest expire: the pool is back at its baseline.
        peer.net.advance(60 * SECOND);
        peer.drain();
        assertEquals(baseline, node.pool.inUse(), "packets held after the input");
        assertEquals(Result.OK, node.stack.tcpAbort(server[0].conn));
        peer.drain();
        peer.net.assertNoLeaks();
    }

    private static void step(FuzzedDataProvider d, TcpPeer peer, TestNet.Node node) {
        switch (d.consumeInt(0, 8)) {
            case 0: { // raw Ethernet frame, usually addressed to the stack
                byte[] f = d.consumeBytes(d.consumeInt(0, 1600));
                if (f.length >= EthernetHeader.LENGTH && d.consumeBoolean()) {
                    EthernetHeader.write(ByteBuffer.wrap(f), 0, Frames.B_MAC, Frames.A_MAC,
                            d.consumeBoolean() ? EthernetHeader.TYPE_IPV4 : EthernetHeader.TYPE_ARP);
                }
                inject(node, f);
                break;
            }
            case 1: { // IPv4 with arbitrary header fields and payload
                Frames.Ip ip = Frames.ipv4(d.consumeInt(0, 255), d.consumeBytes(d.consumeInt(0, 1480)))
                        .id(d.consumeInt(0, 65535)).flagsFragment(d.consumeInt(0, 65535)).ttl(d.consumeInt(0, 255))
                        .ipChecksum(d.consumeBoolean() ? Frames.Sum.CORRECT : Frames.Sum.WRONG);
                if (d.consumeBoolean()) {
                    ip.src(d.consumeInt());
                }
                if (d.consumeBoolean()) {
                    ip.ihl(d.consumeInt(0, 15));
                }
                if (d.consumeBoolean()) {
                    ip.totalLength(d.consumeInt(0, 65535));
                }
                inject(node, build(ip));
                break;
            }
            case 2: { // a segment to the listener (or elsewhere) from another port
                int src = d.consumeInt(1, 65535);
                peer.pushSegment(src == peer.localPort ? src + 1 : src,
                        d.consumeBoolean() ? 80 : d.consumeInt(0, 65535),
                        d.consumeInt(0, 255), d.consumeInt(), d.consumeInt(), d.consumeInt(0, 65535),
                        Opts.none().raw(d.consumeBytes(d.consumeInt(0, 40))), d.consumeBytes(d.consumeInt(0, 1400)));
                break;
            }
            case 3: { // a blind segment on the established 4-tuple
                int seq = blind(d.consumeInt(), peer.sndNxt);
                int ack = blind(d.consumeInt(), peer.rcvNxt);
                Opts o = d.consumeBoolean() ? peer.tsOpts() : Opts.none().raw(d.consumeBytes(d.consumeInt(0, 40)));
                peer.pushSegment(peer.localPort, peer.remotePort, d.consumeInt(0, 255), seq, ack,
                        d.consumeInt(0, 65535), o, d.consumeBytes(d.consumeInt(0, 1400)));
                break;
            }
            case 4: { // UDP
                Frames.Ip u = Frames.udp(d.consumeInt(0, 65535), d.consumeBoolean() ? 7 : d.consumeInt(0, 65535),
                        d.consumeBytes(d.consumeInt(0, 1472)));
                u.l4Checksum(d.pickValue(Frames.Sum.values()));
                if (d.consumeBoolean()) {
                    u.udpLength(d.consumeInt(0, 65535));
                }
                inject(node, build(u));
                break;
            }
            case 5: // ICMP, errors quoting anything
                inject(node, build(Frames.icmp(d.consumeInt(0, 255), d.consumeInt(0, 255), d.consumeInt(0, 65535),
                        d.consumeInt(0, 65535), d.consumeBytes(d.consumeInt(0, 600)))));
                break;
            case 6: // fragments
                inject(node, build(Frames.ipv4(d.consumeBoolean() ? Ipv4Header.PROTO_UDP : d.consumeInt(0, 255),
                        d.consumeBytes(d.consumeInt(0, 1480))).id(d.consumeInt(0, 7))
                        .fragmentFlags(8 * d.consumeInt(0, 8191), d.consumeBoolean())));
                break;
            case 7: // time passes
                peer.net.advance(d.consumeLong(0, 10 * SECOND));
                break;
            default: // many frames in one run
                peer.net.pump();
                break;
        }
    }

    /** {@code v}, moved away from {@code right} if it came within 2^20 of it (an off-path guess). */
    private static int blind(int v, int right) {
        return Math.abs(v - right) < BLIND ? v + (1 << 30) : v;
    }

    /**
     * Hands a frame to the stack, unless it is a TCP segment (or first fragment) on the established 4-tuple: those
     * only come blind, through {@link #step} case 3.
     */
    private static void inject(TestNet.Node node, byte[] f) {
        if (f == null || f.length == 0) {
            return;
        }
        if (f.length >= 14 + 20 + 4 && EthernetHeader.etherType(ByteBuffer.wrap(f), 0) == EthernetHeader.TYPE_IPV4) {
            ByteBuffer b = ByteBuffer.wrap(f);
            int ihl = (f[14] & 0xf) * 4;
            int l4 = 14 + ihl;
            if ((f[14 + 9] & 0xff) == Ipv4Header.PROTO_TCP && f.length >= l4 + 4
                    && (b.getShort(l4) & 0xffff) == 40000 && (b.getShort(l4 + 2) & 0xffff) == 80) {
                b.putShort(l4, (short) 40001);
            }
        }
        Frames.inject(node, f);
    }

    /** A frame from the test's builder, or {@code null} when the builder itself refuses the fields. */
    private static byte[] build(Frames.Ip ip) {
        try {
            return ip.build();
        } catch (RuntimeException builderRefused) {
            return null;
        }
    }
}
