package io.jiip.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Linux TAP interface opened through FFM: {@code /dev/net/tun}, {@code TUNSETIFF}
 * ({@code IFF_TAP|IFF_NO_PI|IFF_VNET_HDR}, plus {@code IFF_MULTI_QUEUE} for several queues),
 * {@code TUNSETVNETHDRSZ 12} and {@code TUNSETOFFLOAD} as configured ({@link TapConfig}). Each queue is one file
 * descriptor and one jiip {@link io.jiip.api.Nic} ({@link TapQueue}) with its own packet pool, for one
 * {@link io.jiip.api.Stack} on one thread.
 *
 * <p>All packet memory of the device comes from one shared {@link Arena}; packets are offsets into it, and
 * {@link #close()} frees it. Stop every thread using a queue before closing.
 *
 * <p>Probe with {@link #isAvailable()} / {@link #unavailabilityCause()} (Netty's native transports do the same):
 * Linux on x86-64 or AArch64 and a usable {@code /dev/net/tun}; creating an interface also needs
 * {@code CAP_NET_ADMIN}.
 *
 * <p><b>Namespaces.</b> With {@link TapConfig.Builder#netns} the device is opened on a short-lived thread that
 * first enters the namespace ({@code setns(CLONE_NEWNET)} on that thread only): the TAP is created inside it, and
 * its file descriptors, used from any thread afterwards, stay bound to it. The rest of the process is unaffected.
 */
public final class TapDevice implements AutoCloseable {
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCSIFMTU = 0x8922;
    static final long SIOCGIFHWADDR = 0x8927;

    static final int IFF_UP = 0x1;
    static final int IFF_TAP = 0x0002;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;

    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;

    private static final String TUN_PATH = "/dev/net/tun";
    private static volatile Throwable unavailable;
    private static volatile boolean probed;

    private final TapConfig config;
    private final Arena arena;
    private final String name;
    private final long kernelMac;
    private final int mtu;
    private final int tunOffloads;
    private final TapQueue[] queues;
    private boolean closed;

    private TapDevice(TapConfig config, Arena arena, String name, long kernelMac, int mtu, int tunOffloads,
            int[] fds) throws NativeException {
        this.config = config;
        this.arena = arena;
        this.name = name;
        this.kernelMac = kernelMac;
        this.mtu = mtu;
        this.tunOffloads = tunOffloads;
        this.queues = new TapQueue[fds.length];
        try {
            for (int i = 0; i < fds.length; i++) {
                queues[i] = new TapQueue(this, i, fds[i], arena, config, mtu);
            }
        } catch (NativeException | RuntimeException e) {
            for (int i = 0; i < fds.length; i++) {
                if (queues[i] != null) {
                    queues[i].closeFds();
                } else {
                    Native.closeQuietly(Native.newState(arena), fds[i]);
                }
            }
            throw e;
        }
    }

    /** {@code true} when TAP devices can be opened here (creating one may still need CAP_NET_ADMIN). */
    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Why {@link #isAvailable()} is false, or {@code null}. */
    public static Throwable unavailabilityCause() {
        if (!probed) {
            synchronized (TapDevice.class) {
                if (!probed) {
                    unavailable = probe();
                    probed = true;
                }
            }
        }
        return unavailable;
    }

    /** Throws the {@link #unavailabilityCause()} if there is one. */
    public static void ensureAvailability() {
        Throwable t = unavailabilityCause();
        if (t != null) {
            throw new UnsupportedOperationException("TAP backend unavailable: " + t.getMessage(), t);
        }
    }

    private static Throwable probe() {
        if (Native.unavailabilityCause() != null) {
            return new NativeException(Native.unavailabilityCause());
        }
        if (!Files.exists(Path.of(TUN_PATH))) {
            return new NativeException(TUN_PATH + " does not exist (no tun module, or a container without it)");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.newState(a);
            int fd = Native.openOrThrow(a, state, TUN_PATH, Native.O_RDWR | Native.O_CLOEXEC);
            Native.closeQuietly(state, fd);
            return null;
        } catch (NativeException e) {
            return e;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    /**
     * Opens (creating if needed) the TAP interface and all its queues, negotiates the vnet header and offloads,
     * and brings it up. Every file descriptor is closed again if any step fails.
     *
     * @throws NativeException naming the failed call and its errno
     */
    public static TapDevice open(TapConfig config) throws IOException {
        ensureAvailable();
        if (config.netns == null) {
            return openHere(config);
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread opener = new Thread(() -> {
            try {
                enterNetns(config.netns);
                result.set(openHere(config));
            } catch (Throwable t) {
                result.set(t);
            }
        }, "jiip-tap-open-" + config.netns);
        opener.start();
        boolean interrupted = false;
        while (true) {
            try {
                opener.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = result.get();
        if (r instanceof TapDevice d) {
            return d;
        }
        if (r instanceof IOException e) {
            throw e;
        }
        if (r instanceof RuntimeException e) {
            throw e;
        }
        if (r instanceof Error e) {
            throw e;
        }
        throw new IOException("opening the TAP failed", (Throwable) r);
    }

    private static void ensureAvailable() throws NativeException {
        Throwable t = unavailabilityCause();
        if (t instanceof NativeException e) {
            throw new NativeException(e.getMessage());
        }
        if (t != null) {
            throw new NativeException(t.toString());
        }
    }

    /** Moves the calling thread (only) into the network namespace {@code /run/netns/NAME}. */
    static void enterNetns(String netns) throws NativeException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = Native.newState(a);
            int fd = Native.openOrThrow(a, state, "/run/netns/" + netns, Native.O_RDONLY | Native.O_CLOEXEC);
            try {
                if (Native.setns(state, fd, Native.CLONE_NEWNET) < 0) {
                    throw Native.error("setns(" + netns + ", CLONE_NEWNET)", state);
                }
            } finally {
                Native.closeQuietly(state, fd);
            }
        }
    }

    private static TapDevice openHere(TapConfig config) throws IOException {
        Arena arena = Arena.ofShared();
        List<Integer> fds = new ArrayList<>();
        boolean ok = false;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = Native.newState(scratch);
            MemorySegment ifr = scratch.allocate(LinuxStructs.IFREQ);
            int flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (config.multiQueue ? IFF_MULTI_QUEUE : 0);
            String name = config.name;
            int offloads = config.tunOffloads();
            for (int q = 0; q < config.queues; q++) {
                int fd = Native.openOrThrow(scratch, state, TUN_PATH,
                        Native.O_RDWR | Native.O_NONBLOCK | Native.O_CLOEXEC);
                fds.add(fd);
                LinuxStructs.ifreq(ifr, name);
                LinuxStructs.ifrFlags(ifr, (short) flags);
                if (Native.ioctl(state, fd, TUNSETIFF, ifr) < 0) {
                    throw Native.error("ioctl(TUNSETIFF, " + name + ")", state);
                }
                name = LinuxStructs.ifrName(ifr); // the kernel fills in "%d"
                MemorySegment size = scratch.allocate(ValueLayout.JAVA_INT);
                size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.LENGTH);
                if (Native.ioctl(state, fd, TUNSETVNETHDRSZ, size) < 0) {
                    throw Native.error("ioctl(TUNSETVNETHDRSZ, 12)", state);
                }
                if (Native.ioctlValue(state, fd, TUNSETOFFLOAD, offloads) < 0) {
                    throw Native.error("ioctl(TUNSETOFFLOAD, 0x" + Integer.toHexString(offloads) + ")", state);
                }
            }
            int sock = Native.socket(state, Native.AF_INET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                throw Native.error("socket(AF_INET)", state);
            }
            long mac;
            int mtu;
            try {
                if (config.mtu != 0) {
                    LinuxStructs.ifreq(ifr, name);
                    LinuxStructs.ifrMtu(ifr, config.mtu);
                    if (Native.ioctl(state, sock, SIOCSIFMTU, ifr) < 0) {
                        throw Native.error("ioctl(SIOCSIFMTU, " + config.mtu + ")", state);
                    }
                }
                if (config.up) {
                    LinuxStructs.ifreq(ifr, name);
                    if (Native.ioctl(state, sock, SIOCGIFFLAGS, ifr) < 0) {
                        throw Native.error("ioctl(SIOCGIFFLAGS)", state);
                    }
                    LinuxStructs.ifrFlags(ifr, (short) (LinuxStructs.ifrFlags(ifr) | IFF_UP));
                    if (Native.ioctl(state, sock, SIOCSIFFLAGS, ifr) < 0) {
                        throw Native.error("ioctl(SIOCSIFFLAGS, up)", state);
                    }
                }
                LinuxStructs.ifreq(ifr, name);
                if (Native.ioctl(state, sock, SIOCGIFMTU, ifr) < 0) {
                    throw Native.error("ioctl(SIOCGIFMTU)", state);
                }
                mtu = LinuxStructs.ifrMtu(ifr);
                LinuxStructs.ifreq(ifr, name);
                if (Native.ioctl(state, sock, SIOCGIFHWADDR, ifr) < 0) {
                    throw Native.error("ioctl(SIOCGIFHWADDR)", state);
                }
                mac = LinuxStructs.ifrHwaddr(ifr);
            } finally {
                Native.closeQuietly(state, sock);
            }
            int[] fdArray = fds.stream().mapToInt(Integer::intValue).toArray();
            TapDevice d = new TapDevice(config, arena, name, mac, mtu, offloads, fdArray);
            ok = true;
            return d;
        } finally {
            if (!ok) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment state = Native.newState(a);
                    for (int fd : fds) {
                        Native.closeQuietly(state, fd);
                    }
                }
                arena.close();
            }
        }
    }

    /** The interface name (with the kernel's number filled in). */
    public String name() {
        return name;
    }

    /** The MAC address of the kernel's side of the TAP (jiip picks its own, another one). */
    public long kernelMac() {
        return kernelMac;
    }

    /** The interface MTU at open. */
    public int mtu() {
        return mtu;
    }

    /** The {@code TUNSETOFFLOAD} flags negotiated ({@link #TUN_F_CSUM}, ...). */
    public int tunOffloads() {
        return tunOffloads;
    }

    public TapConfig config() {
        return config;
    }

    public int queueCount() {
        return queues.length;
    }

    void shareArpReply(int from, byte[] frame) {
        for (TapQueue q : queues) {
            if (q.index() != from) {
                q.postArpReply(frame);
            }
        }
    }

    /** Queue {@code i}: the {@link io.jiip.api.Nic} and packet pool for one stack on one thread. */
    public TapQueue queue(int i) {
        return queues[i];
    }

    /**
     * Closes every queue's file descriptors and frees the packet memory. Call after every thread using a queue
     * has stopped. A non-persistent TAP disappears when its last descriptor closes. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TapQueue q : queues) {
            q.closeFds();
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "TapDevice[" + name + ", " + queues.length + " queue(s), mtu " + mtu + ", TUN_F 0x"
                + Integer.toHexString(tunOffloads) + "]";
    }
}
