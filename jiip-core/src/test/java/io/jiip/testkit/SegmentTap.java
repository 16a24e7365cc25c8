package io.jiip.testkit;

import io.jiip.link.FrameHook;
import io.jiip.testkit.TcpPeer.Seg;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A frame hook on a {@link TestNet}'s link that records the TCP segments crossing it ({@link TcpPeer#parse}), in
 * link order and by sender (port 0 is node A, port 1 node B), and drops those chosen.
 */
public final class SegmentTap implements FrameHook {
    private final TestNet net;
    /** Every segment, both directions, in the order they crossed the link. */
    public final List<Seg> segs = new ArrayList<>();
    public final List<Seg> fromA = new ArrayList<>();
    public final List<Seg> fromB = new ArrayList<>();
    /** Sees each segment as it is recorded, before {@link #drop} decides. */
    public Consumer<Seg> observer = s -> { };
    /** Drops the segments it matches (both directions: tell them apart by {@link #isFromA}). */
    public Predicate<Seg> drop = s -> false;
    /** Drops every frame, TCP or not: the link is cut. */
    public boolean dropAll;

    private SegmentTap(TestNet net) {
        this.net = net;
    }

    /** A tap hooked onto {@code net}'s link (replacing any hook there). */
    public static SegmentTap on(TestNet net) {
        SegmentTap tap = new SegmentTap(net);
        net.link.hook(tap);
        return tap;
    }

    /** True when node A sent {@code s}. */
    public static boolean isFromA(Seg s) {
        return s.srcIp() == Frames.A_IP;
    }

    @Override
    public int onFrame(int from, ByteBuffer buf, int off, int len) {
        Seg s = TcpPeer.parse(buf, off, len, net.clock.nanoTime());
        if (s == null) {
            return dropAll ? DROP : PASS;
        }
        segs.add(s);
        (from == 0 ? fromA : fromB).add(s);
        observer.accept(s);
        return dropAll || drop.test(s) ? DROP : PASS;
    }
}
