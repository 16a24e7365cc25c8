package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.sim.app.TcpClientApp;
import io.jiip.sim.app.TcpScript;
import io.jiip.sim.app.TcpServerApp;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The allocation guard: a steady-state bulk transfer (stack, simulated NIC, link, applications; no trace, no
 * capture) allocates nothing per packet. Measured with {@code getCurrentThreadAllocatedBytes} over 3 simulated
 * seconds at 100 Mbit/s (about 100,000 events), after a warm-up.
 */
class AllocationTest {

    private static long allocated() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        return (Long) m.invoke(bean);
    }

    @Test
    void steadyStateBulkAllocatesNothing() throws Exception {
        try {
            allocated();
        } catch (ReflectiveOperationException e) {
            Assumptions.abort("no per-thread allocation counter: " + e);
        }
        long best = Long.MAX_VALUE;
        long events = 0;
        for (int rep = 0; rep < 5; rep++) {
            Simulation sim = new Simulation(1);
            Node a = sim.node("a").build();
            Node b = sim.node("b").build();
            sim.link(a, b).bandwidth(Units.mbps(100)).delay(Units.ms(2)).queue(100).build();
            TcpScript s = TcpScript.bulkUntil(Units.seconds(7));
            TcpServerApp srv = b.add(new TcpServerApp(5001, s));
            a.add(new TcpClientApp(b, 5001, s).pairWith(srv));
            sim.runUntil(Units.seconds(3));
            long probe = allocated();
            long overhead = allocated() - probe; // what reading the counter itself costs (reflection, boxing)
            long before = allocated();
            long e0 = sim.events();
            sim.runUntil(Units.seconds(6));
            best = Math.min(best, allocated() - before - overhead);
            events = sim.events() - e0;
            sim.run();
            assertTrue(Invariants.check(sim, true).isEmpty());
        }
        assertTrue(events > 50_000, "events " + events);
        assertTrue(best <= 1024, best + " bytes allocated over " + events + " events");
    }
}
