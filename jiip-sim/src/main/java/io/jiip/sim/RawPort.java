package io.jiip.sim;

/**
 * A bare link endpoint without a stack: it sends raw frames into its link and is handed every frame that
 * arrives. For testing links and switches frame by frame.
 */
abstract class RawPort implements Attachable, Endpoint {
    Channel out;

    /** Sends {@code f} into the link (the port gives up the frame). */
    void send(Frame f) {
        out.enqueue(f);
    }
}
