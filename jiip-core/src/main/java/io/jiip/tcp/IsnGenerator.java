package io.jiip.tcp;

/**
 * Initial sequence numbers per RFC 6528: {@code ISN = M + F(localip, localport, remoteip, remoteport, key)} where M
 * is a 4-microsecond clock and F is SipHash-2-4 keyed with a 128-bit secret of this context. Off-path attackers
 * cannot predict it, and ISNs of successive incarnations of one 4-tuple still advance with the clock.
 */
final class IsnGenerator {
    private final long k0;
    private final long k1;

    IsnGenerator(byte[] key) {
        if (key.length != 16) {
            throw new IllegalArgumentException("ISN key must be 16 bytes");
        }
        this.k0 = le64(key, 0);
        this.k1 = le64(key, 8);
    }

    int isn(int localIp, int localPort, int remoteIp, int remotePort, long nowNanos) {
        long m0 = ((long) localIp << 32) | (remoteIp & 0xffffffffL);
        long m1 = ((long) localPort << 16) | remotePort;
        return (int) (nowNanos / 4000) + (int) sipHash24(m0, m1);
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }

    private long v0;
    private long v1;
    private long v2;
    private long v3;

    /** SipHash-2-4 of a 16-byte message given as two 64-bit words (Aumasson and Bernstein, 2012). */
    long sipHash24(long m0, long m1) {
        v0 = 0x736f6d6570736575L ^ k0;
        v1 = 0x646f72616e646f6dL ^ k1;
        v2 = 0x6c7967656e657261L ^ k0;
        v3 = 0x7465646279746573L ^ k1;
        compress(m0);
        compress(m1);
        compress(16L << 56); // final word: the message length in the top byte, no trailing bytes
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            round();
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void compress(long m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }

    private void round() {
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
    }
}
