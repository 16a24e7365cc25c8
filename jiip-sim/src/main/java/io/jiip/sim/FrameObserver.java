package io.jiip.sim;

import io.jiip.link.Packet;

/**
 * Sees a node's frames where its stack meets its NIC, and only reads them: what the stack pushed (before any
 * egress drop and before segmentation, so a TSO super-frame is one call) and what the stack is about to receive
 * (after the receive queue took it). Registered with {@link Node#observe}; {@link RecoveryAudit} is one.
 */
public interface FrameObserver {
    /** The stack pushed {@code frame} (a chain; headers in the first packet) of {@code totalLength} bytes. */
    void pushed(Node node, Packet frame, int totalLength);

    /** {@code frame} (one wire frame, before LRO) entered the node's receive queue. */
    void received(Node node, Packet frame);
}
