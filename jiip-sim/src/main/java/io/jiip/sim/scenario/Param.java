package io.jiip.sim.scenario;

/** A scenario parameter: its name, default value (as text) and meaning. Set with {@code -p name=value}. */
public final class Param {
    private final String name;
    private final String defaultValue;
    private final String description;

    public Param(String name, String defaultValue, String description) {
        this.name = name;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String name() {
        return name;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
