package io.jiip.sim.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts as SVG, in pure Java: stacked panels sharing one x axis, each with its own y axis, "nice" ticks, a
 * grid and a legend. Long series are thinned per pixel column (first, minimum, maximum and last point kept), so
 * spikes survive and files stay small. NaN values break a line. Output is deterministic text.
 */
public final class SvgPlot {
    private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int LEFT = 78;
    private static final int RIGHT = 170;
    private static final int TOP = 44;
    private static final int GAP = 46;
    private static final int BOTTOM = 46;

    private final String title;
    private final String xLabel;
    private final List<Panel> panels = new ArrayList<>();

    public SvgPlot(String title, String xLabel) {
        this.title = title;
        this.xLabel = xLabel;
    }

    /** Adds a panel below the previous ones. */
    public Panel panel(String title, String yLabel) {
        Panel p = new Panel(title, yLabel);
        panels.add(p);
        return p;
    }

    /** One chart: lines against the shared x axis. */
    public static final class Panel {
        final String title;
        final String yLabel;
        final List<Line> lines = new ArrayList<>();

        Panel(String title, String yLabel) {
            this.title = title;
            this.yLabel = yLabel;
        }

        /** Adds a line; {@code step}: hold each value until the next x (a sampled counter such as cwnd). */
        public Panel line(String name, double[] x, double[] y, boolean step) {
            if (x.length != y.length) {
                throw new IllegalArgumentException("x and y differ in length");
            }
            lines.add(new Line(name, x, y, step, lines.size()));
            return this;
        }
    }

    private static final class Line {
        final String name;
        final double[] x;
        final double[] y;
        final boolean step;
        final int colour;

        Line(String name, double[] x, double[] y, boolean step, int colour) {
            this.name = name;
            this.x = x;
            this.y = y;
            this.step = step;
            this.colour = colour;
        }
    }

    public void write(Path file, int width, int panelHeight) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(width, panelHeight), StandardCharsets.UTF_8);
    }

    /** The SVG document. */
    public String render(int width, int panelHeight) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Panel p : panels) {
            for (Line l : p.lines) {
                for (double v : l.x) {
                    xMin = Math.min(xMin, v);
                    xMax = Math.max(xMax, v);
                }
            }
        }
        if (!(xMin <= xMax)) {
            xMin = 0;
            xMax = 1;
        }
        double[] xTicks = ticks(xMin, xMax, 8);
        xMin = Math.min(xMin, xTicks[0]);
        xMax = Math.max(xMax, xTicks[xTicks.length - 1]);
        int plotW = width - LEFT - RIGHT;
        int height = TOP + panels.size() * (panelHeight + GAP) - GAP + BOTTOM;
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">%n",
                width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        for (int i = 0; i < panels.size(); i++) {
            int top = TOP + i * (panelHeight + GAP);
            renderPanel(sb, panels.get(i), top, plotW, panelHeight, xMin, xMax, xTicks, i == panels.size() - 1);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private void renderPanel(StringBuilder sb, Panel p, int top, int w, int h, double xMin, double xMax,
            double[] xTicks, boolean last) {
        double yMin = 0;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Line l : p.lines) {
            for (double v : l.y) {
                if (!Double.isNaN(v)) {
                    yMax = Math.max(yMax, v);
                    yMin = Math.min(yMin, v);
                }
            }
        }
        if (!(yMax > yMin)) {
            yMax = yMin + 1;
        }
        double[] yTicks = ticks(yMin, yMax, 5);
        yMin = Math.min(yMin, yTicks[0]);
        yMax = Math.max(yMax, yTicks[yTicks.length - 1]);
        sb.append(String.format(Locale.ROOT, "<g transform=\"translate(%d,%d)\">%n", LEFT, top));
        sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"-8\" font-weight=\"bold\">%s</text>%n", esc(p.title)));
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", w, h));
        for (double t : yTicks) {
            double y = h - (t - yMin) / (yMax - yMin) * h;
            sb.append(String.format(Locale.ROOT, "<line x1=\"0\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"-6\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>%n", y, w, y,
                    y, label(t, yTicks)));
        }
        for (double t : xTicks) {
            double x = (t - xMin) / (xMax - xMin) * w;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x, x, h));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                    h + 16, label(t, xTicks)));
        }
        if (last) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", w / 2,
                    h + 36, esc(xLabel)));
        }
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(-60,%d) rotate(-90)\" "
                + "text-anchor=\"middle\">%s</text>%n", h / 2, esc(p.yLabel)));
        for (Line l : p.lines) {
            renderLine(sb, l, w, h, xMin, xMax, yMin, yMax);
        }
        int ly = 8;
        for (Line l : p.lines) {
            String c = PALETTE[l.colour % PALETTE.length];
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">%s</text>%n", w + 10,
                    ly, w + 30, ly, c, w + 36, ly, esc(l.name)));
            ly += 18;
        }
        sb.append("</g>\n");
    }

    private static void renderLine(StringBuilder sb, Line l, int w, int h, double xMin, double xMax, double yMin,
            double yMax) {
        String colour = PALETTE[l.colour % PALETTE.length];
        StringBuilder path = new StringBuilder();
        int n = l.x.length;
        int column = Integer.MIN_VALUE;
        double first = 0;
        double low = 0;
        double high = 0;
        double last = 0;
        int lowAt = 0;
        int highAt = 0;
        double[] pen = {Double.NaN, Double.NaN}; // last point drawn (x, y); NaN: pen up
        for (int i = 0; i <= n; i++) {
            boolean nan = i < n && Double.isNaN(l.y[i]);
            int col = i < n ? (int) Math.floor((l.x[i] - xMin) / (xMax - xMin) * w) : Integer.MAX_VALUE;
            if (column != Integer.MIN_VALUE && (col != column || nan)) {
                // the finished column: first, its extremes in the order they came, last
                point(path, pen, l.step, column, y(first, h, yMin, yMax));
                double a = lowAt <= highAt ? low : high;
                double b = lowAt <= highAt ? high : low;
                point(path, pen, l.step, column, y(a, h, yMin, yMax));
                point(path, pen, l.step, column, y(b, h, yMin, yMax));
                point(path, pen, l.step, column, y(last, h, yMin, yMax));
                column = Integer.MIN_VALUE;
            }
            if (i == n) {
                break;
            }
            if (nan) {
                pen[0] = Double.NaN;
                continue;
            }
            double v = l.y[i];
            if (column == Integer.MIN_VALUE) {
                column = col;
                first = low = high = v;
                lowAt = highAt = i;
            } else {
                if (v < low) {
                    low = v;
                    lowAt = i;
                }
                if (v > high) {
                    high = v;
                    highAt = i;
                }
            }
            last = v;
        }
        if (path.length() > 0) {
            sb.append("<path fill=\"none\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"1.3\" stroke-linejoin=\"round\" d=\"").append(path).append("\"/>\n");
        }
    }

    private static double y(double v, int h, double yMin, double yMax) {
        return Math.round((h - (v - yMin) / (yMax - yMin) * h) * 10) / 10.0;
    }

    /** Moves the pen to (x, y), as a step (horizontal first) or a straight line, skipping repeated points. */
    private static void point(StringBuilder path, double[] pen, boolean step, int x, double y) {
        if (Double.isNaN(pen[0])) {
            path.append(path.length() == 0 ? "M" : " M").append(x).append(' ').append(fmt(y));
        } else if (pen[0] == x && pen[1] == y) {
            return;
        } else if (step && pen[1] != y && pen[0] != x) {
            path.append('H').append(x).append('V').append(fmt(y));
        } else if (pen[0] == x) {
            path.append('V').append(fmt(y));
        } else if (pen[1] == y) {
            path.append('H').append(x);
        } else {
            path.append('L').append(x).append(' ').append(fmt(y));
        }
        pen[0] = x;
        pen[1] = y;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Ticks at 1, 2 or 5 times a power of ten covering [min, max]. */
    static double[] ticks(double min, double max, int target) {
        double span = max - min;
        if (!(span > 0)) {
            span = Math.abs(max) > 0 ? Math.abs(max) : 1;
        }
        double raw = span / target;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (raw <= m * mag) {
                step = m * mag;
                break;
            }
        }
        double first = Math.floor(min / step) * step;
        double end = Math.ceil(max / step) * step;
        int count = (int) Math.round((end - first) / step) + 1;
        double[] t = new double[Math.max(2, count)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    private static String label(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 1e6 ? 0.0 : v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * The standard plot of a trace: cwnd, ssthresh and bytes in flight; smoothed RTT; RTO; delivery rate. One
     * line per connection (ssthresh and in-flight only when a single connection is traced, to stay readable).
     */
    public static SvgPlot of(Trace trace, String title) {
        SvgPlot plot = new SvgPlot(title, "simulated time (s)");
        List<Trace.Series> all = trace.series();
        boolean single = all.size() == 1;
        Panel cw = plot.panel("Congestion window" + (single ? ", slow-start threshold, bytes in flight" : ""),
                "kB");
        Panel rtt = plot.panel("Smoothed RTT", "ms");
        Panel rtoPanel = plot.panel("Retransmission timeout (RTO)", "ms");
        Panel rate = plot.panel("Delivery rate (acknowledged, 100 ms window)", "Mbit/s");
        for (Trace.Series s : all) {
            int n = s.rows();
            double[] x = new double[n];
            double[] cwnd = new double[n];
            double[] ss = new double[n];
            double[] fl = new double[n];
            double[] srtt = new double[n];
            double[] rto = new double[n];
            double[] dr = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = s.time(i) / 1e9;
                cwnd[i] = s.cwnd(i) / 1000.0;
                ss[i] = s.ssthresh(i) >= (1 << 30) ? Double.NaN : s.ssthresh(i) / 1000.0;
                fl[i] = s.bytesInFlight(i) / 1000.0;
                srtt[i] = s.srtt(i) == 0 ? Double.NaN : s.srtt(i) / 1e6;
                rto[i] = s.rto(i) / 1e6;
                dr[i] = s.deliveryRate(i) / 1e6;
            }
            String name = single ? "cwnd" : s.label();
            cw.line(name, x, cwnd, true);
            if (single) {
                cw.line("ssthresh", x, ss, true);
                cw.line("in flight", x, fl, true);
            }
            rtt.line(single ? "srtt" : s.label(), x, srtt, true);
            rtoPanel.line(single ? "rto" : s.label(), x, rto, true);
            rate.line(single ? "delivery rate" : s.label(), x, dr, false);
        }
        return plot;
    }
}
