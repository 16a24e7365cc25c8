package io.jiip.tcp;

import io.jiip.api.PacketOps;
import io.jiip.iface.NetInterface;
import io.jiip.wire.Bytes;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import java.nio.ByteBuffer;

/**
 * Batch warm-up, a performance trick only: before {@code Stack.run} processes a batch of received frames, it touches
 * the state their processing will need, one kind of state at a time (the packet descriptors, the headers, the flow
 * table slots, the connections, their send queues). Each pass is a loop of independent loads, so the CPU has many
 * cache misses in flight at once instead of meeting them one after another while processing. It pays only when that
 * state is not cached anyway: from {@link #MIN_CONNECTIONS}. Reads only; nothing here changes what the stack does.
 */
public final class BatchWarmer<P> {
    /** Frames warmed (then processed) together: enough misses to overlap, few enough to stay in L1/L2. */
    public static final int BATCH = 64;

    /**
     * Connections from which warming pays (docs/performance.md, measured with {@code PingPongScaling} and JMH
     * {@code PingPong} on a machine with a 6–8 MiB last-level cache). With few connections their state stays
     * cached and the warm-up is pure cost: 8 % of the 32-connection ping-pong rate, 5 % of bulk. It pays once the
     * state of all connections outgrows the cache and their turns do not follow their order in memory: +30 % at
     * 10,000 shuffled connections (1.20–1.35 M round trips/s against 0.92–1.01 M), a gain from about 3,000 on.
     * 2,048 is a round number below that crossover; between the two it was not measured separately.
     */
    public static final int MIN_CONNECTIONS = 2048;

    /** The flow key of a frame that is not a plain TCP segment (see {@link #flowKeyOf}). */
    private static final long NO_FLOW_KEY = -1;

    private final PacketOps<P> ops;
    private final int l2Length;
    private final TcpLayer<P> tcp;
    private final long[] keys = new long[BATCH];
    private final int[] ids = new int[BATCH];
    /** Sink of every pass: keeps the JIT from dropping the reads. */
    private long sink;

    public BatchWarmer(NetInterface<P> nif) {
        this.ops = nif.ops;
        this.l2Length = nif.l2Length;
        this.tcp = nif.tcp;
    }

    /** Whether a run of {@code frames} frames should be warmed batch by batch ({@link #warmBatch}). */
    public boolean pays(int frames) {
        return pays(frames, tcp.connectionCount());
    }

    /** A single frame has nothing to overlap its misses with; few connections stay cached. */
    static boolean pays(int frames, int connections) {
        return frames > 1 && connections >= MIN_CONNECTIONS;
    }

    /**
     * Warms the batch {@code frames[from..end)} and returns {@code end}: {@value #BATCH} frames at most, not past
     * {@code to}. No ownership change; malformed frames are skipped here and judged by the input path.
     */
    public int warmBatch(P[] frames, int from, int to) {
        int end = Math.min(to, from + BATCH);
        long sum = 0;
        for (int k = from; k < end; k++) {
            sum += ops.offset(frames[k]) + ops.length(frames[k]);
        }
        int n = 0;
        for (int k = from; k < end; k++) {
            P frame = frames[k];
            ByteBuffer buf = ops.buffer(frame);
            int off = ops.offset(frame);
            int len = ops.length(frame);
            if (l2Length > 0 && (len < EthernetHeader.LENGTH
                    || EthernetHeader.etherType(buf, off) != EthernetHeader.TYPE_IPV4)) {
                continue;
            }
            long key = flowKeyOf(buf, off + l2Length, len - l2Length);
            if (key != NO_FLOW_KEY) {
                keys[n++] = key;
                sum += buf.get(off + len - 1); // the options and payload: with timestamps, past the first line
            }
        }
        sink += sum + warmConnections(n);
        return end;
    }

    /**
     * The flow key of an IPv4 datagram carrying TCP without IP options, or {@link #NO_FLOW_KEY}; reads only (the
     * input path validates everything properly).
     */
    private static long flowKeyOf(ByteBuffer buf, int ipOff, int available) {
        if (available < Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH || Bytes.u8(buf, ipOff) != 0x45
                || Bytes.u8(buf, ipOff + Ipv4Header.Offset.PROTOCOL) != Ipv4Header.PROTO_TCP) {
            return NO_FLOW_KEY;
        }
        int off = ipOff + Ipv4Header.MIN_LENGTH;
        return FlowTable.key(Ipv4Header.src(buf, ipOff), TcpHeader.srcPort(buf, off), TcpHeader.dstPort(buf, off));
    }

    /**
     * Touches the state that the segments of {@code keys[0..n)} will need: the flow table slots, then the
     * connections' hot fields (a field per cache line), then the send queue's head and its packet if it has one. A
     * guess from a key's home slot may name another connection; that only wastes a load.
     */
    @SuppressWarnings("unchecked")
    private long warmConnections(int n) {
        TcpConnection<P>[] conns = tcp.conns;
        int limit = conns.length;
        for (int k = 0; k < n; k++) {
            long slot = tcp.flows.touch(keys[k]);
            ids[k] = slot >= 0 && slot < limit ? (int) slot : -1;
        }
        long sum = 0;
        for (int k = 0; k < n; k++) {
            int id = ids[k];
            if (id >= 0) {
                sum += conns[id].touchHotLines();
            }
        }
        SegmentPool segs = tcp.segs;
        for (int k = 0; k < n; k++) {
            int id = ids[k];
            if (id >= 0) {
                int d = conns[id].sendHead;
                if (d >= 0) { // a guessed connection is any connection: never trust more than its invariants
                    sum += segs.seq(d);
                    Object head = segs.isInline(d) ? null : segs.packet[d];
                    if (head != null) {
                        sum += ops.length((P) head);
                    }
                }
            }
        }
        return sum;
    }
}
