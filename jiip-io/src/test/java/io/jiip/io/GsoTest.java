package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.RxChecksum;
import io.jiip.link.NicEmulation;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Bytes;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Splitting received GSO super-frames into MSS segments (no device needed). */
class GsoTest {
    final PacketPool pool = PacketPool.builder().packets(512).small(256, 2048).large(4, 65536 + 256).build();

    @ParameterizedTest(name = "trust kernel checksum: {0}")
    @ValueSource(booleans = {true, false})
    void shouldSplitIntoMssSegmentsWithFixedHeaders(boolean trust) {
        int payload = 10_000;
        int mss = 1448;
        int flags = TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH | TcpHeader.FLAG_FIN | TcpHeader.FLAG_CWR;
        Packet sf = TestFrames.tcp(pool, payload, 1_000_000, flags, true);
        Packet[] out = new Packet[Gso.MAX_SEGMENTS];
        int n = Gso.split(pool, sf, VirtioNetHeader.GSO_TCPV4, mss, trust, out);
        assertEquals(7, n);
        int seq = 1_000_000;
        int data = 0;
        for (int i = 0; i < n; i++) {
            Packet s = out[i];
            int ip = s.offset() + EthernetHeader.LENGTH;
            int t = ip + Ipv4Header.MIN_LENGTH;
            int chunk = Math.min(mss, payload - i * mss);
            assertEquals(TestFrames.L4 + 32 + chunk, s.length());
            assertEquals(Ipv4Header.MIN_LENGTH + 32 + chunk, Ipv4Header.totalLength(s.buffer(), ip));
            assertEquals(0x1234 + i, Bytes.u16(s.buffer(), ip + Ipv4Header.Offset.IDENTIFICATION));
            assertEquals(seq, TcpHeader.seq(s.buffer(), t));
            int f = TcpHeader.flags(s.buffer(), t);
            assertEquals(i == n - 1, (f & TcpHeader.FLAG_FIN) != 0, "FIN on the last only");
            assertEquals(i == n - 1, (f & TcpHeader.FLAG_PSH) != 0, "PSH on the last only");
            assertEquals(i == 0, (f & TcpHeader.FLAG_CWR) != 0, "CWR on the first only");
            assertEquals(0x0101_080a, Bytes.i32(s.buffer(), t + 20), "options copied");
            for (int k = 0; k < chunk; k++) {
                assertEquals((byte) ((data + k) * 7), s.buffer().get(t + 32 + k));
            }
            int verdict = NicEmulation.verifyRx(s.buffer(), s.offset(), s.length(), EthernetHeader.LENGTH);
            if (trust) {
                assertEquals(RxChecksum.L4_GOOD, s.rxChecksum());
                assertEquals(RxChecksum.IPV4_GOOD, verdict & (RxChecksum.IPV4_GOOD | RxChecksum.IPV4_BAD));
            } else {
                assertEquals(RxChecksum.NONE, s.rxChecksum());
                assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD, verdict, "segment " + i);
            }
            seq += chunk;
            data += chunk;
            pool.free(s);
        }
        assertEquals(payload, data);
        assertEquals(0, pool.inUse(), "the super-frame is freed");
    }

    @ParameterizedTest(name = "gso type {0}")
    @ValueSource(ints = {VirtioNetHeader.GSO_TCPV6, VirtioNetHeader.GSO_UDP, VirtioNetHeader.GSO_UDP_L4})
    void shouldRefuseWhatJiipDoesNotSpeak(int type) {
        Packet sf = TestFrames.tcp(pool, 3000, 1, TcpHeader.FLAG_ACK, true);
        assertEquals(-1, Gso.split(pool, sf, type, 1448, true, new Packet[Gso.MAX_SEGMENTS]));
        assertEquals(0, pool.inUse());
    }

    @ParameterizedTest(name = "pool of {0} small slots")
    @ValueSource(ints = {0, 3})
    void shouldStopWhenThePoolRunsDry(int free) {
        PacketPool small = PacketPool.builder().packets(64).small(free, 2048).large(2, 65536 + 256).build();
        Packet sf = TestFrames.tcp(small, 10_000, 1, TcpHeader.FLAG_ACK, true);
        Packet[] out = new Packet[Gso.MAX_SEGMENTS];
        assertEquals(free, Gso.split(small, sf, VirtioNetHeader.GSO_TCPV4, 1448, true, out));
        for (int i = 0; i < free; i++) {
            small.free(out[i]);
        }
        assertEquals(0, small.inUse());
    }
}
