package io.jiip.wire;

/** IPv4 addresses carried as {@code int} in network bit order ({@code 10.0.0.1 == 0x0a000001}). */
public final class Ipv4Address {
    public static final int ANY = 0;
    public static final int BROADCAST = 0xffffffff;

    private Ipv4Address() {
    }

    /** Parses dotted-quad notation. */
    public static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int addr = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') { // Integer.parseInt would take a sign and non-ASCII digits
                    throw new IllegalArgumentException("not an IPv4 address: " + text);
                }
            }
            int v = Integer.parseInt(part);
            if (v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            addr = (addr << 8) | v;
        }
        return addr;
    }

    public static String toString(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "." + (addr & 0xff);
    }

    /** Network mask for a prefix length 0..32. */
    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public static boolean isMulticast(int addr) {
        return (addr >>> 28) == 0xe;
    }
}
