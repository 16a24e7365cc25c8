package io.jiip.sim;

/** The receiving side of a {@link Channel}: takes ownership of every frame that arrives. */
interface Endpoint {
    void receive(Frame frame);
}
