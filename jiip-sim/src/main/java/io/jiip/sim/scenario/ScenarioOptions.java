package io.jiip.sim.scenario;

import io.jiip.sim.Units;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How to run a scenario: the seed, where to write pcaps, the trace CSV and the SVG plot, and parameter values
 * (text, parsed on use: {@code 100M} / {@code 1G} / {@code 10k} bits per second, {@code 2ms} / {@code 50us} /
 * {@code 1.5s} times, {@code 20MB} / {@code 64k} byte counts).
 */
public final class ScenarioOptions {
    public ScenarioOptions() {
    }

    private long seed = 1;
    private Path pcapDir;
    private Path traceFile;
    private Path plotFile;
    private final Map<String, String> values = new LinkedHashMap<>();
    private List<Param> declared = List.of();

    public ScenarioOptions seed(long s) {
        this.seed = s;
        return this;
    }

    public ScenarioOptions pcap(Path dir) {
        this.pcapDir = dir;
        return this;
    }

    public ScenarioOptions trace(Path csv) {
        this.traceFile = csv;
        return this;
    }

    public ScenarioOptions plot(Path svg) {
        this.plotFile = svg;
        return this;
    }

    public ScenarioOptions set(String name, String value) {
        values.put(name, value);
        return this;
    }

    public long seed() {
        return seed;
    }

    public Path pcapDir() {
        return pcapDir;
    }

    public Path traceFile() {
        return traceFile;
    }

    public Path plotFile() {
        return plotFile;
    }

    /** Whether the run records a trace (a CSV or a plot was asked for). */
    public boolean tracing() {
        return traceFile != null || plotFile != null;
    }

    void declare(List<Param> params) {
        this.declared = params;
        for (String k : values.keySet()) {
            if (params.stream().noneMatch(p -> p.name().equals(k))) {
                throw new IllegalArgumentException("unknown parameter '" + k + "'; this scenario takes: "
                        + params.stream().map(Param::name).reduce((a, b) -> a + ", " + b).orElse("none"));
            }
        }
    }

    public String raw(String name) {
        String v = values.get(name);
        if (v != null) {
            return v;
        }
        for (Param p : declared) {
            if (p.name().equals(name)) {
                return p.defaultValue();
            }
        }
        throw new IllegalArgumentException("undeclared parameter " + name);
    }

    public long getLong(String name) {
        return Long.parseLong(raw(name).replace("_", ""));
    }

    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    public double getDouble(String name) {
        String v = raw(name).trim();
        if (v.endsWith("%")) {
            return Double.parseDouble(v.substring(0, v.length() - 1)) / 100;
        }
        return Double.parseDouble(v);
    }

    /** A switch: "on" or "off". */
    public boolean getSwitch(String name) {
        return switch (raw(name).trim()) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(name + " must be on or off: " + raw(name));
        };
    }

    /** Bits per second: "100M", "1G", "64k", "1500000". */
    public long getRate(String name) {
        String v = raw(name).trim().toLowerCase(Locale.ROOT).replace("bit/s", "").replace("bps", "");
        return Math.round(scaled(v, 1000));
    }

    /** Bytes: "20MB", "64k" (powers of 1000 for k/M/G; "KiB", "MiB" for 1024). */
    public long getBytes(String name) {
        String v = raw(name).trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("kib") || v.endsWith("mib") || v.endsWith("gib")) {
            return Math.round(scaled(v.substring(0, v.length() - 2), 1024));
        }
        return Math.round(scaled(v.replace("b", ""), 1000));
    }

    /** Nanoseconds: "2ms", "50us", "1.5s", "100ns". */
    public long getTime(String name) {
        String v = raw(name).trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("ns")) {
            return Math.round(Double.parseDouble(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("us")) {
            return Units.us(Double.parseDouble(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("ms")) {
            return Units.ms(Double.parseDouble(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Units.seconds(Double.parseDouble(v.substring(0, v.length() - 1)));
        }
        return Units.seconds(Double.parseDouble(v));
    }

    private static double scaled(String v, double base) {
        double m = 1;
        if (v.endsWith("k")) {
            m = base;
        } else if (v.endsWith("m")) {
            m = base * base;
        } else if (v.endsWith("g")) {
            m = base * base * base;
        }
        String num = m == 1 ? v : v.substring(0, v.length() - 1);
        return Double.parseDouble(num) * m;
    }
}
