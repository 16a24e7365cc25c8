package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.CongestionAlgorithm;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HyStart++ (RFC 9406) driven with synthetic ACKs: one ACK per MSS, the sender refilling its window after each, so
 * the initial window of 10 MSS makes rounds of 9, 18, 36, ... ACKs and slow start doubles cwnd per round.
 */
class HyStartTest {
    private static final int MSS = 1000;
    private static final int INITIAL_WINDOW = 10 * MSS;

    /** A sender whose ACK clock the test runs; sequence numbers start just below the wrap of the space. */
    private static final class Sender {
        final WindowControl cc;
        int una = -4096;
        int nxt;
        /** The test's own copy of RFC 9406's windowEnd: the SND.NXT an ACK must reach to end the round. */
        int roundEnd = una;

        Sender(WindowControl cc, boolean hyStart) {
            this.cc = cc;
            cc.init(MSS, hyStart, 0);
            nxt = una + cc.cwnd();
        }

        void ack(long rtt) {
            ack(MSS, rtt);
        }

        /** One ACK of {@code bytes} new bytes measuring {@code rtt}; then the window is filled again. */
        void ack(int bytes, long rtt) {
            una += bytes;
            if (Seq.ge(una, roundEnd)) {
                roundEnd = nxt;
            }
            cc.observeRtt(una, nxt, rtt);
            cc.onAck(bytes, nxt - una + bytes, 0, 0);
            nxt = Seq.max(nxt, una + cc.cwnd());
        }

        /** The ACKs of one round, each measuring {@code rtt}, up to the one that would start the next; their count. */
        int round(long rtt) {
            int acks = 0;
            do {
                ack(rtt);
                acks++;
            } while (Seq.lt(una + MSS, roundEnd));
            return acks;
        }

        boolean conservative() {
            return cc.hyStart.conservative();
        }
    }

    private static WindowControl controller(CongestionAlgorithm algorithm) {
        return algorithm == CongestionAlgorithm.CUBIC
                ? new Cubic(new CongestionWindow()) : new NewReno(new CongestionWindow());
    }

    private static Sender newRenoSender() {
        return new Sender(new NewReno(new CongestionWindow()), true);
    }

    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void shouldStayInSlowStartWhileTheRttIsFlat(CongestionAlgorithm algorithm) {
        Sender s = new Sender(controller(algorithm), true);
        int[] acks = new int[5];
        for (int r = 0; r < acks.length; r++) {
            acks[r] = s.round(50 * MS);
        }
        assertEquals("[9, 18, 36, 72, 144]", Arrays.toString(acks), "cwnd doubles every round");
        assertEquals(INITIAL_WINDOW + 279 * MSS, s.cc.cwnd(), "one MSS per ACK, 279 ACKs");
        assertEquals(Integer.MAX_VALUE, s.cc.ssthresh());
        assertFalse(s.conservative());
        assertTrue(s.cc.hyStart.active());
    }

    @Test
    void shouldEnterCssOnTheEighthSampleOfARoundWhoseMinimumRoseByTheThreshold() {
        Sender s = newRenoSender();
        s.round(40 * MS); // 9 ACKs: cwnd 19 MSS
        for (int i = 0; i < 7; i++) {
            s.ack(45 * MS); // 40 ms + 40 / MIN_RTT_DIVISOR = 45 ms: at the threshold
        }
        assertFalse(s.conservative(), "seven samples are not enough (N_RTT_SAMPLE = 8)");
        assertEquals(26_000, s.cc.cwnd());
        s.ack(45 * MS);
        assertTrue(s.conservative());
        assertEquals(26_250, s.cc.cwnd(), "the eighth ACK already grows at the CSS rate");
        assertEquals(Integer.MAX_VALUE, s.cc.ssthresh(), "CSS is still slow start");
    }

    @Test
    void shouldNotCountAcksWithoutAnRttSample() {
        Sender s = newRenoSender();
        s.round(40 * MS);
        for (int i = 0; i < 7; i++) {
            s.ack(60 * MS);
        }
        for (int i = 0; i < 10; i++) {
            s.ack(RttEstimator.NO_SAMPLE);
        }
        assertFalse(s.conservative());
        assertEquals(36_000, s.cc.cwnd(), "19 MSS + 17 ACKs of slow start");
    }

    @ParameterizedTest(name = "last round {0} ms: threshold {1} ms")
    @CsvSource({"10, 4", "40, 5", "200, 16"})
    void shouldScaleTheThresholdWithTheLastRoundsMinimumWithinFourToSixteenMs(long lastMs, long thresholdMs) {
        Sender below = newRenoSender();
        below.round(lastMs * MS);
        below.round((lastMs + thresholdMs) * MS - 1);
        assertFalse(below.conservative(), "1 ns short of the threshold");
        Sender at = newRenoSender();
        at.round(lastMs * MS);
        at.round((lastMs + thresholdMs) * MS);
        assertTrue(at.conservative());
    }

    @Test
    void shouldGrowAQuarterAsFastInCssAndAtMostEightMssPerAck() {
        Sender s = newRenoSender();
        s.round(40 * MS);
        s.round(40 * MS);
        int before = s.cc.cwnd();
        s.ack(20 * MSS, 45 * MS); // a stretch ACK starts the third round
        assertEquals(before + 8 * MSS, s.cc.cwnd(), "slow start: min(N, L * SMSS) with L = 8 (RFC 9406 §4.3)");
        s.round(45 * MS); // the rest of the third round: CSS from its eighth sample
        assertTrue(s.conservative());
        before = s.cc.cwnd();
        s.ack(45 * MS);
        assertEquals(before + MSS / 4, s.cc.cwnd(), "CSS: a quarter of an MSS for an MSS acknowledged");
        before = s.cc.cwnd();
        s.ack(20 * MSS, 45 * MS);
        assertEquals(before + 2 * MSS, s.cc.cwnd(), "CSS: min(N, L * SMSS) / CSS_GROWTH_DIVISOR");
    }

    @Test
    void shouldResumeSlowStartWhenTheRttFallsBelowTheCssBaseline() {
        Sender s = newRenoSender();
        s.round(40 * MS);
        assertEquals(18, s.round(45 * MS)); // CSS from the 8th of 18 ACKs: 19 MSS + 7 MSS + 11 * MSS / 4
        assertTrue(s.conservative());
        assertEquals(28_750, s.cc.cwnd());
        for (int i = 0; i < 7; i++) {
            s.ack(44 * MS); // below the 45 ms baseline, but seven samples are not enough
        }
        assertTrue(s.conservative());
        assertEquals(30_500, s.cc.cwnd());
        s.ack(44 * MS);
        assertFalse(s.conservative(), "the exit was spurious: slow start again");
        assertEquals(31_500, s.cc.cwnd());
        assertEquals(Integer.MAX_VALUE, s.cc.ssthresh());
    }

    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void shouldLeaveSlowStartWithSsthreshAtCwndAfterFiveCssRounds(CongestionAlgorithm algorithm) {
        Sender s = new Sender(controller(algorithm), true);
        s.round(40 * MS);
        s.round(45 * MS); // CSS round 1: the partial round CSS began in (RFC 9406 §4.2)
        int[] cwndAfter = new int[4];
        for (int r = 0; r < cwndAfter.length; r++) { // CSS rounds 2 to 5, 25% growth each
            s.round(45 * MS);
            assertTrue(s.conservative());
            cwndAfter[r] = s.cc.cwnd();
        }
        assertEquals("[35750, 44500, 55500, 69250]", Arrays.toString(cwndAfter));
        assertEquals(Integer.MAX_VALUE, s.cc.ssthresh());
        s.ack(45 * MS); // ends the fifth CSS round
        assertFalse(s.cc.hyStart.active());
        assertEquals(69_250, s.cc.ssthresh(), "congestion avoidance from the window CSS reached");
        assertEquals(69_250, s.cc.cwnd(), "one ACK in congestion avoidance adds less than an MSS");
        s.round(80 * MS);
        s.round(80 * MS);
        assertEquals(69_250, s.cc.ssthresh(), "HyStart++ is done: an RTT rise changes nothing");
        assertTrue(s.cc.cwnd() < 69_250 + 3 * MSS, "congestion avoidance: " + s.cc.cwnd());
    }

    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void shouldEndForTheConnectionOnALossAndLeaveSsthreshToTheLossResponse(CongestionAlgorithm algorithm) {
        Sender s = new Sender(controller(algorithm), true);
        s.round(40 * MS);
        s.round(45 * MS);
        assertTrue(s.conservative());
        int flight = s.nxt - s.una;
        s.cc.onTimeout(flight, 0);
        assertFalse(s.cc.hyStart.active());
        assertEquals(MSS, s.cc.cwnd());
        int expectedSsthresh = algorithm == CongestionAlgorithm.CUBIC ? (int) (28_750 * 0.7) : flight / 2;
        assertEquals(expectedSsthresh, s.cc.ssthresh(), "the loss response of " + algorithm);
        s.ack(5 * MSS, 45 * MS);
        assertEquals(3 * MSS, s.cc.cwnd(), "standard slow start: at most 2 MSS per ACK (RFC 3465)");
        s.round(45 * MS);
        s.round(90 * MS);
        assertFalse(s.conservative());
    }

    @Test
    void shouldEndOnFastRetransmitToo() {
        Sender s = newRenoSender();
        s.round(40 * MS);
        int flight = s.nxt - s.una;
        s.cc.onEnterRecovery(flight, 0);
        assertFalse(s.cc.hyStart.active());
        assertEquals(flight / 2, s.cc.ssthresh());
    }

    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void shouldDoNothingWhenDisabled(CongestionAlgorithm algorithm) {
        Sender s = new Sender(controller(algorithm), false);
        int[] acks = new int[5];
        for (int r = 0; r < acks.length; r++) {
            acks[r] = s.round((40 + 20 * r) * MS); // a rise of 20 ms a round
        }
        assertEquals("[9, 18, 36, 72, 144]", Arrays.toString(acks));
        assertEquals(INITIAL_WINDOW + 279 * MSS, s.cc.cwnd(), "plain slow start throughout");
        assertEquals(Integer.MAX_VALUE, s.cc.ssthresh());
        assertFalse(s.cc.hyStart.active());
        int before = s.cc.cwnd();
        s.ack(20 * MSS, 200 * MS);
        assertEquals(before + 2 * MSS, s.cc.cwnd(), "RFC 3465 byte counting, L = 2");
    }
}
