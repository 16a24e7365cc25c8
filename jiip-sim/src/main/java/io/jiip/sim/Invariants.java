package io.jiip.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The end-of-run checks every scenario and every soak run gets, after the simulation went quiet:
 *
 * <ol>
 *   <li>nothing failed: no exception escaped a stack's {@code run} or an application, no time limit hit;</li>
 *   <li>every application's own expectations hold ({@link App#check}: bytes delivered exactly once and in order,
 *       expected close reasons);</li>
 *   <li>no connection and no TIME-WAIT record is left (2 MSL has passed) and no timer is pending: one more
 *       {@code run} returns {@link Long#MAX_VALUE};</li>
 *   <li>no buffer leaked: every node's pool is back to zero packets and zero buffers in use while the stack is
 *       still alive (so the stack itself returned everything), and again after {@code Stack.close()}; the wire
 *       holds no frame.</li>
 * </ol>
 */
public final class Invariants {
    private Invariants() {
    }

    /**
     * Runs the checks and returns the problems found (empty: all hold). Closes every stack: call once, at the end.
     *
     * @param expectQuiet whether every connection should be gone (true for all built-in scenarios and the soak)
     */
    public static List<String> check(Simulation sim, boolean expectQuiet) {
        List<String> problems = new ArrayList<>();
        if (sim.failure() != null) {
            problems.add(sim.failure());
            Throwable t = sim.failureCause();
            if (t != null) {
                StackTraceElement[] st = t.getStackTrace();
                for (int i = 0; i < Math.min(st.length, 12); i++) {
                    problems.add("    at " + st[i]);
                }
            }
            if (t == null) {
                for (Node n : sim.nodes()) {
                    for (App a : n.apps()) {
                        a.check(problems); // where each application got stuck
                    }
                }
            }
            closeAll(sim);
            return problems;
        }
        for (Node n : sim.nodes()) {
            for (App a : n.apps()) {
                a.check(problems);
            }
        }
        for (Node n : sim.nodes()) {
            if (expectQuiet) {
                int conns = n.stack().tcpConnectionCount();
                if (conns != 0) {
                    problems.add(n.name() + ": " + conns + " TCP connection(s) still in the table after the run");
                }
                int timeWait = n.stack().tcpTimeWaitCount();
                if (timeWait != 0) {
                    problems.add(n.name() + ": " + timeWait + " 4-tuple(s) still in TIME-WAIT after the run");
                }
                long next = n.runNow();
                if (next != Long.MAX_VALUE) {
                    problems.add(n.name() + ": a timer is still pending after every connection closed (next deadline "
                            + Units.formatTime(next) + ", now " + Units.formatTime(sim.now()) + ")");
                }
                if (n.pool().inUse() != 0 || n.pool().buffersInUse() != 0) {
                    problems.add(n.name() + ": " + n.pool().inUse() + " packets / " + n.pool().buffersInUse()
                            + " buffers still in use with the stack idle (leak)");
                }
            }
        }
        closeAll(sim);
        for (Node n : sim.nodes()) {
            if (n.pool().inUse() != 0 || n.pool().buffersInUse() != 0) {
                problems.add(n.name() + ": " + n.pool().inUse() + " packets / " + n.pool().buffersInUse()
                        + " buffers still in use after Stack.close() (leak)");
            }
        }
        if (expectQuiet && sim.frames().inUse() != 0) {
            problems.add("wire: " + sim.frames().inUse() + " frames neither delivered nor dropped");
        }
        return problems;
    }

    private static void closeAll(Simulation sim) {
        for (Node n : sim.nodes()) {
            n.drainReceiveQueue();
            n.stack().close();
        }
    }
}
