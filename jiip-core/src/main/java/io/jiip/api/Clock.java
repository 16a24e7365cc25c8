package io.jiip.api;

/**
 * The integrator's clock: the stack owns none. Counterpart of iip's {@code iip_ops_util_now_ns}.
 *
 * <p>Must be monotonic (never go backwards); its origin is arbitrary. A simulator passes virtual time; a real
 * integrator usually passes {@code System::nanoTime}.
 */
@FunctionalInterface
public interface Clock {
    long nanoTime();
}
