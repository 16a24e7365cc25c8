package io.jiip.wire;

/** MAC addresses carried as the low 48 bits of a {@code long}: no objects on the packet path. */
public final class MacAddress {
    private MacAddress() {
    }

    /** Parses {@code "02:00:00:00:00:01"} (also accepts {@code '-'} separators). */
    public static long parse(String text) {
        String[] parts = text.split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (String part : parts) {
            int v = Integer.parseInt(part, 16);
            if (v < 0 || v > 0xff || part.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            mac = (mac << 8) | v;
        }
        return mac;
    }

    public static String toString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int v = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(v >>> 4, 16)).append(Character.forDigit(v & 0xf, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
