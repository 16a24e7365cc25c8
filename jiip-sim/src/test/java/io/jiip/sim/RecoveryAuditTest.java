package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.NicFeatures;
import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import io.jiip.wire.TcpOptions;
import org.junit.jupiter.api.Test;

/**
 * The loss-recovery detector: a timeout is needless exactly when the sender had known, long enough before, that
 * data sent after the hole's last transmission was delivered (RFC 8985 §6.2); every timeout a stack counts is
 * accounted for; egress loss drops TSO super-frames whole; and watching changes nothing on the wire.
 */
class RecoveryAuditTest {
    private static final int ISN = 0x7fff_f000; // close to a wrap, so sequence arithmetic is exercised
    private static final int MSS = 1448;
    private final TcpOptions noSack = new TcpOptions();
    private static final RecoveryThresholds NO_ALLOWANCE = RecoveryThresholds.defaults().timeoutAllowance(0)
            .timeoutsPerEpisode(0);
    private static final RecoveryThresholds ONE_ALLOWED = RecoveryThresholds.defaults().timeoutAllowance(1)
            .timeoutsPerEpisode(0);

    private static RecoveryAudit.Flow flow() {
        RecoveryAudit.Flow f = new RecoveryAudit.Flow("test", true, 0x0a000002, 40000, 5001);
        f.synSent(ISN, true, 0);
        f.peerSack = true;
        return f;
    }

    private static TcpOptions sack(int left, int right) {
        TcpOptions o = new TcpOptions();
        o.sackBlocks = 1;
        o.sackLeft[0] = ISN + 1 + left;
        o.sackRight[0] = ISN + 1 + right;
        return o;
    }

    /** Four segments at 0 µs; the first is lost, the rest SACKed at 30 µs; a 200 ms timeout is needless. */
    @Test
    void timeoutWithTheHoleShownLostBySackIsNeedless() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.us(30), ISN + 1, sack(MSS, 4 * MSS), 0);
        f.sent(Units.ms(200), ISN + 1, MSS, 2); // the timeout's retransmission
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        assertEquals(1, f.timeouts());
        assertEquals(1, f.needlessTimeouts());
        assertEquals(1, f.episodes());
        assertNotNull(f.firstNeedless());
        assertTrue(f.firstNeedless().contains("stream offset 0"), f.firstNeedless());
    }

    /** The tail-probe case of issue 13: a probe of one MSS sent after the hole is SACKed; the timeout is needless. */
    @Test
    void sackedTailProbeMakesTheTimeoutNeedless() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 10 * MSS, 1);
        f.acked(Units.us(30), ISN + 1 + 4 * MSS, noSack, 0); // the last six segments (and their ACKs) are lost
        f.sent(Units.ms(10), ISN + 1 + 10 * MSS, MSS, 2); // the probe: new data
        f.acked(Units.ms(10) + Units.us(30), ISN + 1 + 4 * MSS, sack(10 * MSS, 11 * MSS), 0);
        f.sent(Units.ms(200), ISN + 1 + 4 * MSS, MSS, 3);
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        assertEquals(1, f.needlessTimeouts());
    }

    /**
     * A lost retransmission with nothing sent after it: only the timeout can find it; not needless, and blind (no
     * news since the episode began), so neither counted nor charged against goodput.
     */
    @Test
    void timeoutAfterALostRetransmissionWithNothingLaterIsLegitimateAndBlind() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.us(30), ISN + 1, sack(MSS, 4 * MSS), 1);
        f.sent(Units.us(40), ISN + 1, MSS, 1); // RACK's retransmission, lost too
        f.sent(Units.ms(200), ISN + 1, MSS, 3);
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        assertEquals(0, f.timeouts());
        assertEquals(1, f.blindTimeouts());
        assertEquals(0, f.needlessTimeouts());
        assertNull(f.firstNeedless());
        assertEquals(Units.ms(200) - Units.us(40), f.excusedStallNanos(NO_ALLOWANCE));
    }

    /**
     * Backed-off timeouts with every retransmission lost (a burst of frames, not of time): the first counts, the
     * rest are blind; one whose retransmission brought news (SND.UNA moved) counts again.
     */
    @Test
    void timeoutChainWithoutNewsCountsOnce() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1); // all lost, and no ACK: the episode starts with the timeout
        long at = Units.ms(200);
        for (int i = 0; i < 5; i++) {
            f.sent(at, ISN + 1, MSS, 2 + i);
            f.timeout(at, RecoveryThresholds.defaults());
            at += Units.ms(200) << (i + 1);
        }
        assertEquals(1, f.timeouts());
        assertEquals(4, f.blindTimeouts());
        assertEquals(1, f.maxTimeoutsInEpisode());
        // The sixth retransmission gets through and moves SND.UNA; the next timeout is news-driven, so it counts.
        f.acked(at - Units.ms(100), ISN + 1 + MSS, noSack, 7);
        f.sent(at, ISN + 1 + MSS, MSS, 8);
        f.timeout(at, RecoveryThresholds.defaults());
        assertEquals(2, f.timeouts());
        assertEquals(4, f.blindTimeouts());
    }

    /** An ACK that repeats old news (a duplicate, an old ACK on the peer's data) does not make a timeout count. */
    @Test
    void ackWithoutNewsLeavesTheTimeoutBlind() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.sent(Units.ms(200), ISN + 1, MSS, 2);
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        f.acked(Units.ms(300), ISN + 1, noSack, 3);
        f.sent(Units.ms(600), ISN + 1, MSS, 4);
        f.timeout(Units.ms(600), RecoveryThresholds.defaults());
        assertEquals(1, f.timeouts());
        assertEquals(1, f.blindTimeouts());
    }

    /** A timeout after which the flow sent nothing is never blind: it should have retransmitted. */
    @Test
    void timeoutWithNothingSentSinceTheEpisodeBeganCounts() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.us(30), ISN + 1, sack(3 * MSS, 4 * MSS), 2); // a hole shows; nothing is retransmitted
        f.sent(Units.ms(200), ISN + 1, MSS, 3);
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        assertEquals(1, f.timeouts());
        assertEquals(0, f.blindTimeouts());
        assertEquals(1, f.needlessTimeouts());
    }

    /**
     * A tail loss probe's wait is a timer wait, excused within the budget: the allowance plus one per loss episode
     * (RFC 8985 §7.2: the probe timeout is the sender's, from its own SRTT, and never beyond its RTO).
     */
    @Test
    void probeWaitIsExcusedWithinTheBudget() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.us(20), ISN + 1 + MSS, noSack, 2);
        f.sent(Units.ms(4) + Units.us(20), ISN + 1 + 4 * MSS, MSS, 3); // the probe, after 4 ms of silence
        f.probe(Units.ms(4) + Units.us(20), RecoveryThresholds.defaults());
        assertEquals(1, f.probes());
        assertEquals(Units.ms(4), f.excusedStallNanos(ONE_ALLOWED));
        assertEquals(0, f.excusedStallNanos(NO_ALLOWANCE)); // no loss episode, no allowance
    }

    /** A probe sent long after SACKs had shown the hole lost (RACK's condition) is not excused. */
    @Test
    void needlessProbeIsNotExcused() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.us(30), ISN + 1, sack(MSS, 4 * MSS), 2); // the first segment lost, the rest SACKed
        f.sent(Units.ms(10), ISN + 1 + 4 * MSS, MSS, 3); // a probe instead of RACK's retransmission
        f.probe(Units.ms(10), RecoveryThresholds.defaults());
        assertEquals(1, f.probes());
        assertEquals(0, f.excusedStallNanos(ONE_ALLOWED));
    }

    /**
     * A silence the peer's delayed-ACK timer ended (it held one in-order segment, RFC 5681 §4.2) is a timer wait,
     * excused up to the flow's budget: the allowance, one per loss episode and one per timer event of its own.
     */
    @Test
    void peersDelayedAckIsATimerWaitWithinTheBudget() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 2 * MSS, 1);
        f.acked(Units.us(20), ISN + 1 + 2 * MSS, noSack, 2);
        f.sent(Units.us(30), ISN + 1 + 2 * MSS, MSS, 3); // new data; its ACK is delayed
        f.peerDelayedAckAt = Units.ms(40); // set by the audit when the peer's TCP_DELAYED_ACKS rose
        f.acked(Units.ms(40) + Units.us(10), ISN + 1 + 3 * MSS, noSack, 4);
        assertEquals(1, f.delayedAckWaits());
        assertEquals(0, f.excusedStallNanos(NO_ALLOWANCE));
        assertEquals(Units.ms(40) - Units.us(20), f.excusedStallNanos(ONE_ALLOWED));

        f.sent(Units.ms(41), ISN + 1 + 3 * MSS, MSS, 5); // lost
        f.sent(Units.ms(43), ISN + 1 + 4 * MSS, MSS, 6); // the probe, after 2 ms: new data, in order
        f.probe(Units.ms(43), RecoveryThresholds.defaults());
        f.peerDelayedAckAt = Units.ms(83);
        f.acked(Units.ms(83) + Units.us(10), ISN + 1 + 5 * MSS, noSack, 7);
        assertEquals(2, f.delayedAckWaits());
        assertEquals(Units.ms(40) + Units.us(10), f.excusedStallNanos(NO_ALLOWANCE)); // the probe's event
    }

    /** News that arrived within the guard (two RTTs and a slack) before the timeout does not count. */
    @Test
    void newsTooCloseToTheTimeoutDoesNotCount() {
        RecoveryAudit.Flow f = flow();
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.ms(199.5), ISN + 1, sack(MSS, 4 * MSS), 0);
        f.sent(Units.ms(200), ISN + 1, MSS, 2);
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        assertEquals(0, f.needlessTimeouts());
    }

    /** Without RACK at the sender, SACK news is not judged (RFC 6675 needs DupThresh segments). */
    @Test
    void senderWithoutRackIsNotJudged() {
        RecoveryAudit.Flow f = new RecoveryAudit.Flow("no-rack", false, 0x0a000002, 40000, 5001);
        f.synSent(ISN, true, 0);
        f.peerSack = true;
        f.sent(0, ISN + 1, 4 * MSS, 1);
        f.acked(Units.us(30), ISN + 1, sack(MSS, 4 * MSS), 0);
        f.sent(Units.ms(200), ISN + 1, MSS, 2);
        f.timeout(Units.ms(200), RecoveryThresholds.defaults());
        assertEquals(1, f.timeouts());
        assertEquals(0, f.needlessTimeouts());
    }

    @Test
    void timeoutBudgetGrowsWithLossEpisodes() {
        RecoveryThresholds t = RecoveryThresholds.defaults();
        assertEquals(2, t.allowedTimeouts(0));
        assertEquals(3, t.allowedTimeouts(50));
        assertEquals(12, t.allowedTimeouts(458));
    }

    /**
     * The dc-loss scenario at 5 % loss with 64 KiB send descriptors: the audit accounts for every timeout the
     * stacks count and reports its metrics, whatever the core's recovery does (the thresholds are judged by
     * {@code RecoveryInvariantsTest}).
     */
    @Test
    void scenarioAccountsForEveryTimeoutAndReportsTheMetrics() {
        ScenarioOptions o = new ScenarioOptions().seed(1).set("loss", "5%").set("bytes", "2MiB")
                .set("invariants", "off");
        ScenarioResult r = Scenarios.find("dc-loss").run(o);
        assertTrue(r.ok(), r.report()); // correctness invariants hold; recovery ones are reported only
        double timeouts = r.metric("timeouts");
        assertEquals(timeouts, r.metric("attributed_timeouts") + r.metric("unattributed_timeouts"), r.report());
        assertEquals(0.0, r.metric("unattributed_timeouts"), "one flow per node: every timeout attributed");
        assertTrue(r.metric("needless_timeouts") <= r.metric("attributed_timeouts"), r.report());
        assertTrue(r.metric("episodes") > 0, r.report());
        assertTrue(r.metric("goodput_ratio") > 0, r.report());
        assertTrue(r.report().contains("loss recovery (RecoveryAudit)"), r.report());
        if (r.metric("needless_timeouts") > 0) {
            assertTrue(r.report().contains("where SACK information sufficed"), r.report());
        }
    }

    @Test
    void egressLossDropsWholeTsoSuperFrames() {
        for (boolean tso : new boolean[] {true, false}) {
            Simulation sim = new Simulation(3);
            int f = NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER | (tso ? NicFeatures.TCP_TSO : 0);
            Node a = sim.node("a").nicFeatures(f).egressLoss(Impairments.none().loss(0.05)).build();
            Node b = sim.node("b").nicFeatures(f).build();
            sim.link(a, b).bandwidth(Units.gbps(10)).delay(Units.us(10)).queue(1000).build();
            TcpScript script = TcpScript.bulk(1 << 20).noDelay(true);
            TcpServerApp sink = b.add(new TcpServerApp(5001, script));
            a.add(new TcpClientApp(b, 5001, script).pairWith(sink));
            RecoveryAudit audit = RecoveryAudit.attach(sim, RecoveryThresholds.defaults());
            assertTrue(sim.run());
            long drops = a.nic().egressDrops();
            assertTrue(drops > 0, "tso " + tso);
            if (tso) {
                assertTrue(a.nic().egressDroppedWireFrames() > drops, "super-frames lose all their segments");
            } else {
                assertEquals(drops, a.nic().egressDroppedWireFrames());
            }
            assertEquals(0, sim.links().get(0).forward().lossDrops(), "nothing is lost on the wire");
            assertTrue(audit.total(Counter.TCP_RETRANSMITS) > 0);
            assertTrue(Invariants.check(sim, true).isEmpty());
        }
    }

    @Test
    void watchingChangesNoFrame() {
        String[] digests = new String[2];
        for (int i = 0; i < 2; i++) {
            Simulation sim = new Simulation(5);
            Node a = sim.node("a").nicFeatures(NicFeatures.ALL_CSUM | NicFeatures.TX_SCATTER_GATHER
                    | NicFeatures.TCP_TSO).egressLoss(Impairments.none().gilbertElliott(0.01, 0.3, 0, 1)).build();
            Node b = sim.node("b").build();
            sim.link(a, b).bandwidth(Units.gbps(10)).delay(Units.us(10))
                    .impairBackward(Impairments.none().loss(0.02)).build();
            TcpScript script = TcpScript.bulk(500_000);
            TcpServerApp sink = b.add(new TcpServerApp(5001, script));
            a.add(new TcpClientApp(b, 5001, script).pairWith(sink));
            if (i == 1) {
                RecoveryAudit.attach(sim, RecoveryThresholds.defaults());
            }
            assertTrue(sim.run());
            digests[i] = sim.digest();
        }
        assertEquals(digests[0], digests[1]);
    }
}
