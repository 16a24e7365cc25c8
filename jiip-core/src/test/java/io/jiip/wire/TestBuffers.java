package io.jiip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Places test bytes in every kind of buffer a header view must work on, and runs an assertion against each.
 *
 * <p>The tight variants have a capacity of exactly the placed length, so any read or write past the end throws.
 * The shared variant puts the bytes at an odd offset inside one big buffer filled with a canary byte, and checks
 * afterwards that nothing outside the placed range was written.
 */
final class TestBuffers {
    static final int SHARED_CAPACITY = 64 * 1024;
    static final int SHARED_OFFSET = 4093;
    static final byte CANARY = (byte) 0xa5;

    enum Variant {
        /** {@code ByteBuffer.allocate}, big-endian, offset 0. */
        HEAP,
        /** {@code ByteBuffer.allocateDirect}, big-endian, offset 0. */
        DIRECT,
        /** Heap buffer set to little-endian: views must ignore the buffer's order. */
        HEAP_LITTLE_ENDIAN,
        /** Direct buffer set to little-endian. */
        DIRECT_LITTLE_ENDIAN,
        /** A heap slice with a non-zero array offset (views must not assume {@code arrayOffset() == 0}). */
        HEAP_SLICE,
        /** Offset 4093 of one 64 KiB little-endian direct buffer, surrounded by canary bytes. */
        SHARED_AT_4093
    }

    /** A copy of some bytes at {@code off} inside {@code buf}. */
    record Region(Variant variant, ByteBuffer buf, int off, int len) {

        /** The placed range as it is now. */
        byte[] bytes() {
            return TestBuffers.copyOut(buf, off, len);
        }

        /** Asserts that the views left position and limit alone and did not write outside the placed range. */
        void assertIntact() {
            assertEquals(0, buf.position(), "position moved");
            assertEquals(buf.capacity(), buf.limit(), "limit moved");
            if (variant == Variant.SHARED_AT_4093) {
                byte[] all = new byte[buf.capacity()];
                buf.get(0, all);
                for (int i = 0; i < all.length; i++) {
                    if ((i < off || i >= off + len) && all[i] != CANARY) {
                        throw new AssertionError("byte " + i + " outside [" + off + ", " + (off + len)
                                + ") was overwritten");
                    }
                }
            }
        }
    }

    @FunctionalInterface
    interface Body {
        void accept(ByteBuffer buf, int off);
    }

    @FunctionalInterface
    interface RegionBody {
        void accept(Region region);
    }

    private TestBuffers() {
    }

    /** Parses hex digits, ignoring whitespace (so fixtures can be laid out field by field). */
    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    static String toHex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    static byte[] copyOut(ByteBuffer buf, int off, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = buf.get(off + i);
        }
        return out;
    }

    static Region place(Variant variant, byte[] content) {
        int n = content.length;
        ByteBuffer buf;
        int off = 0;
        switch (variant) {
            case HEAP -> buf = ByteBuffer.allocate(n);
            case DIRECT -> buf = ByteBuffer.allocateDirect(n);
            case HEAP_LITTLE_ENDIAN -> buf = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            case DIRECT_LITTLE_ENDIAN -> buf = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
            case HEAP_SLICE -> {
                byte[] backing = new byte[n + 14];
                Arrays.fill(backing, CANARY);
                buf = ByteBuffer.wrap(backing, 7, n).slice();
            }
            case SHARED_AT_4093 -> {
                // 64 KiB, or more for content that would not fit behind the offset (a maximal IPv4 datagram)
                int capacity = Math.max(SHARED_CAPACITY, SHARED_OFFSET + n + 64);
                buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < capacity; i++) {
                    buf.put(i, CANARY);
                }
                off = SHARED_OFFSET;
            }
            default -> throw new AssertionError(variant);
        }
        for (int i = 0; i < n; i++) {
            buf.put(off + i, content[i]);
        }
        return new Region(variant, buf, off, n);
    }

    /** Runs {@code body} against a fresh copy of {@code content} in every variant, labelling failures. */
    static void forEachVariant(byte[] content, Body body) {
        forEachRegion(content, region -> body.accept(region.buf(), region.off()));
    }

    /** Runs {@code body} against {@code len} zero bytes in every variant. */
    static void forEachZeroed(int len, RegionBody body) {
        forEachRegion(new byte[len], body);
    }

    static void forEachRegion(byte[] content, RegionBody body) {
        for (Variant variant : Variant.values()) {
            Region region = place(variant, content);
            try {
                body.accept(region);
                region.assertIntact();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(variant + ": " + e.getMessage(), e);
            }
        }
    }

    /** Asserts that {@code region} now holds exactly {@code expected}, showing both as hex on failure. */
    static void assertBytes(byte[] expected, Region region) {
        byte[] actual = region.bytes();
        if (!Arrays.equals(expected, actual)) {
            assertEquals(toHex(expected), toHex(actual));
        }
    }
}
