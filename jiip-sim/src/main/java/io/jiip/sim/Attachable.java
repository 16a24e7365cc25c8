package io.jiip.sim;

/** What a {@link Link} can connect: a {@link Node} (one interface) or a {@link Switch} (a new port per link). */
public interface Attachable {
    String name();
}
