package io.jiip.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.link.ManualClock;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Stacks on one {@link MemoryLink} in one thread with a virtual clock: the fixture of the protocol tests.
 * {@link #pump()} alternates the stacks until no frame is in flight; {@link #assertNoLeaks()} checks every pool.
 */
public final class TestNet {
    public static final String A_IP = "10.0.0.1";
    public static final String B_IP = "10.0.0.2";
    public static final String A_MAC = "02:00:00:00:00:01";
    public static final String B_MAC = "02:00:00:00:00:02";

    public final ManualClock clock = new ManualClock(1_000_000_000L);
    public final MemoryLink link = new MemoryLink(clock);
    public final List<Node> nodes = new ArrayList<>();
    /** Other participants on the link (scripted peers) that run with the stacks in {@link #pump()}. */
    public final List<Station> stations = new ArrayList<>();

    /** Something on the link besides the stacks, e.g. a {@link TcpPeer}. */
    public interface Station {
        /** Handles what the station received; returns the frames processed. */
        int runOnce();

        /** Frames waiting in the station's receive queue. */
        int pending();

        /** Frees what the station holds and asserts its pool balances. */
        default void assertNoLeaks() {
        }
    }

    /** One stack with its pool, port and recorded events. */
    public final class Node {
        public final PacketPool pool;
        public final MemoryLink.Port port;
        public final Stack<Packet> stack;
        public final RecordingEvents events = new RecordingEvents();
        public long nextDeadline = Long.MAX_VALUE;
        private final Packet[] rx = new Packet[64];

        Node(StackConfig config, PacketPool pool, int features) {
            this.pool = pool;
            this.port = link.attach(pool, features, 4096);
            this.stack = new Stack<>(config, pool, port, clock, events);
        }

        /** Runs the stack once over what its port received; returns frames processed. */
        public int runOnce() {
            int n = port.poll(rx, rx.length);
            nextDeadline = stack.run(rx, n);
            return n;
        }
    }

    public static TestNet twoNodes() {
        return twoNodes(b -> { }, 0);
    }

    /** Two nodes A (10.0.0.1) and B (10.0.0.2) on a /24; {@code tweak} may change both configs. */
    public static TestNet twoNodes(Consumer<StackConfig.Builder> tweak, int features) {
        return twoNodes(tweak, features, PacketPool::standard);
    }

    /** Two nodes as above, each with a pool from {@code pools}. */
    public static TestNet twoNodes(Consumer<StackConfig.Builder> tweak, int features, Supplier<PacketPool> pools) {
        TestNet net = new TestNet();
        net.add(config(A_MAC, A_IP, tweak), pools.get(), features);
        net.add(config(B_MAC, B_IP, tweak), pools.get(), features);
        return net;
    }

    public static StackConfig config(String mac, String ip, Consumer<StackConfig.Builder> tweak) {
        StackConfig.Builder b = StackConfig.builder().mac(mac).ipv4(ip, 24);
        tweak.accept(b);
        return b.build();
    }

    public Node add(StackConfig config, PacketPool pool, int features) {
        Node n = new Node(config, pool, features);
        nodes.add(n);
        return n;
    }

    public Node a() {
        return nodes.get(0);
    }

    public Node b() {
        return nodes.get(1);
    }

    /** Runs every stack until no frames are in flight (at most 10,000 rounds). Returns frames processed. */
    public int pump() {
        int total = 0;
        for (int round = 0; round < 10_000; round++) {
            int n = 0;
            for (Node node : nodes) {
                n += node.runOnce();
            }
            for (Station station : stations) {
                n += station.runOnce();
            }
            total += n;
            if (n == 0 && nodes.stream().allMatch(x -> x.port.pending() == 0)
                    && stations.stream().allMatch(x -> x.pending() == 0)) {
                return total;
            }
        }
        throw new AssertionError("link did not go quiet in 10,000 rounds");
    }

    /** Advances virtual time and lets every stack fire its timers. */
    public void advance(long nanos) {
        clock.advance(nanos);
        pump();
    }

    /**
     * Advances virtual time by {@code nanos} in steps, so that every timer fires at its own deadline (at most one
     * timer-wheel tick late) rather than all at once at the end: each step goes to the earliest deadline the stacks
     * reported, or one tick when that bound is not ahead of now.
     */
    public void runFor(long nanos) {
        long end = clock.nanoTime() + nanos;
        pump();
        while (clock.nanoTime() < end) {
            long now = clock.nanoTime();
            long next = Long.MAX_VALUE;
            for (Node node : nodes) {
                next = Math.min(next, node.nextDeadline);
            }
            long to = next > now ? next : now + (1L << 20);
            clock.advanceTo(Math.min(end, to));
            pump();
        }
    }

    /** Closes the stacks, drains the ports and asserts every packet returned to its pool. */
    public void assertNoLeaks() {
        for (Node node : nodes) {
            node.stack.close();
            node.port.clear();
        }
        for (Node node : nodes) {
            assertEquals(0, node.pool.inUse(), "packets still in use in " + node.stack);
            assertEquals(0, node.pool.buffersInUse(), "buffers still in use in " + node.stack);
        }
        for (Station station : stations) {
            station.assertNoLeaks();
        }
    }

    /** Records the stack events for assertions. */
    public static final class RecordingEvents implements StackEvents<Packet> {
        public final List<String> log = new ArrayList<>();
        public final List<long[]> arpReplies = new ArrayList<>();
        public final List<int[]> echoReplies = new ArrayList<>();
        public final List<byte[]> echoData = new ArrayList<>();
        public final List<int[]> unreachable = new ArrayList<>();

        @Override
        public void onArpReply(Stack<Packet> stack, Packet frame, int senderIp, long senderMac) {
            arpReplies.add(new long[] {senderIp, senderMac});
        }

        @Override
        public void onEchoReply(Stack<Packet> stack, Packet packet, int fromIp, int identifier, int sequence,
                int dataOffset, int dataLength) {
            echoReplies.add(new int[] {fromIp, identifier, sequence, dataLength});
            byte[] data = new byte[dataLength];
            packet.buffer().get(dataOffset, data);
            echoData.add(data);
        }

        @Override
        public void onDestinationUnreachable(Stack<Packet> stack, int code, int originalDstIp, int protocol,
                int srcPort, int dstPort) {
            unreachable.add(new int[] {code, originalDstIp, protocol, srcPort, dstPort});
        }
    }
}
