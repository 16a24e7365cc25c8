package io.jiip.sim.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The registry of named scenarios that {@code ./jiip sim} runs. */
public final class Scenarios {
    private static final List<Scenario> ALL = List.of(new TwoNodeBulk(), new Dumbbell(), new LossyLongFat(),
            new ManyRequestResponse(), new UdpStream(), new SynFloodBulk(), new DataCentreLoss());

    private Scenarios() {
    }

    public static List<Scenario> all() {
        return Collections.unmodifiableList(new ArrayList<>(ALL));
    }

    /** The scenario called {@code name}, or {@code null}. */
    public static Scenario find(String name) {
        for (Scenario s : ALL) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
