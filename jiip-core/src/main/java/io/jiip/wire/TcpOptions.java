package io.jiip.wire;

import java.nio.ByteBuffer;

/**
 * TCP options (RFC 9293 §3.2): a reusable holder filled by {@link #parse}, and static writers that emit each
 * option at an index and return the bytes written. Options we do not know are skipped by their length.
 */
public final class TcpOptions {
    public static final int KIND_END = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;

    /**
     * Option lengths: {@code *_LENGTH} as in the option's length byte, {@code *_ALIGNED_LENGTH} as the writers emit
     * it, NOPs before it keeping the options 32-bit aligned (the layout RFC 7323 Appendix A recommends).
     */
    public static final int MSS_LENGTH = 4;
    public static final int WINDOW_SCALE_LENGTH = 3;
    public static final int WINDOW_SCALE_ALIGNED_LENGTH = 4;
    public static final int SACK_PERMITTED_LENGTH = 2;
    public static final int SACK_PERMITTED_ALIGNED_LENGTH = 4;
    public static final int TIMESTAMPS_LENGTH = 10;
    public static final int TIMESTAMPS_ALIGNED_LENGTH = 12;
    /** One SACK block: left and right edge. */
    public static final int SACK_BLOCK_LENGTH = 8;

    /** Most SACK blocks an option can carry (40 bytes of options). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** {@link #parse} results. */
    public static final int OK = 0;
    public static final int MALFORMED = 1;

    /** MSS option value, or -1 when absent. */
    public int mss;
    /** Window scale shift as sent (not yet capped), or -1 when absent. */
    public int windowScale;
    public boolean sackPermitted;
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;
    public int sackBlocks;
    public final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    public final int[] sackRight = new int[MAX_SACK_BLOCKS];

    /** An empty holder; {@link #parse} fills it. */
    public TcpOptions() {
    }

    /** Parses the options area {@code [off, off + len)}; fields of absent options are reset. */
    public int parse(ByteBuffer buf, int off, int len) {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        sackBlocks = 0;
        int i = off;
        int end = off + len;
        while (i < end) {
            int kind = Bytes.u8(buf, i);
            if (kind == KIND_END) {
                return OK;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return MALFORMED;
            }
            int optLen = Bytes.u8(buf, i + 1);
            if (optLen < 2 || i + optLen > end) {
                return MALFORMED;
            }
            switch (kind) {
                case KIND_MSS:
                    if (optLen != MSS_LENGTH) {
                        return MALFORMED;
                    }
                    mss = Bytes.u16(buf, i + 2);
                    break;
                case KIND_WINDOW_SCALE:
                    if (optLen != WINDOW_SCALE_LENGTH) {
                        return MALFORMED;
                    }
                    windowScale = Bytes.u8(buf, i + 2);
                    break;
                case KIND_SACK_PERMITTED:
                    if (optLen != SACK_PERMITTED_LENGTH) {
                        return MALFORMED;
                    }
                    sackPermitted = true;
                    break;
                case KIND_TIMESTAMPS:
                    if (optLen != TIMESTAMPS_LENGTH) {
                        return MALFORMED;
                    }
                    timestamps = true;
                    tsVal = Bytes.i32(buf, i + 2);
                    tsEcr = Bytes.i32(buf, i + 6);
                    break;
                case KIND_SACK:
                    if ((optLen - 2) % SACK_BLOCK_LENGTH != 0) {
                        return MALFORMED;
                    }
                    sackBlocks = Math.min(MAX_SACK_BLOCKS, (optLen - 2) / SACK_BLOCK_LENGTH);
                    for (int b = 0; b < sackBlocks; b++) {
                        sackLeft[b] = Bytes.i32(buf, i + 2 + SACK_BLOCK_LENGTH * b);
                        sackRight[b] = Bytes.i32(buf, i + 6 + SACK_BLOCK_LENGTH * b);
                    }
                    break;
                default:
                    break; // unknown options are ignored (RFC 9293 §3.2, MUST-6)
            }
            i += optLen;
        }
        return OK;
    }

    /** MSS option ({@link #MSS_LENGTH} bytes). */
    public static int writeMss(ByteBuffer buf, int off, int mss) {
        Bytes.u8(buf, off, KIND_MSS);
        Bytes.u8(buf, off + 1, MSS_LENGTH);
        Bytes.u16(buf, off + 2, mss);
        return MSS_LENGTH;
    }

    /** NOP + window scale ({@link #WINDOW_SCALE_ALIGNED_LENGTH} bytes). */
    public static int writeWindowScale(ByteBuffer buf, int off, int shift) {
        Bytes.u8(buf, off, KIND_NOP);
        Bytes.u8(buf, off + 1, KIND_WINDOW_SCALE);
        Bytes.u8(buf, off + 2, WINDOW_SCALE_LENGTH);
        Bytes.u8(buf, off + 3, shift);
        return WINDOW_SCALE_ALIGNED_LENGTH;
    }

    /** NOP, NOP + SACK-permitted ({@link #SACK_PERMITTED_ALIGNED_LENGTH} bytes). */
    public static int writeSackPermitted(ByteBuffer buf, int off) {
        Bytes.u8(buf, off, KIND_NOP);
        Bytes.u8(buf, off + 1, KIND_NOP);
        Bytes.u8(buf, off + 2, KIND_SACK_PERMITTED);
        Bytes.u8(buf, off + 3, SACK_PERMITTED_LENGTH);
        return SACK_PERMITTED_ALIGNED_LENGTH;
    }

    /** NOP, NOP + timestamps ({@link #TIMESTAMPS_ALIGNED_LENGTH} bytes, RFC 7323 Appendix A). */
    public static int writeTimestamps(ByteBuffer buf, int off, int tsVal, int tsEcr) {
        Bytes.u8(buf, off, KIND_NOP);
        Bytes.u8(buf, off + 1, KIND_NOP);
        Bytes.u8(buf, off + 2, KIND_TIMESTAMPS);
        Bytes.u8(buf, off + 3, TIMESTAMPS_LENGTH);
        Bytes.i32(buf, off + 4, tsVal);
        Bytes.i32(buf, off + 8, tsEcr);
        return TIMESTAMPS_ALIGNED_LENGTH;
    }

    /** Bytes {@link #writeSack} emits for {@code count} blocks: two NOPs, kind, length and the blocks. */
    public static int sackAlignedLength(int count) {
        return 4 + SACK_BLOCK_LENGTH * count;
    }

    /** NOP, NOP + SACK with {@code count} blocks ({@link #sackAlignedLength} bytes). */
    public static int writeSack(ByteBuffer buf, int off, int[] left, int[] right, int count) {
        Bytes.u8(buf, off, KIND_NOP);
        Bytes.u8(buf, off + 1, KIND_NOP);
        Bytes.u8(buf, off + 2, KIND_SACK);
        Bytes.u8(buf, off + 3, 2 + SACK_BLOCK_LENGTH * count);
        for (int b = 0; b < count; b++) {
            Bytes.i32(buf, off + 4 + SACK_BLOCK_LENGTH * b, left[b]);
            Bytes.i32(buf, off + 8 + SACK_BLOCK_LENGTH * b, right[b]);
        }
        return sackAlignedLength(count);
    }
}
