package io.jiip.sim.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a scenario run produced: its report text, measured numbers, broken expectations and the wire digest. */
public final class ScenarioResult {
    private final String name;
    private final String report;
    private final List<String> problems;
    private final Map<String, Double> metrics;
    private final String digest;

    public ScenarioResult(String name, String report, List<String> problems, Map<String, Double> metrics,
            String digest) {
        this.name = name;
        this.report = report;
        this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.digest = digest;
    }

    public String name() {
        return name;
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    public String report() {
        return report;
    }

    public List<String> problems() {
        return problems;
    }

    /** Named measurements (goodput_bps, jain, ...). */
    public Map<String, Double> metrics() {
        return metrics;
    }

    public double metric(String key) {
        Double v = metrics.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no metric " + key + " in " + metrics.keySet());
        }
        return v;
    }

    /** SHA-256 of every frame put on any wire (with times): equal for equal runs. */
    public String digest() {
        return digest;
    }
}
