package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventQueueTest {

    private static Event recording(List<String> log, String name) {
        return new Event() {
            @Override
            protected void fire() {
                log.add(name);
            }
        };
    }

    @Test
    void shouldFireByTimeThenBySchedulingOrder() {
        Simulation sim = new Simulation(1);
        List<String> log = new ArrayList<>();
        sim.schedule(recording(log, "c@5"), 5);
        sim.schedule(recording(log, "a@1"), 1);
        sim.schedule(recording(log, "b@5"), 5);
        sim.schedule(recording(log, "d@3"), 3);
        assertTrue(sim.run());
        assertEquals(List.of("a@1", "d@3", "c@5", "b@5"), log);
        assertEquals(5, sim.now());
    }

    @Test
    void shouldMoveAnEventScheduledTwiceAndDropACancelledOne() {
        Simulation sim = new Simulation(1);
        List<String> log = new ArrayList<>();
        Event moved = recording(log, "moved");
        Event cancelled = recording(log, "cancelled");
        sim.schedule(moved, 10);
        sim.schedule(cancelled, 5);
        sim.schedule(recording(log, "x"), 7);
        sim.schedule(moved, 2);
        sim.cancel(cancelled);
        assertFalse(cancelled.scheduled());
        sim.run();
        assertEquals(List.of("moved", "x"), log);
    }

    @Test
    void shouldKeepHeapOrderUnderRandomOperations() {
        Simulation sim = new Simulation(1);
        SplittableRandom r = new SplittableRandom(7);
        List<Long> fired = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Event e = new Event() {
                @Override
                protected void fire() {
                    fired.add(time());
                }
            };
            events.add(e);
            sim.schedule(e, r.nextLong(1_000_000));
        }
        for (int i = 0; i < 500; i++) {
            Event e = events.get(r.nextInt(events.size()));
            if (r.nextBoolean()) {
                sim.cancel(e);
            } else {
                sim.schedule(e, r.nextLong(1_000_000));
            }
        }
        sim.run();
        for (int i = 1; i < fired.size(); i++) {
            assertTrue(fired.get(i - 1) <= fired.get(i));
        }
    }

    @Test
    void shouldRefuseThePastAndReportEscapedExceptions() {
        Simulation sim = new Simulation(1);
        sim.schedule(new Event() {
            @Override
            protected void fire() {
                throw new IllegalStateException("boom");
            }
        }, 10);
        assertFalse(sim.run());
        assertTrue(sim.failure().contains("boom"), sim.failure());
        assertThrows(IllegalArgumentException.class, () -> sim.schedule(recording(new ArrayList<>(), "x"), 1));
    }

    @Test
    void shouldDeriveRandomStreamsFromTheSeedAndAName() {
        assertEquals(new Simulation(5).random("a").nextLong(), new Simulation(5).random("a").nextLong());
        assertTrue(new Simulation(5).random("a").nextLong() != new Simulation(5).random("b").nextLong());
        assertTrue(new Simulation(5).random("a").nextLong() != new Simulation(6).random("a").nextLong());
    }
}
