package io.jiip.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The libc calls jiip-io makes, bound once through the FFM linker (no JNI, no library of our own). Every call
 * captures {@code errno} into a per-caller state segment ({@link Linker.Option#captureCallState}), so the error of
 * a failed call is read without racing other threads.
 *
 * <p>On the per-frame path ({@code read}, {@code readv}, {@code writev}, {@code ppoll}) pointers are passed as
 * {@code long} addresses (the same register class on the supported 64-bit ABIs): no {@link MemorySegment} is made
 * per call, so a frame costs no allocation.
 *
 * <p>Constants are Linux's asm-generic values, valid on x86-64 and AArch64 (the architectures {@link #check}
 * accepts).
 */
final class Native {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final short POLLIN = 1;

    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;

    private static final String UNAVAILABLE;
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle READ;
    private static final MethodHandle READV;
    private static final MethodHandle WRITE;
    private static final MethodHandle WRITEV;
    private static final MethodHandle IOCTL_PTR;
    private static final MethodHandle IOCTL_VALUE;
    private static final MethodHandle PPOLL;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle SETNS;
    private static final MethodHandle SOCKET;
    private static final MethodHandle STRERROR;

    static {
        String cause = null;
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle read = null;
        MethodHandle readv = null;
        MethodHandle write = null;
        MethodHandle writev = null;
        MethodHandle ioctlPtr = null;
        MethodHandle ioctlValue = null;
        MethodHandle ppoll = null;
        MethodHandle eventfd = null;
        MethodHandle setns = null;
        MethodHandle socket = null;
        MethodHandle strerror = null;
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            cause = "TAP needs Linux (this is " + os + ")";
        } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            cause = "jiip-io supports x86-64 and AArch64 (this is " + arch + ")";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                open = bind(linker, libc, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                        Linker.Option.firstVariadicArg(2), ERRNO);
                close = bind(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
                read = bind(linker, libc, "read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG),
                        ERRNO);
                readv = bind(linker, libc, "readv",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO);
                write = bind(linker, libc, "write",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO);
                writev = bind(linker, libc, "writev",
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO);
                ioctlPtr = bind(linker, libc, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                        Linker.Option.firstVariadicArg(2), ERRNO);
                ioctlValue = bind(linker, libc, "ioctl",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                        Linker.Option.firstVariadicArg(2), ERRNO);
                ppoll = bind(linker, libc, "ppoll",
                        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), ERRNO);
                eventfd = bind(linker, libc, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
                setns = bind(linker, libc, "setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
                socket = bind(linker, libc, "socket",
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
                strerror = linker.downcallHandle(libc.find("strerror").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, JAVA_INT));
            } catch (Throwable t) {
                cause = "cannot bind libc through FFM: " + t;
            }
        }
        UNAVAILABLE = cause;
        OPEN = open;
        CLOSE = close;
        READ = read;
        READV = readv;
        WRITE = write;
        WRITEV = writev;
        IOCTL_PTR = ioctlPtr;
        IOCTL_VALUE = ioctlValue;
        PPOLL = ppoll;
        EVENTFD = eventfd;
        SETNS = setns;
        SOCKET = socket;
        STRERROR = strerror;
    }

    private Native() {
    }

    private static MethodHandle bind(Linker linker, SymbolLookup libc, String name,
            FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
        return linker.downcallHandle(symbol, fd, options);
    }

    /** {@code null} when the calls are bound, else why not. */
    static String unavailabilityCause() {
        return UNAVAILABLE;
    }

    static void check() throws NativeException {
        if (UNAVAILABLE != null) {
            throw new NativeException(UNAVAILABLE);
        }
    }

    /** A segment for {@code errno}: one per thread that makes calls (each queue and loop owns one). */
    static MemorySegment newState(Arena arena) {
        return arena.allocate(STATE_LAYOUT);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, 0L);
    }

    /** The libc message of an errno value, e.g. "Operation not permitted". */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** An exception naming the failed call, its errno and what the errno means. */
    static NativeException error(String call, MemorySegment state) {
        int e = errno(state);
        return new NativeException(call, e, strerror(e));
    }

    static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(MemorySegment state, int fd, long address, long length) {
        try {
            return (long) READ.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long readv(MemorySegment state, int fd, long iov, int count) {
        try {
            return (long) READV.invokeExact(state, fd, iov, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(MemorySegment state, int fd, long address, long length) {
        try {
            return (long) WRITE.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long writev(MemorySegment state, int fd, long iov, int count) {
        try {
            return (long) WRITEV.invokeExact(state, fd, iov, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctlValue(MemorySegment state, int fd, long request, long arg) {
        try {
            return (int) IOCTL_VALUE.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ppoll(MemorySegment state, long fds, long count, long timespec) {
        try {
            return (int) PPOLL.invokeExact(state, fds, count, timespec, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setns(MemorySegment state, int fd, int type) {
        try {
            return (int) SETNS.invokeExact(state, fd, type);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Opens {@code path} read-only or read-write; throws with errno on failure. */
    static int openOrThrow(Arena arena, MemorySegment state, String path, int flags) throws NativeException {
        int fd = open(state, arena.allocateFrom(path), flags);
        if (fd < 0) {
            int e = errno(state);
            throw new NativeException("open(" + path + ")", e, strerror(e));
        }
        return fd;
    }

    /** Closes quietly (used on error and cleanup paths); returns the errno, or 0. */
    static int closeQuietly(MemorySegment state, int fd) {
        if (fd < 0) {
            return 0;
        }
        return close(state, fd) < 0 ? errno(state) : 0;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
