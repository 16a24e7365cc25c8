package io.jiip.wire;

/** MAC addresses carried as the low 48 bits of a {@code long}: no objects on the packet path. */
public final class MacAddress {
    private MacAddress() {
    }

    /** Parses {@code "02:00:00:00:00:01"} (also accepts {@code '-'} separators). */
    public static long parse(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            int v = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                int d = c < 0x80 ? Character.digit(c, 16) : -1; // ASCII hex digits only: no sign, no full-width digits
                if (d < 0) {
                    throw new IllegalArgumentException("not a MAC address: " + text);
                }
                v = (v << 4) | d;
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
