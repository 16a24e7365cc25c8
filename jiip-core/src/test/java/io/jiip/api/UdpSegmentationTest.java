package io.jiip.api;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.link.Packet;
import io.jiip.testkit.TestNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code udpSendSegmented}: the same datagrams arrive whether the NIC splits (UDP GSO) or the stack does. */
class UdpSegmentationTest {
    @ParameterizedTest(name = "features {0}")
    @ValueSource(ints = {0, NicFeatures.TX_SCATTER_GATHER, NicFeatures.ALL_CSUM | NicFeatures.UDP_GSO,
        NicFeatures.ALL_CSUM | NicFeatures.UDP_GSO | NicFeatures.TX_SCATTER_GATHER})
    void shouldDeliverEverySegmentAsItsOwnDatagram(int features) {
        TestNet net = TestNet.twoNodes(b -> { }, features);
        List<byte[]> got = new ArrayList<>();
        net.b().stack.udpBind(53, (s, p, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] b = new byte[len];
            p.buffer().get(off, b);
            got.add(b);
        });
        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + i / 251);
        }
        Packet payload = net.a().pool.alloc(data.length);
        payload.buffer().put(payload.offset(), data);
        net.a().pool.length(payload, data.length);
        assertEquals(Result.OK, net.a().stack.udpSendSegmented(payload, 1000, B, 53, 1400, Stack.RESOLVE));
        net.pump();

        assertEquals(8, got.size());
        for (int i = 0; i < 8; i++) {
            int from = i * 1400;
            assertArrayEquals(Arrays.copyOfRange(data, from, Math.min(data.length, from + 1400)), got.get(i));
        }
        long frames = net.a().stack.stats().get(Counter.UDP_TX);
        assertEquals((features & NicFeatures.UDP_GSO) != 0 ? 1 : 8, frames, "datagrams the stack built");
        assertEquals(0, net.b().stack.stats().totalDrops());
        net.assertNoLeaks();
    }
}
