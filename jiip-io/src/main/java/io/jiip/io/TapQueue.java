package io.jiip.io;

import io.jiip.api.Nic;
import io.jiip.api.NicFeatures;
import io.jiip.api.RxChecksum;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.ArpHeader;
import io.jiip.wire.Bytes;
import io.jiip.wire.EthernetHeader;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One queue (file descriptor) of a {@link TapDevice}: the {@link Nic} and {@link FrameSource} of one jiip stack,
 * with its own {@link PacketPool} whose memory lies in the device's arena. Used from one thread (the stack's),
 * except {@link #wakeup()}.
 *
 * <p><b>Receive</b> ({@link #receive}): non-blocking {@code readv} straight into pool packets: the virtio header
 * lands in the packet's 12-byte headroom and the frame at its offset, so a frame costs no copy and no allocation.
 * A second iovec catches anything longer than a small slot (a GSO super-frame) in a 64 KiB spill buffer; such a
 * frame is copied into a large slot and handed to the stack whole when it takes super-segments
 * ({@link NicFeatures#LRO}, offered with {@code rxGso}), or else split into MSS-sized segments. Checksum marks
 * become {@link RxChecksum} verdicts ({@link VirtioNetHeader}); when
 * the stack's RX checksum features are switched off, partial checksums are completed in software instead.
 *
 * <p><b>Multi-queue.</b> The kernel steers a flow's packets to the queue that last sent packets of that flow; ARP
 * replies have no flow and always land on one queue, so a queue that receives an ARP reply also hands a copy to
 * every other queue's stack (all stacks of a device share the MAC and IP address).
 *
 * <p><b>Transmit</b> ({@link #push}): one {@code writev} per frame, the 12-byte header from the offload marks in
 * front of the chain's buffers (scatter-gather). TAP writes never block; a refused write is counted and the frame
 * dropped, as a NIC drops on a full ring.
 */
public final class TapQueue implements Nic<Packet>, FrameSource {
    private static final int HDR = VirtioNetHeader.LENGTH;
    private static final int MAX_IOV = 256;
    private static final int SPILL = 65536 + 512;
    private static final int PENDING = Gso.MAX_SEGMENTS;
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;

    private final TapDevice device;
    private final int index;
    private final int fd;
    private final int eventFd;
    private final PacketPool pool;
    private final int baseFeatures;
    private volatile int disabled;
    private volatile boolean closed;

    private final ByteBuffer[] memory;
    private final long[] memoryAddress;
    private int memoryCount;

    private final MemorySegment state;
    private final long rxIov;
    private final MemorySegment rxIovSeg;
    private final long txIov;
    private final MemorySegment txIovSeg;
    private final MemorySegment txHdrSeg;
    private final ByteBuffer txHdr;
    private final long txHdrAddress;
    private final MemorySegment pollSeg;
    private final MemorySegment timespecSeg;
    private final MemorySegment eventBuf;
    private final ByteBuffer spill;
    private final long spillAddress;
    private final int rxAlloc;

    private Packet spare;
    private Packet linearized;
    private final boolean shareArp;
    private final ConcurrentLinkedQueue<byte[]> arpMailbox =
            new ConcurrentLinkedQueue<>();
    private final Packet[] pending = new Packet[PENDING];
    private final Packet[] segments = new Packet[Gso.MAX_SEGMENTS];
    private int pendingHead;
    private int pendingCount;

    private long rxFrames;
    private long rxBytes;
    private long rxNoBuffer;
    private long rxErrors;
    private long rxGsoFrames;
    private long rxGsoSegments;
    private long rxChecksumsCompleted;
    private long txFrames;
    private long txBytes;
    private long txErrors;
    private int lastTxErrno;

    TapQueue(TapDevice device, int index, int fd, Arena arena, TapConfig config, int mtu) throws NativeException {
        this.device = device;
        this.index = index;
        this.fd = fd;
        this.state = Native.newState(arena);
        int small = Math.max(2048, (HDR + EthernetHeader.LENGTH + mtu + 63) & ~63);
        this.memory = new ByteBuffer[4];
        this.memoryAddress = new long[4];
        this.pool = PacketPool.builder()
                .packets(config.packets)
                .small(config.smallSlots, small)
                .large(config.largeSlots, 65536 + 256)
                .headroom(HDR)
                .memory(bytes -> register(arena.allocate(bytes, 4096)))
                .build();
        this.rxAlloc = EthernetHeader.LENGTH + mtu;
        this.shareArp = config.queues > 1;
        this.rxIovSeg = arena.allocate(LinuxStructs.IOVEC, 2);
        this.rxIov = rxIovSeg.address();
        this.txIovSeg = arena.allocate(LinuxStructs.IOVEC, MAX_IOV + 1);
        this.txIov = txIovSeg.address();
        this.txHdrSeg = arena.allocate(VirtioNetHeader.LAYOUT);
        this.txHdr = txHdrSeg.asByteBuffer();
        this.txHdrAddress = txHdrSeg.address();
        this.pollSeg = arena.allocate(LinuxStructs.POLLFD, 2);
        this.timespecSeg = arena.allocate(LinuxStructs.TIMESPEC);
        this.eventBuf = arena.allocate(8, 8);
        MemorySegment spillSeg = arena.allocate(SPILL, 4096);
        this.spill = spillSeg.asByteBuffer();
        this.spillAddress = spillSeg.address();

        int f = 0;
        if (config.txChecksum) {
            f |= NicFeatures.TCP_TX_CSUM | NicFeatures.UDP_TX_CSUM;
        }
        if (config.rxChecksum) {
            f |= NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM;
        }
        if (config.scatterGather) {
            f |= NicFeatures.TX_SCATTER_GATHER;
        }
        if (config.txTso && config.txChecksum) {
            f |= NicFeatures.TCP_TSO;
        }
        if (config.rxGso) {
            f |= NicFeatures.LRO;
        }
        this.baseFeatures = f;

        int efd = Native.eventfd(state, 0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
        if (efd < 0) {
            throw Native.error("eventfd", state);
        }
        this.eventFd = efd;
    }

    private ByteBuffer register(MemorySegment segment) {
        if (memoryCount == memory.length) {
            throw new IllegalStateException("unexpected pool layout");
        }
        ByteBuffer b = segment.asByteBuffer();
        memory[memoryCount] = b;
        memoryAddress[memoryCount] = segment.address();
        memoryCount++;
        return b;
    }

    /** The native address of index 0 of a pool buffer (pool buffers only). */
    private long address(ByteBuffer b) {
        for (int i = 0; i < memoryCount; i++) {
            if (memory[i] == b) {
                return memoryAddress[i];
            }
        }
        throw new IllegalArgumentException("not a buffer of this queue's pool");
    }

    /** The packet pool of this queue: pass it to the stack as its {@code PacketOps}. */
    public PacketPool pool() {
        return pool;
    }

    public TapDevice device() {
        return device;
    }

    public int index() {
        return index;
    }

    // ---- Nic ----

    @Override
    public int features() {
        return baseFeatures & ~disabled;
    }

    /** The features the TAP negotiated and the configuration allows, before {@link #disable}. */
    public int negotiatedFeatures() {
        return baseFeatures;
    }

    /** Switches {@link NicFeatures} off (or back on with 0) at run time; takes effect at the stack's next call. */
    public void disable(int features) {
        this.disabled = features;
    }

    @Override
    public int rxChecksum(Packet frame) {
        return frame.rxChecksum();
    }

    @Override
    public void txOffload(Packet frame, int offloads, int l3Offset, int l4Offset, int segmentSize) {
        frame.txOffload(offloads, l3Offset, l4Offset, segmentSize);
    }

    @Override
    public void push(Packet frame) {
        try {
            if (closed) {
                txErrors++;
                return;
            }
            VirtioNetHeader.writeTx(txHdr, 0, frame.txOffloads(), frame.l4Offset(), frame.segmentSize(),
                    frame.buffer(), frame.offset());
            LinuxStructs.iovec(txIovSeg, 0, txHdrAddress, HDR);
            int count = 1;
            for (Packet p = frame; p != null; p = p.next()) {
                if (count > MAX_IOV) {
                    count = linearize(frame);
                    if (count < 0) {
                        txErrors++;
                        return;
                    }
                    break;
                }
                LinuxStructs.iovec(txIovSeg, count, address(p.buffer()) + p.offset(), p.length());
                count++;
            }
            long r = Native.writev(state, fd, txIov, count);
            if (linearized != null) {
                pool.free(linearized);
                linearized = null;
            }
            if (r < 0) {
                int e = Native.errno(state);
                if (e == Native.EAGAIN || e == Native.ENOBUFS || e == Native.EIO || e == Native.EINTR) {
                    txErrors++;
                    lastTxErrno = e;
                    return;
                }
                throw new UncheckedIOException(Native.error("writev(" + device.name() + ")", state));
            }
            txFrames++;
            txBytes += r - HDR;
        } finally {
            pool.free(frame);
        }
    }

    /**
     * A chain of more than {@link #MAX_IOV} pieces (tiny payload packets behind a 64 KiB super-segment) is copied
     * into one large packet, written as the second iovec; that packet is freed right here (the frame's own
     * packets by the caller). Returns the iovec count, or -1 when no large buffer is free.
     */
    private int linearize(Packet frame) {
        int total = 0;
        for (Packet p = frame; p != null; p = p.next()) {
            total += p.length();
        }
        Packet flat = pool.alloc(total);
        if (flat == null) {
            return -1;
        }
        int at = flat.offset();
        for (Packet p = frame; p != null; p = p.next()) {
            flat.buffer().put(at, p.buffer(), p.offset(), p.length());
            at += p.length();
        }
        LinuxStructs.iovec(txIovSeg, 1, address(flat.buffer()) + flat.offset(), total);
        linearized = flat;
        return 2;
    }

    @Override
    public void flush() {
        // Frames are written in push: a TAP has no doorbell to batch.
    }

    // ---- FrameSource ----

    @Override
    public int receive(Packet[] out, int max) {
        int n = 0;
        byte[] shared;
        while (n < max && (shared = arpMailbox.peek()) != null) {
            Packet p = pool.alloc(shared.length);
            if (p == null) {
                rxNoBuffer++;
                break;
            }
            arpMailbox.poll();
            p.buffer().put(p.offset(), shared);
            pool.length(p, shared.length);
            out[n++] = p;
        }
        while (n < max && pendingCount > 0) {
            out[n++] = pending[pendingHead];
            pending[pendingHead] = null;
            pendingHead = (pendingHead + 1) % PENDING;
            pendingCount--;
        }
        while (n < max && pendingCount == 0 && !closed) {
            Packet p = spare;
            if (p == null) {
                p = pool.alloc(rxAlloc);
                if (p == null) {
                    rxNoBuffer++;
                    break; // the frames wait in the kernel's queue until the stack frees buffers
                }
                spare = p;
            }
            int cap = p.capacity();
            LinuxStructs.iovec(rxIovSeg, 0, address(p.buffer()) + p.offset() - HDR, HDR + cap);
            LinuxStructs.iovec(rxIovSeg, 1, spillAddress, SPILL);
            long r = Native.readv(state, fd, rxIov, 2);
            if (r < 0) {
                int e = Native.errno(state);
                if (e == Native.EAGAIN) {
                    break;
                }
                if (e == Native.EINTR) {
                    continue;
                }
                throw new UncheckedIOException(Native.error("readv(" + device.name() + ")", state));
            }
            if (r < HDR + EthernetHeader.LENGTH) {
                rxErrors++;
                if (r == 0) {
                    break;
                }
                continue; // keep the spare
            }
            spare = null;
            int len = (int) r - HDR;
            ByteBuffer b = p.buffer();
            int h = p.offset() - HDR;
            int flags = b.get(h + VirtioNetHeader.FLAGS) & 0xff;
            int gsoType = b.get(h + VirtioNetHeader.GSO_TYPE) & 0xff & ~VirtioNetHeader.GSO_ECN;
            int gsoSize = VirtioNetHeader.u16le(b, h + VirtioNetHeader.GSO_SIZE);
            int csumStart = VirtioNetHeader.u16le(b, h + VirtioNetHeader.CSUM_START);
            int csumOffset = VirtioNetHeader.u16le(b, h + VirtioNetHeader.CSUM_OFFSET);
            rxFrames++;
            rxBytes += len;
            if (len > cap) {
                Packet big = pool.alloc(len);
                if (big == null) {
                    pool.free(p);
                    rxNoBuffer++;
                    continue;
                }
                big.buffer().put(big.offset(), b, p.offset(), cap);
                big.buffer().put(big.offset() + cap, spill, 0, len - cap);
                pool.free(p);
                p = big;
            }
            pool.length(p, len);
            boolean trust = (features() & (NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM))
                    == (NicFeatures.TCP_RX_CSUM | NicFeatures.UDP_RX_CSUM);
            if (gsoType != VirtioNetHeader.GSO_NONE) {
                rxGsoFrames++;
                if (trust && gsoType == VirtioNetHeader.GSO_TCPV4 && (features() & NicFeatures.LRO) != 0) {
                    p.rxChecksum(RxChecksum.L4_GOOD); // the stack takes the super-segment whole (LRO)
                    out[n++] = p;
                } else {
                    n += split(p, gsoType, gsoSize, trust, out, n, max);
                }
                continue;
            }
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 && !trust) {
                VirtioNetHeader.completeChecksum(p.buffer(), p.offset(), len, csumStart, csumOffset);
                rxChecksumsCompleted++;
                flags &= ~VirtioNetHeader.F_NEEDS_CSUM;
            }
            p.rxChecksum(VirtioNetHeader.rxVerdict(flags));
            int arpOperation = EthernetHeader.LENGTH + ArpHeader.Offset.OPER;
            if (shareArp && len >= arpOperation + Short.BYTES
                    && EthernetHeader.etherType(p.buffer(), p.offset()) == EthernetHeader.TYPE_ARP
                    && Bytes.u16(p.buffer(), p.offset() + arpOperation) == ArpHeader.OP_REPLY) {
                byte[] copy = new byte[len]; // rare (ARP replies), so a copy per frame is fine
                p.buffer().get(p.offset(), copy);
                device.shareArpReply(index, copy);
            }
            out[n++] = p;
        }
        return n;
    }

    private int split(Packet sf, int gsoType, int gsoSize, boolean trust, Packet[] out, int at, int max) {
        int n = Gso.split(pool, sf, gsoType, gsoSize, trust, segments);
        if (n < 0) {
            rxErrors++;
            return 0;
        }
        rxGsoSegments += n;
        int placed = 0;
        for (int i = 0; i < n; i++) {
            Packet s = segments[i];
            segments[i] = null;
            if (at + placed < max) {
                out[at + placed++] = s;
            } else {
                pending[(pendingHead + pendingCount) % PENDING] = s;
                pendingCount++;
            }
        }
        return placed;
    }

    /** An ARP reply another queue received (its stack asked, or will): handed to this queue's stack too. */
    void postArpReply(byte[] frame) {
        if (arpMailbox.size() < 64) {
            arpMailbox.add(frame);
            wakeup();
        }
    }

    @Override
    public void await(long timeoutNanos) {
        if (closed) {
            return;
        }
        if (pendingCount > 0 || !arpMailbox.isEmpty()) {
            return;
        }
        LinuxStructs.pollfd(pollSeg, 0, fd, Native.POLLIN);
        LinuxStructs.pollfd(pollSeg, 1, eventFd, Native.POLLIN);
        long t = timeoutNanos < 0 || timeoutNanos > MAX_WAIT_NANOS ? MAX_WAIT_NANOS : timeoutNanos;
        LinuxStructs.timespec(timespecSeg, t);
        int r = Native.ppoll(state, pollSeg.address(), 2, timespecSeg.address());
        if (r < 0) {
            int e = Native.errno(state);
            if (e == Native.EINTR) {
                return;
            }
            throw new UncheckedIOException(Native.error("ppoll(" + device.name() + ")", state));
        }
        if ((LinuxStructs.revents(pollSeg, 1) & Native.POLLIN) != 0) {
            Native.read(state, eventFd, eventBuf.address(), 8); // reset the counter
        }
    }

    @Override
    public void wakeup() {
        if (closed) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.newState(a);
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            Native.write(st, eventFd, one.address(), 8);
        }
    }

    /** Frees the frames this queue holds (the spare receive buffer, split segments not yet handed out). */
    public void releaseBuffers() {
        if (spare != null) {
            pool.free(spare);
            spare = null;
        }
        while (pendingCount > 0) {
            pool.free(pending[pendingHead]);
            pending[pendingHead] = null;
            pendingHead = (pendingHead + 1) % PENDING;
            pendingCount--;
        }
    }

    void closeFds() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Native.newState(a);
            Native.closeQuietly(st, fd);
            Native.closeQuietly(st, eventFd);
        }
    }

    // ---- counters ----

    public long rxFrames() { return rxFrames; }
    public long rxBytes() { return rxBytes; }
    /** Reads skipped because the pool had no buffer (the frames wait in the kernel). */
    public long rxNoBuffer() { return rxNoBuffer; }
    /** Frames dropped as malformed (runts, GSO frames we cannot split). */
    public long rxErrors() { return rxErrors; }
    public long rxGsoFrames() { return rxGsoFrames; }
    public long rxGsoSegments() { return rxGsoSegments; }
    /** Partial checksums completed in software because RX checksum offload was switched off. */
    public long rxChecksumsCompleted() { return rxChecksumsCompleted; }
    public long txFrames() { return txFrames; }
    public long txBytes() { return txBytes; }
    /** Frames the kernel refused (interface down, no buffer); dropped. */
    public long txErrors() { return txErrors; }
    public int lastTxErrno() { return lastTxErrno; }

    /** The counters in one line. */
    public String counters() {
        List<String> parts = new ArrayList<>();
        parts.add("rx " + rxFrames + " frames " + rxBytes + " B");
        parts.add("tx " + txFrames + " frames " + txBytes + " B");
        if (rxGsoFrames > 0) {
            parts.add("gso " + rxGsoFrames + " -> " + rxGsoSegments + " segments");
        }
        if (rxChecksumsCompleted > 0) {
            parts.add("csum completed " + rxChecksumsCompleted);
        }
        if (rxNoBuffer + rxErrors + txErrors > 0) {
            parts.add("rx no-buffer " + rxNoBuffer + " rx errors " + rxErrors + " tx errors " + txErrors);
        }
        return String.join(", ", parts);
    }

    @Override
    public String toString() {
        return "TapQueue[" + device.name() + "#" + index + "]";
    }
}
