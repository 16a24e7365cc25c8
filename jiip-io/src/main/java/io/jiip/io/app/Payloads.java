package io.jiip.io.app;

import io.jiip.api.PacketOps;
import io.jiip.link.Packet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers for applications that build payload packets. */
final class Payloads {
    private Payloads() {
    }

    /** A packet holding {@code text} (ASCII/UTF-8), or {@code null} when the pool is empty. */
    static Packet of(PacketOps<Packet> ops, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Packet p = ops.alloc(bytes.length);
        if (p == null) {
            return null;
        }
        ops.buffer(p).put(ops.offset(p), bytes);
        ops.length(p, bytes.length);
        return p;
    }

    /** The ASCII bytes of a constant (protocol text). */
    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Copies {@code len} bytes at {@code off} of {@code buf} into {@code dst} at {@code at}. */
    static void copy(ByteBuffer buf, int off, int len, byte[] dst, int at) {
        buf.get(off, dst, at, len);
    }
}
