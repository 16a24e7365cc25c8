package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.LinkType;
import io.jiip.api.NicFeatures;
import io.jiip.api.Result;
import io.jiip.api.TcpEvents;
import io.jiip.link.PcapWriter;
import io.jiip.testkit.ByteStream;
import io.jiip.testkit.Pcap;
import io.jiip.testkit.TestNet;
import io.jiip.testkit.WireCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every combination of the NIC offloads TCP uses (checksum, TSO, scatter-gather on the sender; checksum and LRO on
 * the receiver) moves a byte stream intact, and the wire never carries a wrong checksum.
 */
class TcpOffloadTest {
    private static final int BYTES = 3_000_000;

    @TempDir
    Path dir;

    static Stream<int[]> combinations() {
        List<int[]> all = new ArrayList<>();
        int[] senders = {0, NicFeatures.ALL_CSUM, NicFeatures.ALL_CSUM | NicFeatures.TCP_TSO,
            NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER,
            NicFeatures.ALL_CSUM | NicFeatures.TCP_TSO | NicFeatures.TX_SCATTER_GATHER, NicFeatures.TX_SCATTER_GATHER};
        int[] receivers = {0, NicFeatures.ALL_CSUM, NicFeatures.ALL_CSUM | NicFeatures.LRO};
        for (int s : senders) {
            for (int r : receivers) {
                all.add(new int[] {s, r});
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "sender {0} receiver {1}")
    @MethodSource("combinations")
    void shouldMoveBytesIntactWithEveryOffloadCombination(int[] features) throws Exception {
        int senderFeatures = features[0];
        int receiverFeatures = features[1];
        TestNet net = TestNet.twoNodes();
        net.a().port.features(senderFeatures);
        net.b().port.features(receiverFeatures);
        Path file = dir.resolve("offload.pcap");
        PcapWriter pcap = PcapWriter.create(file, LinkType.ETHERNET);
        net.link.capture(pcap);

        ByteStream stream = new ByteStream(senderFeatures * 31L + receiverFeatures, BYTES, 1, 20_000);
        assertEquals(Result.OK, net.b().stack.tcpListen(9000, 4, stream.sink()));
        int conn = net.a().stack.tcpConnect(B, 9000, 0, new TcpEvents<>() { }, null);
        net.pump();
        for (int round = 0; round < 100_000 && !stream.done(); round++) {
            stream.fill(net.a(), conn);
            net.advance(1_000_000L);
        }
        assertEquals(BYTES, stream.receivedBytes());
        assertTrue(stream.exact(), "SHA-256 of the stream");
        boolean tso = (senderFeatures & NicFeatures.TCP_TSO) != 0;
        long segments = net.a().stack.stats().get(Counter.TCP_TX);
        long frames = net.b().stack.stats().get(Counter.RX_FRAMES);
        if (tso) {
            assertTrue(segments * 2 < BYTES / 1448, "super-segments: " + segments + " for " + BYTES + " bytes");
        }
        if ((receiverFeatures & NicFeatures.LRO) != 0) {
            assertTrue(net.b().port.coalesced() > 0, "LRO merged nothing");
            assertTrue(frames * 2 < BYTES / 1448, "receiver saw " + frames + " frames");
        }
        assertEquals(0, net.a().stack.stats().totalDrops(), net.a().stack.stats().toString());
        assertEquals(0, net.b().stack.stats().totalDrops());
        pcap.close();
        Pcap capture = Pcap.read(file);
        for (int i = 0; i < capture.records.size(); i++) {
            assertEquals(List.of(), WireCheck.checksumErrors(capture.records.get(i).data, 14), "frame " + (i + 1));
        }
        net.assertNoLeaks();
    }
}
