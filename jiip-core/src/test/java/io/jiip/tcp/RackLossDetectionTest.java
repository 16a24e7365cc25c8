package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.TcpConfig;
import io.jiip.api.TcpState;
import io.jiip.wire.TcpOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RACK (RFC 8985 §6) with concrete numbers: a connection whose send queue holds 1000-byte segments, a minimum
 * RTT of 40 ms (so a reordering window of 10 ms), and ACKs fed by hand.
 */
class RackLossDetectionTest {
    private static final int MSS = 1000;
    private static final int UNA = 0x7fff_fc00; // close to wrap-around on purpose
    private static final long T0 = 5_000 * MS;
    private static final long MIN_RTT = 40 * MS;

    private SegmentPool segs;
    private RackLossDetection rack;
    private TcpConnection<Object> c;
    private int[] seg;

    @BeforeEach
    void setUp() {
        TcpConfig cfg = TcpConfig.builder().build();
        segs = new SegmentPool(64);
        rack = new RackLossDetection(segs);
        c = TcpConnection.<Object>table(1)[0];
        c.reset(cfg);
        c.state = TcpState.ESTABLISHED;
        c.mss = MSS;
        c.sackPermitted = true;
        c.rack = true;
        c.iss = UNA - 1;
        c.sndUna = c.sndNxt = c.sndMax = UNA;
        c.recover = UNA - 1;
        new RttEstimator(cfg.minRtoNanos(), cfg.maxRtoNanos()).sample(c, MIN_RTT);
        RackLossDetection.sampleMinRtt(c, MIN_RTT, T0);
        seg = new int[8];
        for (int i = 0; i < seg.length; i++) {
            seg[i] = segs.alloc(null, UNA + i * MSS, 0, MSS);
            if (i == 0) {
                c.sendHead = seg[i];
            } else {
                segs.next(seg[i - 1], seg[i]);
            }
            c.sendTail = seg[i];
            c.queued += MSS;
        }
    }

    /** Segment {@code i} goes out at {@code T0 + ms}, for the first time or again. */
    private void send(int i, long ms) {
        int seq = UNA + i * MSS;
        boolean again = Seq.lt(seq, c.sndMax);
        segs.markSent(seg[i], T0 + ms * MS, again, seq, seq + MSS);
        c.sndMax = Seq.max(c.sndMax, seq + MSS);
        c.sndNxt = c.sndMax;
    }

    /** An ACK at {@code T0 + ms} acknowledging up to segment {@code ackUpTo} (exclusive), SACKing {@code sacked}. */
    private boolean ack(long ms, int ackUpTo, int... sacked) {
        TcpOptions o = new TcpOptions();
        for (int i : sacked) {
            o.sackLeft[o.sackBlocks] = UNA + i * MSS;
            o.sackRight[o.sackBlocks] = UNA + (i + 1) * MSS;
            o.sackBlocks++;
        }
        return ackWith(ms, ackUpTo, o);
    }

    private boolean ackWith(long ms, int ackUpTo, TcpOptions o) {
        int ackedFrom = c.sndUna;
        int ack = UNA + ackUpTo * MSS;
        rack.detectReordering(c, ackedFrom, ack, o); // before the scoreboard takes the ACK in, as TcpInput does
        if (Seq.gt(ack, c.sndUna)) {
            c.sndUna = ack;
            c.scoreboard.advance(ack);
        }
        for (int b = 0; b < o.sackBlocks; b++) {
            c.scoreboard.add(o.sackLeft[b], o.sackRight[b], c.sndUna, c.sndMax);
        }
        c.sacked = c.scoreboard.ranges() > 0;
        return rack.onAck(c, ack, o, T0 + ms * MS);
    }

    private boolean lost(int i) {
        return (segs.flags(seg[i]) & SegmentPool.ANY_LOSS) != 0;
    }

    @Test
    void shouldMarkLostWhatWasSentAnRttPlusTheWindowBeforeADeliveredSegmentAndTimeTheRest() {
        send(0, 0);
        send(1, 10);
        send(2, 25);
        send(3, 30);
        assertEquals(10 * MS, RackLossDetection.reorderingWindow(c), "min RTT / 4: no reordering seen yet");
        // Segment 3 is SACKed at 70 ms: RACK.rtt = 40 ms. Segment 0 was sent 0 + 40 + 10 - 70 = 20 ms too early,
        // segment 1 by 10 ms: lost. Segment 2 would be lost 25 + 40 + 10 - 70 = 5 ms from now.
        assertTrue(ack(70, 0, 3));
        assertEquals(T0 + 30 * MS, c.rackXmitTs);
        assertEquals(40 * MS, c.rackRtt);
        assertTrue(lost(0));
        assertTrue(lost(1));
        assertFalse(lost(2));
        assertEquals(T0 + 75 * MS, c.rackAt, "the reordering timer runs for exactly the remaining 5 ms");
        assertEquals(MSS, rack.pipe(c), "segment 2 is in flight, 0 and 1 are lost, 3 was delivered");

        assertTrue(rack.detectLoss(c, T0 + 75 * MS), "the timer fires: segment 2 is lost too");
        assertTrue(lost(2));
        assertEquals(Long.MAX_VALUE, c.rackAt);
        assertEquals(0, rack.pipe(c));
        assertTrue(rack.findLost(c));
        assertEquals(UNA, rack.lostSeq);
        assertEquals(MSS, rack.lostLen);
    }

    @Test
    void shouldNotMarkWhatWasSentAfterTheDeliveredSegment() {
        send(0, 0);
        send(1, 0);
        send(2, 0); // same clock reading: the sequence order breaks the tie (RFC 8985 §6.2)
        assertFalse(ack(40, 0, 1), "segment 0 may still come within the window");
        assertFalse(lost(0));
        assertFalse(lost(2), "sent after segment 1");
        assertEquals(T0 + 50 * MS, c.rackAt);
    }

    @Test
    void shouldDetectALostRetransmissionAgain() {
        for (int i = 0; i < 4; i++) {
            send(i, 0);
        }
        c.inRecovery = true; // in recovery and no reordering seen: no window
        c.recover = UNA + 4 * MSS;
        assertTrue(ack(40, 0, 1, 2, 3));
        assertTrue(lost(0));
        send(0, 41); // the retransmission clears the mark and renews the transmission time
        c.highRxt = UNA + MSS; // RFC 6675 HighRxt: DupThresh no longer applies to it in this recovery
        send(4, 42); // new data after it
        assertFalse(lost(0));
        assertFalse(ack(60, 0, 1, 2, 3), "nothing sent after the retransmission was delivered yet");
        assertFalse(lost(0));
        assertTrue(ack(82, 0, 4), "new data sent after the retransmission came back");
        assertTrue(lost(0), "so the retransmission is lost");
        assertTrue(rack.findLost(c));
        assertEquals(UNA, rack.lostSeq);
    }

    @Test
    void shouldIgnoreAmbiguousRttSamplesOfRetransmittedSegments() {
        send(0, 0);
        send(1, 0);
        ack(40, 0, 1);
        assertEquals(T0, c.rackXmitTs);
        send(0, 100);
        // The cumulative ACK comes 10 ms after the retransmission, less than the minimum RTT: it answers the
        // original (RFC 8985 §6.2 step 2), so RACK keeps its reference.
        ack(110, 2);
        assertEquals(T0, c.rackXmitTs);
        assertEquals(40 * MS, c.rackRtt);

        // With timestamps, the echoed TSval tells: an echo older than the retransmission is ignored too.
        ackRetransmissionEchoing(T0); // the TSval of the original
        assertEquals(T0, c.rackXmitTs, "ambiguous: the echo is the original's");

        ackRetransmissionEchoing(T0 + 100 * MS); // the TSval of the retransmission
        assertEquals(T0 + 100 * MS, c.rackXmitTs, "the echo names the retransmission: a valid sample");
        assertEquals(50 * MS, c.rackRtt);
    }

    /**
     * On a fresh connection with timestamps: segments 0 and 1 sent at T0, 1 SACKed at 40 ms, 0 retransmitted at
     * 100 ms; then the cumulative ACK at 150 ms echoes the TSval of time {@code echoed}.
     */
    private void ackRetransmissionEchoing(long echoed) {
        setUp();
        c.timestamps = true;
        send(0, 0);
        send(1, 0);
        ack(40, 0, 1);
        send(0, 100);
        TcpOptions echo = new TcpOptions();
        echo.timestamps = true;
        echo.tsEcr = (int) (echoed / MS) + c.tsOffset;
        ackWith(150, 2, echo);
    }

    @Test
    void shouldOpenTheWindowOnceReorderingIsSeenAndGrowItOnDsacks() {
        for (int i = 0; i < 6; i++) {
            send(i, 0);
        }
        c.inRecovery = true;
        c.recover = UNA + 6 * MSS;
        assertEquals(0, RackLossDetection.reorderingWindow(c), "in recovery without reordering: no window");
        ack(40, 0, 2);
        assertFalse(c.rackReorderingSeen);
        ack(41, 0, 1, 2); // segment 1, never retransmitted, delivered below RACK.fack: reordering
        assertTrue(c.rackReorderingSeen);
        assertEquals(10 * MS, RackLossDetection.reorderingWindow(c), "min RTT / 4, even in recovery");

        // A D-SACK (RFC 2883: a block below the cumulative ACK) grows the window once per round trip.
        TcpOptions dsack = new TcpOptions();
        dsack.sackBlocks = 1;
        dsack.sackLeft[0] = UNA;
        dsack.sackRight[0] = UNA + MSS;
        ackWith(50, 3, dsack);
        assertEquals(2, c.rackReoWndMult);
        assertEquals(20 * MS, RackLossDetection.reorderingWindow(c));
        ackWith(51, 3, dsack);
        assertEquals(2, c.rackReoWndMult, "the same round: no further growth");
        ack(60, 6); // SND.UNA passes the round's end (SND.NXT when it grew)
        ackWith(61, 6, dsack);
        assertEquals(3, c.rackReoWndMult);
        assertEquals(30 * MS, RackLossDetection.reorderingWindow(c));
        c.rackReoWndMult = 9;
        assertEquals(40 * MS, RackLossDetection.reorderingWindow(c), "bounded by SRTT");

        // RFC 8985 §6.2 step 4: 16 recoveries without a D-SACK, and it is back to one quarter of the minimum RTT.
        for (int i = 0; i < 15; i++) {
            RackLossDetection.onRecoveryExit(c);
        }
        assertEquals(9, c.rackReoWndMult);
        RackLossDetection.onRecoveryExit(c);
        assertEquals(1, c.rackReoWndMult);
        assertEquals(10 * MS, RackLossDetection.reorderingWindow(c));
    }

    @Test
    void shouldTakeOnlyLateArrivalsForReordering() {
        for (int i = 0; i < 8; i++) {
            send(i, 0);
        }
        // Segment 0 is lost and retransmitted; 1..3 are SACKed; 5 is SACKed in an ACK whose first block is 5, and
        // 4 shows up later in a second block only (a receiver with more holes than blocks did not report it).
        ack(40, 0, 1, 2, 3);
        ack(41, 0, 5);
        TcpOptions repeat = new TcpOptions();
        repeat.sackBlocks = 2;
        repeat.sackLeft[0] = UNA + 6 * MSS;
        repeat.sackRight[0] = UNA + 7 * MSS;
        repeat.sackLeft[1] = UNA + MSS;
        repeat.sackRight[1] = UNA + 5 * MSS;
        ackWith(42, 0, repeat);
        assertFalse(c.rackReorderingSeen, "a second block is no news of reordering");
        send(0, 43);
        ack(90, 8);
        assertFalse(c.rackReorderingSeen, "the cumulative ACK after a retransmission filled the hole");

        setUp();
        for (int i = 0; i < 4; i++) {
            send(i, 0);
        }
        ack(40, 0, 2, 3);
        ack(41, 0, 1);
        assertTrue(c.rackReorderingSeen, "segment 1, sent once, arrived after 2 and 3 (first block)");

        setUp();
        for (int i = 0; i < 4; i++) {
            send(i, 0);
        }
        ack(40, 0, 1, 2);
        ack(41, 3);
        assertTrue(c.rackReorderingSeen, "segment 0, sent once, arrived after 1 and 2 (cumulative ACK)");
    }

    @Test
    void shouldSeeReorderingWithinOneLargeDescriptor() {
        segs = new SegmentPool(4);
        rack = new RackLossDetection(segs);
        int d = segs.alloc(null, UNA, 0, 8 * MSS);
        c.sendHead = c.sendTail = d;
        c.queued = 8 * MSS;
        segs.markSent(d, T0, false, UNA, UNA + 8 * MSS);
        c.sndNxt = c.sndMax = UNA + 8 * MSS;
        ack(40, 0, 3); // bytes 3000..4000 first
        assertFalse(c.rackReorderingSeen);
        ack(41, 0, 1); // then 1000..2000, below them, of the same application packet
        assertTrue(c.rackReorderingSeen);
    }

    @Test
    void shouldCloseTheWindowWithoutReorderingOnceDupThreshSegmentsAreSacked() {
        for (int i = 0; i < 5; i++) {
            send(i, 0);
        }
        assertFalse(ack(40, 0, 1, 2));
        assertEquals(10 * MS, RackLossDetection.reorderingWindow(c));
        assertTrue(ack(41, 0, 1, 2, 3), "three segments SACKed (RFC 8985 §6.2 step 4: DupThresh)");
        assertEquals(0, RackLossDetection.reorderingWindow(c));
        assertTrue(lost(0));
    }

    @Test
    void shouldApplyDupThreshByteByByteWithinOneLargeDescriptor() {
        // One 8000-byte application packet: a lost first segment is followed only by bytes of the same descriptor,
        // which RACK cannot call delivered; RFC 6675's IsLost finds it, and only it.
        segs = new SegmentPool(4);
        rack = new RackLossDetection(segs);
        TcpConfig cfg = TcpConfig.builder().build();
        c = TcpConnection.<Object>table(1)[0];
        c.reset(cfg);
        c.state = TcpState.ESTABLISHED;
        c.mss = MSS;
        c.sackPermitted = c.rack = true;
        c.iss = UNA - 1;
        c.sndUna = UNA;
        c.recover = UNA - 1;
        int d = segs.alloc(null, UNA, 0, 8 * MSS);
        c.sendHead = c.sendTail = d;
        c.queued = 8 * MSS;
        segs.markSent(d, T0, false, UNA, UNA + 8 * MSS);
        c.sndNxt = c.sndMax = UNA + 8 * MSS;
        TcpOptions o = new TcpOptions();
        o.sackBlocks = 1;
        o.sackLeft[0] = UNA + MSS;
        o.sackRight[0] = UNA + 4 * MSS;
        c.scoreboard.add(o.sackLeft[0], o.sackRight[0], UNA, c.sndMax);
        c.sacked = true;
        assertTrue(rack.onAck(c, UNA, o, T0 + 40 * MS));
        assertTrue(rack.findLost(c));
        assertEquals(UNA, rack.lostSeq);
        assertEquals(MSS, rack.lostLen);
        assertEquals(4 * MSS, rack.pipe(c), "8000 bytes, 3000 SACKed, 1000 lost");
        segs.markSent(d, T0 + 41 * MS, true, UNA, UNA + MSS);
        assertFalse(rack.findLost(c), "the bytes above the SACKed ones are not lost (yet)");
        assertEquals(5 * MSS, rack.pipe(c), "the retransmission is in flight");
    }
}
