package io.jiip.ip;

import io.jiip.api.Counter;
import io.jiip.api.PacketOps;
import io.jiip.iface.NetInterface;
import io.jiip.wire.Bytes;
import io.jiip.wire.Ipv4Header;
import java.nio.ByteBuffer;

/**
 * IPv4 fragment reassembly (RFC 791 §3.2, RFC 815) with hard limits: at most {@code reassemblyDatagrams}
 * datagrams at once, {@code reassemblyFragments} fragments each, 65,535 bytes, a timeout, and a memory budget for
 * held fragment buffers shared by the whole context.
 *
 * <p>Fragments stay in the integrator's buffers (no copy) until the datagram is complete; then they are copied
 * once into one packet (link header of the first fragment, its IP header, then the data) and freed. Any overlap
 * between two fragments of a datagram drops the whole datagram, in the spirit of RFC 5722 (overlaps are how
 * filters are evaded); an exact duplicate of a fragment is dropped alone, since the network duplicates packets.
 */
public final class Reassembler<P> {
    private final NetInterface<P> nif;
    private final PacketOps<P> ops;
    private final int maxFragments;
    private final long timeout;
    private final int memoryBudget;
    private int memoryUsed;

    private final boolean[] active;
    private final int[] src;
    private final int[] dst;
    private final int[] ident;
    private final int[] protocol;
    private final long[] deadline;
    private final int[] count;
    private final int[] received;
    private final int[] total;
    private final int[] memory;
    private final int[] firstIpOffset;
    /** Per fragment, at {@code slot * maxFragments + k}. */
    private final Object[] frames;
    private final int[] fragOffset;
    private final int[] fragLength;
    private final int[] fragData;

    public Reassembler(NetInterface<P> nif) {
        this.nif = nif;
        this.ops = nif.ops;
        int slots = nif.config.reassemblyDatagrams();
        this.maxFragments = nif.config.reassemblyFragments();
        this.timeout = nif.config.reassemblyTimeoutNanos();
        this.memoryBudget = nif.config.reassemblyMemory();
        this.active = new boolean[slots];
        this.src = new int[slots];
        this.dst = new int[slots];
        this.ident = new int[slots];
        this.protocol = new int[slots];
        this.deadline = new long[slots];
        this.count = new int[slots];
        this.received = new int[slots];
        this.total = new int[slots];
        this.memory = new int[slots];
        this.firstIpOffset = new int[slots];
        this.frames = new Object[slots * maxFragments];
        this.fragOffset = new int[slots * maxFragments];
        this.fragLength = new int[slots * maxFragments];
        this.fragData = new int[slots * maxFragments];
    }

    /** Bytes of fragment buffers held now (charged against the budget). */
    public int memoryUsed() {
        return memoryUsed;
    }

    /** Datagrams in reassembly now. */
    public int inProgress() {
        int n = 0;
        for (boolean a : active) {
            n += a ? 1 : 0;
        }
        return n;
    }

    /**
     * Takes ownership of a validated fragment.
     *
     * @return the reassembled datagram (a new packet, IPv4 header at {@code l2Length}) once complete, else
     *         {@code null}
     */
    public P input(P frame, ByteBuffer buf, int ipOff) {
        nif.stats.inc(Counter.REASM_FRAGMENTS_RX);
        int hlen = Ipv4Header.headerLength(buf, ipOff);
        int dataLen = Ipv4Header.totalLength(buf, ipOff) - hlen;
        int flags = Bytes.u16(buf, ipOff + Ipv4Header.Offset.FLAGS_FRAGMENT);
        boolean more = (flags & Ipv4Header.FLAG_MF) != 0;
        int offset = (flags & Ipv4Header.FRAGMENT_OFFSET_MASK) * 8;
        int end = offset + dataLen;
        if (more && (dataLen == 0 || (dataLen & 7) != 0)) {
            nif.drop(frame, Counter.DROP_REASM_BAD_FRAGMENT);
            return null;
        }
        if (hlen + end > 65535) {
            nif.drop(frame, Counter.DROP_REASM_TOO_BIG);
            return null;
        }
        int s = findOrCreate(Ipv4Header.src(buf, ipOff), Ipv4Header.dst(buf, ipOff),
                Bytes.u16(buf, ipOff + Ipv4Header.Offset.IDENTIFICATION), Ipv4Header.protocol(buf, ipOff));
        if (s < 0) {
            nif.drop(frame, Counter.DROP_REASM_NO_SLOT);
            return null;
        }
        int cost = ops.length(frame);
        if (memoryUsed + cost > memoryBudget) {
            nif.drop(frame, Counter.DROP_REASM_MEMORY);
            releaseIfEmpty(s);
            return null;
        }
        int base = s * maxFragments;
        for (int k = 0; k < count[s]; k++) {
            int o = fragOffset[base + k];
            int e = o + fragLength[base + k];
            if (o == offset && e == end) {
                nif.drop(frame, Counter.DROP_REASM_DUPLICATE);
                return null;
            }
            if (offset < e && o < end) {
                abandon(s, frame, Counter.DROP_REASM_OVERLAP);
                return null;
            }
        }
        // A second "last" fragment that disagrees, or data beyond the known end, is as hostile as an overlap.
        if (!more && total[s] >= 0 && total[s] != end || total[s] >= 0 && end > total[s]
                || !more && maxEnd(s) > end) {
            abandon(s, frame, Counter.DROP_REASM_OVERLAP);
            return null;
        }
        if (count[s] == maxFragments) {
            abandon(s, frame, Counter.DROP_REASM_TOO_MANY_FRAGMENTS);
            return null;
        }
        int k = base + count[s]++;
        frames[k] = frame;
        fragOffset[k] = offset;
        fragLength[k] = dataLen;
        fragData[k] = ipOff + hlen;
        if (offset == 0) {
            firstIpOffset[s] = ipOff;
        }
        if (!more) {
            total[s] = end;
        }
        received[s] += dataLen;
        memory[s] += cost;
        memoryUsed += cost;
        return received[s] == total[s] ? assemble(s) : null;
    }

    private int maxEnd(int s) {
        int base = s * maxFragments;
        int max = 0;
        for (int k = 0; k < count[s]; k++) {
            max = Math.max(max, fragOffset[base + k] + fragLength[base + k]);
        }
        return max;
    }

    private int findOrCreate(int source, int destination, int id, int proto) {
        int free = -1;
        for (int s = 0; s < active.length; s++) {
            if (active[s]) {
                if (src[s] == source && dst[s] == destination && ident[s] == id && protocol[s] == proto) {
                    return s;
                }
            } else if (free < 0) {
                free = s;
            }
        }
        if (free >= 0) {
            active[free] = true;
            src[free] = source;
            dst[free] = destination;
            ident[free] = id;
            protocol[free] = proto;
            deadline[free] = nif.now() + timeout;
            count[free] = 0;
            received[free] = 0;
            total[free] = -1;
            memory[free] = 0;
            firstIpOffset[free] = -1;
        }
        return free;
    }

    /** No overlaps and {@code received == total} means the fragments tile {@code [0, total)} exactly. */
    private P assemble(int s) {
        int base = s * maxFragments;
        P first = null;
        for (int k = 0; k < count[s]; k++) {
            if (fragOffset[base + k] == 0) {
                first = frame(base + k);
            }
        }
        ByteBuffer firstBuf = ops.buffer(first);
        int firstIp = firstIpOffset[s];
        int hlen = Ipv4Header.headerLength(firstBuf, firstIp);
        if (hlen + total[s] > 65535) {
            // Each fragment fitted with its own header, but the first one's (with options) heads the datagram.
            release(s, Counter.DROP_REASM_TOO_BIG);
            return null;
        }
        int l2 = nif.l2Length;
        P out = ops.alloc(l2 + hlen + total[s]);
        if (out == null) {
            release(s, Counter.DROP_REASM_NO_BUFFER);
            return null;
        }
        ops.length(out, l2 + hlen + total[s]);
        ByteBuffer outBuf = ops.buffer(out);
        int outOff = ops.offset(out);
        Bytes.copy(firstBuf, firstIp - l2, outBuf, outOff, l2 + hlen);
        int dataStart = outOff + l2 + hlen;
        for (int k = 0; k < count[s]; k++) {
            P f = frame(base + k);
            Bytes.copy(ops.buffer(f), fragData[base + k], outBuf, dataStart + fragOffset[base + k],
                    fragLength[base + k]);
        }
        int ipOff = outOff + l2;
        Bytes.u16(outBuf, ipOff + Ipv4Header.Offset.TOTAL_LENGTH, hlen + total[s]);
        Bytes.u16(outBuf, ipOff + Ipv4Header.Offset.FLAGS_FRAGMENT, 0);
        Ipv4Header.fillChecksum(outBuf, ipOff);
        nif.stats.inc(Counter.REASM_OK);
        freeFragments(s);
        return out;
    }

    @SuppressWarnings("unchecked")
    private P frame(int index) {
        return (P) frames[index];
    }

    private void abandon(int s, P frame, Counter reason) {
        ops.free(frame);
        release(s, reason);
    }

    private void release(int s, Counter reason) {
        nif.stats.inc(reason);
        freeFragments(s);
    }

    private void releaseIfEmpty(int s) {
        if (count[s] == 0) {
            active[s] = false;
        }
    }

    private void freeFragments(int s) {
        int base = s * maxFragments;
        for (int k = 0; k < count[s]; k++) {
            ops.free(frame(base + k));
            frames[base + k] = null;
        }
        memoryUsed -= memory[s];
        count[s] = 0;
        active[s] = false;
    }

    /** Drops datagrams whose time is up; returns the earliest remaining deadline ({@link Long#MAX_VALUE}: none). */
    public long expire(long now) {
        long next = Long.MAX_VALUE;
        for (int s = 0; s < active.length; s++) {
            if (!active[s]) {
                continue;
            }
            if (now - deadline[s] >= 0) {
                release(s, Counter.DROP_REASM_TIMEOUT);
            } else if (deadline[s] < next) {
                next = deadline[s];
            }
        }
        return next;
    }

    /** Frees everything held (when the stack is closed). */
    public void clear() {
        for (int s = 0; s < active.length; s++) {
            if (active[s]) {
                freeFragments(s);
            }
        }
    }
}
