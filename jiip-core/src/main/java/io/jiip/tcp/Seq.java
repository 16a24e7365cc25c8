package io.jiip.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): sequence numbers are raw {@code int}s and are compared
 * only through these, never with {@code <}.
 */
public final class Seq {
    private Seq() {
    }

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** {@code left <= s < left + size}. */
    public static boolean inWindow(int s, int left, int size) {
        return s - left >= 0 && s - left < size;
    }

    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }
}
