package io.jiip.io.app;

/**
 * Reads past a request body in the chunked transfer coding (RFC 9112 §7.1) without keeping it: chunk sizes, chunk
 * extensions, chunk data, the last chunk and the trailer section, fed in whatever pieces the input arrives in.
 * Nothing is allocated; one instance per connection, {@link #start} for each body.
 *
 * <p>Strict as {@link HttpRequestParser} is: lines end in CRLF (a bare CR or LF is an error), a chunk size is at
 * least one hexadecimal digit, control characters are refused in extensions and trailers. Bounded: the body's data
 * at most {@code maxBody} bytes, a chunk-size line (with its extensions) and the trailer section at most
 * {@code maxLine} bytes each; beyond, {@link #TOO_LARGE}.
 */
final class ChunkedBodySkipper {
    /** {@link #take} result: more input is needed. */
    static final int MORE = 0;
    /** {@link #take} result: the body ended (the CRLF after the trailer section was read). */
    static final int DONE = 1;
    /** {@link #take} result: the framing is malformed. */
    static final int MALFORMED = 2;
    /** {@link #take} result: the data or a line is beyond the limits. */
    static final int TOO_LARGE = 3;

    private static final int SIZE = 0;
    private static final int EXTENSION = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER = 7;
    private static final int TRAILER_LF = 8;
    private static final int END_LF = 9;
    private static final int IDLE = 10;

    private final long maxBody;
    private final int maxLine;
    private int state = IDLE;
    private long size;
    private int digits;
    private long dataLeft;
    private long bodyBytes;
    private int lineBytes;
    private int trailerBytes;
    private int consumed;

    ChunkedBodySkipper(long maxBody, int maxLine) {
        this.maxBody = maxBody;
        this.maxLine = maxLine;
    }

    /** A new body begins. */
    void start() {
        state = SIZE;
        size = 0;
        digits = 0;
        bodyBytes = 0;
        lineBytes = 0;
        trailerBytes = 0;
    }

    /** Whether a body is being read ({@link #start} was called and it has not ended or failed). */
    boolean active() {
        return state != IDLE;
    }

    /** Bytes of input the last {@link #take} used (all up to the end of the body, or to the error). */
    int consumed() {
        return consumed;
    }

    /** Bytes of chunk data that can be skipped unseen now: those left in the current chunk, 0 outside one. */
    long dataLeft() {
        return state == DATA ? dataLeft : 0;
    }

    /** Skips {@code n} bytes of chunk data, at most {@link #dataLeft}: a caller need not even copy them. */
    void skipData(int n) {
        dataLeft -= n;
        if (dataLeft == 0) {
            state = DATA_CR;
        }
    }

    /**
     * Reads {@code [start, end)} of {@code b}: returns {@link #MORE} when all of it belongs to the body and more is
     * needed, {@link #DONE} when the body ends within it, or an error; {@link #consumed} tells how far it read.
     */
    int take(byte[] b, int start, int end) {
        int i = start;
        int result = MORE;
        while (i < end && result == MORE) {
            if (state == DATA) {
                int n = (int) Math.min(dataLeft, end - i);
                skipData(n);
                i += n;
                continue;
            }
            result = step(b[i++]);
        }
        consumed = i - start;
        if (result != MORE) {
            state = IDLE;
        }
        return result;
    }

    private int step(byte c) {
        switch (state) {
            case SIZE:
                if (++lineBytes > maxLine) {
                    return TOO_LARGE;
                }
                int hex = hexValue(c);
                if (hex >= 0) {
                    if (++digits > 15) { // beyond any body we accept, and a long stays positive
                        return TOO_LARGE;
                    }
                    size = size * 16 + hex;
                    return MORE;
                }
                if (digits == 0) {
                    return MALFORMED; // §7.1: chunk-size = 1*HEXDIG
                }
                if (c == '\r') {
                    state = SIZE_LF;
                    return MORE;
                }
                if (c == ';' || c == ' ' || c == '\t') { // an extension, after optional whitespace (§7.1.1)
                    state = EXTENSION;
                    return MORE;
                }
                return MALFORMED;
            case EXTENSION:
                if (++lineBytes > maxLine) {
                    return TOO_LARGE;
                }
                if (c == '\r') {
                    state = SIZE_LF;
                    return MORE;
                }
                // Extensions are ignored (§7.1.1), but not their syntax errors.
                return HttpRequestParser.isControl(c) ? MALFORMED : MORE;
            case SIZE_LF:
                if (c != '\n') {
                    return MALFORMED;
                }
                lineBytes = 0;
                if (size == 0) {
                    state = TRAILER_START; // the last chunk
                    return MORE;
                }
                bodyBytes += size;
                if (bodyBytes > maxBody) {
                    return TOO_LARGE;
                }
                dataLeft = size;
                size = 0;
                digits = 0;
                state = DATA;
                return MORE;
            case DATA_CR:
                if (c != '\r') {
                    return MALFORMED;
                }
                state = DATA_LF;
                return MORE;
            case DATA_LF:
                if (c != '\n') {
                    return MALFORMED;
                }
                state = SIZE;
                return MORE;
            case TRAILER_START:
                if (c == '\r') {
                    state = END_LF;
                    return MORE;
                }
                state = TRAILER;
                return trailerByte(c);
            case TRAILER:
                if (c == '\r') {
                    state = TRAILER_LF;
                    return MORE;
                }
                return trailerByte(c);
            case TRAILER_LF:
                if (c != '\n') {
                    return MALFORMED;
                }
                state = TRAILER_START;
                return MORE;
            case END_LF:
                return c == '\n' ? DONE : MALFORMED;
            default:
                return MALFORMED; // take() without start()
        }
    }

    /** A byte of a trailer field line (§7.1.2): read and ignored, within the limit, no control characters. */
    private int trailerByte(byte c) {
        if (++trailerBytes > maxLine) {
            return TOO_LARGE;
        }
        return HttpRequestParser.isControl(c) ? MALFORMED : MORE; // a bare LF lands here too
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
