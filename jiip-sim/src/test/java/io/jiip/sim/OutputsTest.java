package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.scenario.ScenarioOptions;
import io.jiip.sim.scenario.ScenarioResult;
import io.jiip.sim.scenario.Scenarios;
import io.jiip.sim.trace.SvgPlot;
import io.jiip.sim.trace.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trace CSV and SVG plot outputs. */
class OutputsTest {

    @Test
    void shouldWriteATraceCsvAndAWellFormedSvgPlot(@TempDir Path dir) throws Exception {
        ScenarioResult r = Scenarios.find("lossy-lfn").run(new ScenarioOptions().seed(2).set("duration", "8s")
                .set("warmup", "2s").trace(dir.resolve("t.csv")).plot(dir.resolve("p.svg")));
        assertTrue(r.ok(), r.report());
        List<String> csv = Files.readAllLines(dir.resolve("t.csv"));
        assertEquals(Trace.HEADER, csv.get(0));
        assertTrue(csv.size() > 100, "rows " + csv.size());
        double last = -1;
        int columns = csv.get(0).split(",", -1).length;
        boolean ssthreshSet = false;
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",", -1);
            assertEquals(columns, f.length, line);
            double t = Double.parseDouble(f[0]);
            assertTrue(t >= last, "time goes forward");
            last = t;
            assertTrue(Integer.parseInt(f[4]) > 0, "cwnd");
            ssthreshSet |= !f[5].isEmpty();
        }
        assertTrue(ssthreshSet, "a loss sets ssthresh");
        String svg = Files.readString(dir.resolve("p.svg"));
        assertWellFormed(svg);
        assertTrue(svg.split("<path ", -1).length - 1 >= 5, "one path per line");
    }

    /** Tags balance (the plot uses no CDATA, comments or entities beyond &amp; &lt; &gt;). */
    static void assertWellFormed(String svg) {
        assertTrue(svg.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "), "prolog");
        ArrayDeque<String> open = new ArrayDeque<>();
        Matcher m = Pattern.compile("<(/?)([a-z]+)([^<>]*?)(/?)>").matcher(svg);
        int tags = 0;
        while (m.find()) {
            tags++;
            if (!m.group(1).isEmpty()) {
                assertEquals(m.group(2), open.pop(), "closing tag at " + m.start());
            } else if (m.group(4).isEmpty()) {
                open.push(m.group(2));
            }
        }
        assertTrue(open.isEmpty(), "unclosed " + open);
        assertTrue(tags > 20);
        assertTrue(!svg.replaceAll("&(amp|lt|gt);", "").contains("&"), "bare ampersand");
    }

    @Test
    void shouldPickNiceTicks() {
        SvgPlot plot = new SvgPlot("t", "x");
        plot.panel("p", "y").line("a", new double[] {0, 1, 2}, new double[] {0, 7.3, Double.NaN}, true);
        String svg = plot.render(600, 200);
        assertTrue(svg.contains(">8<") || svg.contains(">7.5<") || svg.contains(">8.0<"), svg);
        assertWellFormed(svg);
    }
}
