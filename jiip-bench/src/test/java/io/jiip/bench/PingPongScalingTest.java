package io.jiip.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The side-by-side scaling measurement runs every count and reports each against the first. */
class PingPongScalingTest {

    @Test
    void shouldReportEveryCountAgainstTheFirst() {
        String table = PingPongScaling.report(new int[] {4, 64}, false, 1, 3, 50_000_000L, 50_000_000L);
        String[] lines = table.strip().split("\n");
        assertEquals(3, lines.length, table);
        String[] first = lines[1].trim().split("\\s+");
        String[] second = lines[2].trim().split("\\s+");
        assertEquals("4", first[0]);
        assertEquals("64", second[0]);
        assertTrue(Double.parseDouble(first[1]) > 0, table);
        assertTrue(Double.parseDouble(second[1]) > 0, table);
        assertEquals("1.00", first[2], "the first count is its own reference: " + table);
    }
}
