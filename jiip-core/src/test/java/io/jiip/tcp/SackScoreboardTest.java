package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SackScoreboardTest {
    private static final int MSS = 1000;
    private static final int UNA = 0x7fff_fc00; // close to wrap-around on purpose

    private static String dump(SackScoreboard sb) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sb.ranges(); i++) {
            s.append('[').append(sb.left(i) - UNA).append(',').append(sb.right(i) - UNA).append(')');
        }
        return s.toString();
    }

    @Test
    void shouldMergeOverlappingAndAdjacentBlocksIntoSortedRanges() {
        SackScoreboard sb = new SackScoreboard(8);
        int max = UNA + 20 * MSS;
        assertTrue(sb.add(UNA + 5000, UNA + 6000, UNA, max));
        assertTrue(sb.add(UNA + 2000, UNA + 3000, UNA, max));
        assertTrue(sb.add(UNA + 3000, UNA + 4000, UNA, max)); // adjacent: merges
        assertTrue(sb.add(UNA + 3500, UNA + 5500, UNA, max)); // bridges the two
        assertEquals("[2000,6000)", dump(sb));
        assertEquals(4000, sb.sackedBytes());
        assertFalse(sb.add(UNA + 2500, UNA + 4500, UNA, max), "nothing new");
    }

    @Test
    void shouldKeepMultipleHolesAndFindThem() {
        SackScoreboard sb = new SackScoreboard(8);
        int max = UNA + 20 * MSS;
        sb.add(UNA + 1000, UNA + 2000, UNA, max);
        sb.add(UNA + 3000, UNA + 4000, UNA, max);
        sb.add(UNA + 6000, UNA + 9000, UNA, max);
        assertEquals("[1000,2000)[3000,4000)[6000,9000)", dump(sb));
        assertEquals(UNA, sb.nextHole(UNA));
        assertEquals(UNA + 2000, sb.nextHole(UNA + 1000));
        assertEquals(UNA + 9000, sb.nextHole(UNA + 6500));
        assertTrue(sb.isSacked(UNA + 3999));
        assertFalse(sb.isSacked(UNA + 4000));
    }

    @Test
    void shouldDeemLostPerRfc6675IsLost() {
        SackScoreboard sb = new SackScoreboard(8);
        int max = UNA + 20 * MSS;
        sb.add(UNA + 1000, UNA + 2000, UNA, max);
        assertFalse(sb.isLost(UNA, MSS), "one segment SACKed above: not yet");
        sb.add(UNA + 3000, UNA + 4000, UNA, max);
        assertFalse(sb.isLost(UNA, MSS), "two discontiguous, 2000 bytes: not yet (needs > 2 MSS)");
        sb.add(UNA + 5000, UNA + 6000, UNA, max);
        assertTrue(sb.isLost(UNA, MSS), "three discontiguous SACKed ranges above");
        assertFalse(sb.isLost(UNA + 5500, MSS));

        SackScoreboard contiguous = new SackScoreboard(8);
        contiguous.add(UNA + 1000, UNA + 3001, UNA, max);
        assertTrue(contiguous.isLost(UNA, MSS), "more than (DupThresh - 1) * MSS bytes above");
    }

    @Test
    void shouldCountPipeAsUnsackedNotLostPlusRetransmitted() {
        SackScoreboard sb = new SackScoreboard(8);
        int max = UNA + 10 * MSS;
        assertEquals(10 * MSS, sb.pipe(UNA, max, UNA, MSS));
        sb.add(UNA + 1000, UNA + 2000, UNA, max);
        sb.add(UNA + 3000, UNA + 4000, UNA, max);
        sb.add(UNA + 5000, UNA + 6000, UNA, max);
        // Segment 0 is lost (3 ranges above), 2 and 4 are lost too (2 ranges + > 2 MSS? no: 2 ranges, 2000 bytes)
        int pipe = sb.pipe(UNA, max, UNA, MSS);
        assertEquals(MSS * 6, pipe, "segments 2 and 4 and 6..9 count; segment 0 is lost; SACKed ones do not");
        assertEquals(MSS * 7, sb.pipe(UNA, max, UNA + MSS, MSS), "a retransmitted lost segment counts once");
    }

    @Test
    void shouldAdvanceWithTheCumulativeAckAndIgnoreDsackBlocks() {
        SackScoreboard sb = new SackScoreboard(8);
        int max = UNA + 20 * MSS;
        sb.add(UNA + 1000, UNA + 2000, UNA, max);
        sb.add(UNA + 3000, UNA + 5000, UNA, max);
        sb.advance(UNA + 4000);
        assertEquals("[4000,5000)", dump(sb));
        assertEquals(1000, sb.sackedBytes());
        assertFalse(sb.add(UNA, UNA + 1000, UNA + 4000, max), "D-SACK below SND.UNA (RFC 2883) is tolerated");
        assertFalse(sb.add(UNA + 30 * MSS, UNA + 31 * MSS, UNA + 4000, max), "beyond SND.MAX: bogus");
        assertEquals("[4000,5000)", dump(sb));
    }

    @Test
    void shouldStayBoundedWhenHolesExceedCapacity() {
        SackScoreboard sb = new SackScoreboard(4);
        int max = UNA + 100 * MSS;
        for (int i = 1; i < 20; i += 2) {
            sb.add(UNA + i * MSS, UNA + (i + 1) * MSS, UNA, max);
        }
        assertEquals(4, sb.ranges());
        assertEquals("[1000,2000)[3000,4000)[5000,6000)[7000,8000)", dump(sb), "lowest ranges kept");
    }

    @Test
    void shouldAgreeWithABitmapModelOnRandomBlocks() {
        SplittableRandom random = new SplittableRandom(7);
        for (int run = 0; run < 200; run++) {
            SackScoreboard sb = new SackScoreboard(64);
            BitSet model = new BitSet();
            int una = UNA;
            int max = una + 50_000;
            for (int k = 0; k < 30; k++) {
                int l = random.nextInt(50_000);
                int r = l + 1 + random.nextInt(3000);
                r = Math.min(r, 50_000);
                sb.add(una + l, una + r, una, max);
                model.set(l, r);
                if (random.nextInt(5) == 0) {
                    int adv = random.nextInt(2000);
                    sb.advance(una + adv);
                    model.clear(0, adv);
                    // re-base: keep absolute offsets relative to the original una
                }
            }
            int cardinality = 0;
            for (int i = 0; i < sb.ranges(); i++) {
                cardinality += sb.right(i) - sb.left(i);
                if (i > 0) {
                    assertTrue(Seq.lt(sb.right(i - 1), sb.left(i)), "disjoint and sorted, not adjacent");
                }
            }
            assertEquals(cardinality, sb.sackedBytes());
            for (int probe = 0; probe < 200; probe++) {
                int off = random.nextInt(50_000);
                assertEquals(model.get(off), sb.isSacked(una + off), "offset " + off);
            }
        }
    }

    @Test
    void shouldBoundIsLostByteByByteAndMeasureCoverage() {
        SackScoreboard sb = new SackScoreboard(8);
        int max = UNA + 20 * MSS;
        assertEquals(UNA, sb.lostBelow(UNA, MSS), "nothing SACKed: nothing lost");
        sb.add(UNA + 2000, UNA + 3000, UNA, max);
        sb.add(UNA + 5000, UNA + 7500, UNA, max);
        assertEquals(UNA + 5000, sb.lostBelow(UNA, MSS), "2500 bytes SACKed above 5000: more than 2 MSS");
        SackScoreboard small = new SackScoreboard(8);
        small.add(UNA + 2000, UNA + 2500, UNA, max);
        small.add(UNA + 5000, UNA + 5500, UNA, max);
        small.add(UNA + 9000, UNA + 9100, UNA, max);
        assertEquals(UNA + 2000, small.lostBelow(UNA, MSS), "three ranges above the first gap, 1100 bytes");
        sb.add(UNA + 9000, UNA + 9100, UNA, max);
        assertTrue(sb.covers(UNA + 5000, UNA + 7500));
        assertTrue(sb.covers(UNA + 6000, UNA + 7000));
        assertFalse(sb.covers(UNA + 4999, UNA + 6000));
        assertFalse(sb.covers(UNA + 7000, UNA + 7501));
        assertEquals(1000 + 2500, sb.sackedWithin(UNA + 1000, UNA + 8000));
        assertEquals(500, sb.sackedWithin(UNA + 7000, UNA + 9000));
        assertEquals(0, sb.sackedWithin(UNA, UNA + 2000));
    }

    @Test
    void shouldAgreeWithIsLostOnEveryUnsackedByte() {
        SplittableRandom random = new SplittableRandom(11);
        for (int run = 0; run < 200; run++) {
            SackScoreboard sb = new SackScoreboard(16);
            int max = UNA + 40 * MSS;
            for (int k = 0, n = random.nextInt(6); k < n; k++) {
                int l = random.nextInt(39 * MSS);
                sb.add(UNA + l, UNA + l + 1 + random.nextInt(2 * MSS), UNA, max);
            }
            int lostBelow = sb.lostBelow(UNA, MSS);
            for (int off = 0; off < 40 * MSS; off += 97) {
                int seq = UNA + off;
                if (!sb.isSacked(seq)) {
                    assertEquals(sb.isLost(seq, MSS), Seq.lt(seq, lostBelow), "offset " + off + " run " + run);
                }
            }
        }
    }
}
