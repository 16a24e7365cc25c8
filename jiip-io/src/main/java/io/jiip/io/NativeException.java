package io.jiip.io;

import java.io.IOException;

/** A failed system call: which call, its {@code errno}, and the libc message. */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    NativeException(String message) {
        super(message);
        this.call = null;
        this.errno = 0;
    }

    NativeException(String call, int errno, String description) {
        super(call + " failed: " + description + " (errno " + errno + ")" + hint(call, errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, e.g. {@code ioctl(TUNSETIFF)}; {@code null} when no call was made. */
    public String call() {
        return call;
    }

    /** The {@code errno} value; 0 when no call was made. */
    public int errno() {
        return errno;
    }

    private static String hint(String call, int errno) {
        if (errno == 1 || errno == 13) {
            return ": needs root or CAP_NET_ADMIN";
        }
        if (errno == 16 && call.contains("TUNSETIFF")) {
            return ": the interface exists with other flags or is attached to another process";
        }
        if (errno == 2 && call.contains("/dev/net/tun")) {
            return ": the tun module is not loaded (modprobe tun)";
        }
        return "";
    }
}
