package io.jiip.io.app;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The bytes of {@code /bytes/N} responses and test files: byte {@code i} of a stream is {@code i % 251}. A prime
 * period, so that shifted, lost or duplicated blocks of any power-of-two size change the content.
 */
public final class Pattern {
    public static final int PERIOD = 251;

    private Pattern() {
    }

    public static byte at(long position) {
        return (byte) (position % PERIOD);
    }

    /** Fills {@code buf[index, index + len)} with the pattern starting at stream position {@code position}. */
    public static void fill(ByteBuffer buf, int index, int len, long position) {
        int v = (int) (position % PERIOD);
        for (int i = 0; i < len; i++) {
            buf.put(index + i, (byte) v);
            if (++v == PERIOD) {
                v = 0;
            }
        }
    }

    /** The hex SHA-256 of the first {@code length} bytes of the pattern. */
    public static String sha256(long length) {
        MessageDigest md = sha256();
        byte[] block = new byte[PERIOD * 4096];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i % PERIOD);
        }
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(left, block.length);
            md.update(block, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses sizes like {@code 1g}, {@code 256m}, {@code 64k}, {@code 1000} (binary units). */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }
}
