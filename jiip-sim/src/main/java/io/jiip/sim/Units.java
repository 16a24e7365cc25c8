package io.jiip.sim;

import java.util.Locale;

/** Time and rate units for scenarios: nanoseconds and bits per second, as plain {@code long}s. */
public final class Units {
    public static final long MICROSECOND = 1_000L;
    public static final long MILLISECOND = 1_000_000L;
    public static final long SECOND = 1_000_000_000L;

    private Units() {
    }

    public static long us(double v) {
        return Math.round(v * MICROSECOND);
    }

    public static long ms(double v) {
        return Math.round(v * MILLISECOND);
    }

    public static long seconds(double v) {
        return Math.round(v * SECOND);
    }

    public static long kbps(double v) {
        return Math.round(v * 1e3);
    }

    public static long mbps(double v) {
        return Math.round(v * 1e6);
    }

    public static long gbps(double v) {
        return Math.round(v * 1e9);
    }

    /** "12.345 s", "3.2 ms", "800 ns". */
    public static String formatTime(long nanos) {
        if (nanos >= SECOND) {
            return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
        }
        if (nanos >= MILLISECOND) {
            return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
        }
        if (nanos >= MICROSECOND) {
            return String.format(Locale.ROOT, "%.3f us", nanos / 1e3);
        }
        return nanos + " ns";
    }

    /** "94.2 Mbit/s". */
    public static String formatRate(double bitsPerSecond) {
        if (bitsPerSecond >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", bitsPerSecond / 1e9);
        }
        if (bitsPerSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f Mbit/s", bitsPerSecond / 1e6);
        }
        if (bitsPerSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.2f kbit/s", bitsPerSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f bit/s", bitsPerSecond);
    }

    /** "1.50 MB" (powers of 1000). */
    public static String formatBytes(long bytes) {
        if (bytes >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
        }
        if (bytes >= 1_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        return bytes + " B";
    }
}
