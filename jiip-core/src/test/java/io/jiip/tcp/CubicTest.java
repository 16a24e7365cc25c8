package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CubicTest {
    private static final int MSS = 1000;
    private static final long SRTT = 100 * MS;


    @Test
    void shouldReduceByBetaAndRecoverTowardsWmaxAlongACubic() {
        // K = cbrt(30 / 0.4) = 4.2 s; within one segment of W_max at ~2.9 s
        Cubic cubic = new Cubic(new CongestionWindow());
        cubic.init(MSS, false, 0);
        long now = 0;
        while (cubic.cwnd() < 100 * MSS) {
            cubic.onAck(MSS, cubic.cwnd(), now, SRTT); // slow start
        }
        int before = cubic.cwnd();
        cubic.onEnterRecovery(before, now);
        cubic.onExitRecovery(before, now);
        assertEquals((int) (before * 0.7), cubic.ssthresh(), "multiplicative decrease by beta = 0.7");
        int reduced = cubic.cwnd();

        // One ACK of one segment every (RTT / cwnd): grow in congestion avoidance for a few seconds.
        int atK = 0;
        int[] samples = new int[100];
        for (int rttIndex = 0; rttIndex < samples.length; rttIndex++) {
            int perRtt = cubic.cwnd() / MSS;
            for (int a = 0; a < perRtt; a++) {
                now += 100 * MS / perRtt;
                cubic.onAck(MSS, cubic.cwnd(), now, SRTT);
            }
            samples[rttIndex] = cubic.cwnd();
            if (atK == 0 && cubic.cwnd() >= before) {
                atK = rttIndex;
            }
        }
        assertTrue(samples[0] >= reduced);
        assertTrue(atK >= 25 && atK <= 45, "concave approach to W_max takes time, reached after " + atK + " RTTs");
        // Concave then convex: growth per RTT shrinks near W_max, then accelerates beyond it.
        int early = samples[2] - samples[1];
        int nearK = samples[atK] - samples[atK - 1];
        int late = samples[99] - samples[98];
        assertTrue(early >= nearK, "concave region: " + early + " vs " + nearK);
        assertTrue(late > nearK, "convex region: " + late + " vs " + nearK);
    }

    @Test
    void shouldCollapseToOneSegmentOnTimeout() {
        Cubic cubic = new Cubic(new CongestionWindow());
        cubic.init(MSS, false, 0);
        for (int i = 0; i < 50; i++) {
            cubic.onAck(MSS, cubic.cwnd(), 0, SRTT);
        }
        int before = cubic.cwnd();
        cubic.onTimeout(before, 0);
        assertEquals(MSS, cubic.cwnd());
        assertEquals((int) (before * 0.7), cubic.ssthresh());
    }

    /** RFC 9438 §5.8: time spent application-limited is not part of t, so the window resumes where it paused. */
    @Test
    void shouldLeaveApplicationLimitedTimeOutOfTheEpoch() {
        Cubic paused = afterOneReduction();
        Cubic steady = afterOneReduction();
        Cubic idleUncounted = afterOneReduction();
        long s = 1_000 * MS;
        paused.onAck(MSS, paused.cwnd(), 2 * s, SRTT); // the epoch starts at 2 s
        steady.onAck(MSS, steady.cwnd(), 2 * s, SRTT);
        idleUncounted.onAck(MSS, idleUncounted.cwnd(), 2 * s, SRTT);

        paused.onAppLimited(3 * s); // 10 s of requests and responses that never fill the window
        paused.onAck(MSS, paused.cwnd(), 13 * s, SRTT);
        steady.onAck(MSS, steady.cwnd(), 3 * s, SRTT);
        idleUncounted.onAck(MSS, idleUncounted.cwnd(), 13 * s, SRTT); // as if the pause had been congestion avoidance

        for (int i = 0; i < 20; i++) {
            paused.onAck(MSS, paused.cwnd(), 13 * s + i * MS, SRTT);
            steady.onAck(MSS, steady.cwnd(), 3 * s + i * MS, SRTT);
            idleUncounted.onAck(MSS, idleUncounted.cwnd(), 13 * s + i * MS, SRTT);
        }
        assertEquals(steady.cwnd(), paused.cwnd(), "the pause moved the epoch along with it");
        assertTrue(idleUncounted.cwnd() > steady.cwnd(), "counting the pause would jump along the cubic: "
                + idleUncounted.cwnd() + " vs " + steady.cwnd());
    }

    private static Cubic afterOneReduction() {
        Cubic cubic = new Cubic(new CongestionWindow());
        cubic.init(MSS, false, 0);
        while (cubic.cwnd() < 100 * MSS) {
            cubic.onAck(MSS, cubic.cwnd(), 0, SRTT);
        }
        cubic.onEnterRecovery(cubic.cwnd(), 0);
        cubic.onExitRecovery(cubic.cwnd(), 0);
        return cubic;
    }

    @Test
    void shouldCountOnlyAFlightThatUsedTheWindowAsLimitedByIt() {
        CongestionWindow window = new CongestionWindow();
        Cubic cubic = new Cubic(window);
        cubic.init(MSS, false, 0);
        int initial = window.cwnd; // 10 segments, slow start
        assertTrue(window.windowLimited(initial / 2), "slow start: half the window in flight is enough");
        assertTrue(!window.windowLimited(initial / 2 - 1));
        cubic.onEnterRecovery(initial, 0);
        cubic.onExitRecovery(initial, 0); // congestion avoidance from here
        int cwnd = window.cwnd;
        assertTrue(window.windowLimited(cwnd) && window.windowLimited(cwnd - MSS + 1));
        assertTrue(!window.windowLimited(cwnd - MSS), "a whole MSS of window unused: application-limited");
    }
}
