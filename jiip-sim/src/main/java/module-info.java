/**
 * jiip-sim: a deterministic discrete-event network simulator for jiip stacks (the counterpart of iip-ns for
 * ns-3). Every run is a pure function of its scenario and seed. Depends on {@code io.jiip.core} only.
 */
module io.jiip.sim {
    requires transitive io.jiip.core;

    exports io.jiip.sim;
    exports io.jiip.sim.app;
    exports io.jiip.sim.trace;
    exports io.jiip.sim.scenario;
    exports io.jiip.sim.soak;
}
