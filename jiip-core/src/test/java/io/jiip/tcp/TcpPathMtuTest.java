package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.connected;
import static io.jiip.testkit.TcpFixtures.send;
import static io.jiip.testkit.TcpPeer.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Stats;
import io.jiip.api.TcpInfo;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TcpPeer;
import io.jiip.testkit.TcpPeer.Seg;
import io.jiip.wire.TcpOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Path MTU discovery for TCP (RFC 1191 §6.4) and the validation of the ICMP errors that drive it (RFC 5927 §7.2):
 * a scripted peer connected to a stack that serves on port 80 and sends two full segments, unacknowledged.
 */
class TcpPathMtuTest {
    /** Two full segments (1,460 minus the timestamp option): Nagle holds nothing back. */
    private static final int DATA = 2 * 1448;
    /** Payload per segment on a 1,000-byte path: the MTU minus IPv4, TCP and the timestamp option. */
    private static final int SMALL_MSS = 1000 - 40 - TcpOptions.TIMESTAMPS_ALIGNED_LENGTH;

    private final RecordingApp[] server = new RecordingApp[1];
    private final TcpPeer peer = connected(b -> { }, server);

    private Stats stats() {
        return peer.net.a().stack.stats();
    }

    /** The stack sends {@value #DATA} bytes; returns the segments it sent (none acknowledged). */
    private List<Seg> sendData() {
        send(peer.net.a(), server[0].conn, "d".repeat(DATA));
        peer.net.pump();
        List<Seg> sent = peer.drain();
        assertEquals(DATA, sent.stream().mapToInt(s -> s.payload().length).sum());
        return sent;
    }

    @Test
    void shouldResendInFlightDataAtTheSmallerSegmentSize() {
        List<Seg> sent = sendData();
        int first = sent.get(0).seq();
        TcpInfo before = new TcpInfo();
        peer.net.a().stack.tcpInfo(server[0].conn, before);

        peer.sendFragmentationNeeded(1000, first);

        assertEquals(1000, peer.net.a().stack.pathMtu(peer.ip));
        assertEquals(1, stats().get(Counter.TCP_PATH_MTU_REDUCTIONS));
        List<Seg> resent = peer.drain();
        int seq = first;
        for (Seg s : resent) {
            assertEquals(ACK, s.flags() & ~TcpPeer.PSH, s.toString());
            assertEquals(seq, s.seq(), "resent in order from SND.UNA");
            assertTrue(s.payload().length <= SMALL_MSS, "fits the new path: " + s);
            seq += s.payload().length;
        }
        assertEquals(first + DATA, seq, "everything in flight is resent at once, without waiting for the RTO");
        assertEquals(0, stats().get(Counter.TCP_TIMEOUTS));
        TcpInfo after = new TcpInfo();
        peer.net.a().stack.tcpInfo(server[0].conn, after);
        assertEquals(SMALL_MSS, after.mss);
        assertEquals(before.cwnd, after.cwnd, "a size problem, not congestion: the window stays");

        peer.rcvNxt = first + DATA;
        peer.ack();
        peer.net.pump();
        peer.net.a().stack.tcpInfo(server[0].conn, after);
        assertEquals(0, after.bytesInFlight);
        peer.net.assertNoLeaks();
    }

    /**
     * {@code Stack.pathMtu} judges expiry (RFC 1191 §6.3) at the time of the call, not at the last run's: it once
     * read the stack's clock without a frame and kept a reduction alive until the next run.
     */
    @Test
    void shouldExpireAReducedPathMtuAtTheTimeOfTheCall() {
        List<Seg> sent = sendData();
        peer.sendFragmentationNeeded(1000, sent.get(0).seq());
        assertEquals(1000, peer.net.a().stack.pathMtu(peer.ip));
        peer.net.clock.advance(peer.net.a().stack.config().pathMtuLifetimeNanos() + 1);
        assertEquals(1500, peer.net.a().stack.pathMtu(peer.ip), "expired, though no run came since");
    }

    @Test
    void shouldIgnoreErrorsQuotingDataNotInFlight() {
        List<Seg> sent = sendData();
        int first = sent.get(0).seq();

        peer.sendFragmentationNeeded(1000, first + DATA); // SND.MAX: nothing sent there yet
        peer.sendFragmentationNeeded(1000, first - 1); // already acknowledged (the SYN)
        peer.sendFragmentationNeeded(1000, first + 1_000_000); // a blind guess

        assertEquals(3, stats().get(Counter.ICMP_FRAG_NEEDED_RX));
        assertEquals(3, stats().get(Counter.ICMP_ERRORS_IGNORED));
        assertEquals(1500, peer.net.a().stack.pathMtu(peer.ip), "forged reports leave the path MTU alone");
        assertEquals(0, stats().get(Counter.TCP_PATH_MTU_REDUCTIONS));
        assertEquals(List.of(), peer.drain(), "and trigger no retransmission");
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldIgnoreErrorsAboutConnectionsThatDoNotExist() {
        sendData();
        peer.ports(6001, 80); // no such connection
        peer.sendFragmentationNeeded(600, 12345);

        assertEquals(1, stats().get(Counter.ICMP_ERRORS_IGNORED));
        assertEquals(1500, peer.net.a().stack.pathMtu(peer.ip));
        peer.net.assertNoLeaks();
    }

    @Test
    void shouldKeepTheSegmentSizeWhenThePathIsNotSmaller() {
        List<Seg> sent = sendData();
        peer.sendFragmentationNeeded(1500, sent.get(0).seq());

        assertEquals(0, stats().get(Counter.ICMP_ERRORS_IGNORED));
        assertEquals(0, stats().get(Counter.TCP_PATH_MTU_REDUCTIONS));
        assertEquals(List.of(), peer.drain());
        peer.net.assertNoLeaks();
    }
}
