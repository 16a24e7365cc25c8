package io.jiip.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Absolute big-endian (network order) access to a {@link ByteBuffer}, whatever order the buffer itself is set to.
 *
 * <p>Every header view reads and writes through these. They never touch the buffer's position or limit, so one
 * buffer can be shared by many packets at different offsets (how an FFM or AF_XDP backend presents its memory).
 * Unsigned 8- and 16-bit fields come back as {@code int}; 32-bit fields as raw {@code int} bits.
 */
public final class Bytes {
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    public static int u8(ByteBuffer buf, int index) {
        return buf.get(index) & 0xff;
    }

    public static void u8(ByteBuffer buf, int index, int value) {
        buf.put(index, (byte) value);
    }

    public static int u16(ByteBuffer buf, int index) {
        return ((short) SHORT.get(buf, index)) & 0xffff;
    }

    public static void u16(ByteBuffer buf, int index, int value) {
        SHORT.set(buf, index, (short) value);
    }

    public static int i32(ByteBuffer buf, int index) {
        return (int) INT.get(buf, index);
    }

    public static void i32(ByteBuffer buf, int index, int value) {
        INT.set(buf, index, value);
    }

    public static long i64(ByteBuffer buf, int index) {
        return (long) LONG.get(buf, index);
    }

    /** Reads a 48-bit MAC address stored at {@code index} into the low bits of a {@code long}. */
    public static long mac(ByteBuffer buf, int index) {
        return ((long) u16(buf, index) << 32) | (i32(buf, index + 2) & 0xffffffffL);
    }

    /** Writes the low 48 bits of {@code mac} at {@code index}. */
    public static void mac(ByteBuffer buf, int index, long mac) {
        u16(buf, index, (int) (mac >>> 32));
        i32(buf, index + 2, (int) mac);
    }

    /** Copies up to this many bytes word by word: below it the bulk copy's fixed cost exceeds the bytes' own. */
    private static final int SMALL_COPY = 64;

    /**
     * Copies {@code len} bytes between two buffers by absolute index (they may be the same buffer, not overlapping).
     * The one copy routine of the stack: headers, small payloads (a 1-byte request, a 66-byte frame) and bulk data.
     */
    public static void copy(ByteBuffer src, int srcIndex, ByteBuffer dst, int dstIndex, int len) {
        if (len > SMALL_COPY) {
            dst.put(dstIndex, src, srcIndex, len);
            return;
        }
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            LONG.set(dst, dstIndex + i, (long) LONG.get(src, srcIndex + i));
        }
        for (; i < len; i++) {
            dst.put(dstIndex + i, src.get(srcIndex + i));
        }
    }

    /** Fills {@code len} bytes with zero. */
    public static void zero(ByteBuffer buf, int index, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            LONG.set(buf, index + i, 0L);
        }
        for (; i < len; i++) {
            buf.put(index + i, (byte) 0);
        }
    }
}
