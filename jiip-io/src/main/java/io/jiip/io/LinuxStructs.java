package io.jiip.io;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The C structures jiip-io hands to the kernel, as FFM layouts of the LP64 ABI of x86-64 and AArch64 (the
 * architectures {@link Native#check} accepts). Fields carry their C names; offsets and sizes follow from the
 * layouts. The accessors go through static final {@link VarHandle}s, which the JIT treats as constants, so the
 * per-frame iovec and pollfd writes cost no allocation.
 *
 * <p>Pointers on the per-frame path are {@code long} addresses (see {@link Native}), so {@code iov_base} is laid out
 * as {@link java.lang.foreign.ValueLayout#JAVA_LONG}: the same 8 bytes as {@code void *} on these ABIs, written
 * without making a {@link MemorySegment}.
 */
final class LinuxStructs {
    /** Bytes of an interface name, its terminating NUL included ({@code <net/if.h>}). */
    static final int IFNAMSIZ = 16;

    /** {@code struct iovec} ({@code <sys/uio.h>}): a buffer of {@code readv}/{@code writev}. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");

    /** {@code struct pollfd} ({@code <poll.h>}): one descriptor of {@code ppoll}. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");

    /** {@code struct timespec} with a 64-bit {@code time_t}, as on every LP64 Linux. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec")).withName("timespec");

    /** {@code struct sockaddr}: the family, then the address (for {@code SIOCGIFHWADDR}, the MAC). */
    static final StructLayout SOCKADDR = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sa_family"),
            MemoryLayout.sequenceLayout(14, JAVA_BYTE).withName("sa_data")).withName("sockaddr");

    /** {@code struct ifmap}: never used, but the largest member of ifreq's union, so what sizes it. */
    private static final StructLayout IFMAP = MemoryLayout.structLayout(
            JAVA_LONG.withName("mem_start"),
            JAVA_LONG.withName("mem_end"),
            JAVA_SHORT.withName("base_addr"),
            JAVA_BYTE.withName("irq"),
            JAVA_BYTE.withName("dma"),
            JAVA_BYTE.withName("port"),
            MemoryLayout.paddingLayout(3)).withName("ifmap");

    /**
     * {@code struct ifreq} ({@code <net/if.h>}): the interface name, then a union of which jiip uses
     * {@code ifr_flags}, {@code ifr_mtu} and {@code ifr_hwaddr} (the members it does not use are left out, except
     * those that give the union its size and alignment).
     */
    static final StructLayout IFREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifr_name"),
            MemoryLayout.unionLayout(
                    SOCKADDR.withName("ifru_hwaddr"),
                    JAVA_SHORT.withName("ifru_flags"),
                    JAVA_INT.withName("ifru_mtu"),
                    IFMAP.withName("ifru_map"),
                    ADDRESS.withName("ifru_data")).withName("ifr_ifru")).withName("ifreq");

    private static final VarHandle IOV_BASE = IOVEC.arrayElementVarHandle(groupElement("iov_base"));
    private static final VarHandle IOV_LEN = IOVEC.arrayElementVarHandle(groupElement("iov_len"));
    private static final VarHandle POLL_FD = POLLFD.arrayElementVarHandle(groupElement("fd"));
    private static final VarHandle POLL_EVENTS = POLLFD.arrayElementVarHandle(groupElement("events"));
    private static final VarHandle POLL_REVENTS = POLLFD.arrayElementVarHandle(groupElement("revents"));
    private static final VarHandle TV_SEC = TIMESPEC.varHandle(groupElement("tv_sec"));
    private static final VarHandle TV_NSEC = TIMESPEC.varHandle(groupElement("tv_nsec"));
    private static final VarHandle IFR_FLAGS = IFREQ.varHandle(groupElement("ifr_ifru"), groupElement("ifru_flags"));
    private static final VarHandle IFR_MTU = IFREQ.varHandle(groupElement("ifr_ifru"), groupElement("ifru_mtu"));
    static final long IFR_HWADDR_DATA =
            IFREQ.byteOffset(groupElement("ifr_ifru"), groupElement("ifru_hwaddr"), groupElement("sa_data"));

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private LinuxStructs() {
    }

    /** Sets element {@code i} of an iovec array to the {@code length} bytes at native address {@code base}. */
    static void iovec(MemorySegment iovecs, int i, long base, long length) {
        IOV_BASE.set(iovecs, 0L, (long) i, base);
        IOV_LEN.set(iovecs, 0L, (long) i, length);
    }

    /** Sets element {@code i} of a pollfd array to watch {@code fd} for {@code events}, clearing {@code revents}. */
    static void pollfd(MemorySegment pollfds, int i, int fd, short events) {
        POLL_FD.set(pollfds, 0L, (long) i, fd);
        POLL_EVENTS.set(pollfds, 0L, (long) i, events);
        POLL_REVENTS.set(pollfds, 0L, (long) i, (short) 0);
    }

    /** The events the kernel reported for element {@code i} of a pollfd array. */
    static short revents(MemorySegment pollfds, int i) {
        return (short) POLL_REVENTS.get(pollfds, 0L, (long) i);
    }

    /** Sets a timespec to a non-negative duration in nanoseconds. */
    static void timespec(MemorySegment timespec, long nanos) {
        TV_SEC.set(timespec, 0L, nanos / NANOS_PER_SECOND);
        TV_NSEC.set(timespec, 0L, nanos % NANOS_PER_SECOND);
    }

    /** Clears an ifreq and writes the interface name (at most {@code IFNAMSIZ - 1} bytes, NUL-terminated). */
    static void ifreq(MemorySegment ifr, String name) {
        ifr.fill((byte) 0);
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, ifr, JAVA_BYTE, 0, Math.min(b.length, IFNAMSIZ - 1));
    }

    /** The interface name of an ifreq. */
    static String ifrName(MemorySegment ifr) {
        return ifr.getString(0, StandardCharsets.UTF_8);
    }

    static short ifrFlags(MemorySegment ifr) {
        return (short) IFR_FLAGS.get(ifr, 0L);
    }

    static void ifrFlags(MemorySegment ifr, short flags) {
        IFR_FLAGS.set(ifr, 0L, flags);
    }

    static int ifrMtu(MemorySegment ifr) {
        return (int) IFR_MTU.get(ifr, 0L);
    }

    static void ifrMtu(MemorySegment ifr, int mtu) {
        IFR_MTU.set(ifr, 0L, mtu);
    }

    /** The 6-byte MAC address of {@code ifr_hwaddr}, most significant byte first. */
    static long ifrHwaddr(MemorySegment ifr) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (ifr.get(JAVA_BYTE, IFR_HWADDR_DATA + i) & 0xff);
        }
        return mac;
    }
}
