package io.jiip.io.app;

/**
 * Parses one HTTP/1.x request head (RFC 9112 §2-§6) where it lies in a byte array: no copies, no strings, nothing
 * allocated. One instance per connection; {@link #parse} overwrites the results of the previous request.
 *
 * <p>Strict where the RFC says a server MUST reject (400): a malformed request line, whitespace between a field
 * name and its colon (§5.1), obsolete line folding (§5.2), control characters in a field value, a bad, repeated or
 * conflicting {@code Content-Length} (§6.3), a {@code Transfer-Encoding} whose final coding is not {@code chunked}
 * (the body's length could not be known, §6.3), or that comes with a {@code Content-Length} or in an HTTP/1.0
 * request (§6.1, §6.3), an HTTP/1.1 request without exactly one {@code Host} (§3.2). A major version other than 1
 * gets 505 (RFC 9110 §15.6.6); a higher minor version is treated as 1.1 (RFC 9110 §2.5). A chunked body
 * ({@link #chunked}) is framed by {@link ChunkedBodySkipper}.
 */
final class HttpRequestParser {
    /** {@link #parse} result: the head is valid. */
    static final int VALID = 0;
    /** {@link #parse} result: malformed (answer 400 and close). */
    static final int BAD_REQUEST = 400;
    /** {@link #parse} result: HTTP major version not 1 (answer 505 and close). */
    static final int VERSION_NOT_SUPPORTED = 505;

    static final int METHOD_OTHER = 0;
    static final int METHOD_GET = 1;
    static final int METHOD_HEAD = 2;

    private static final byte[] GET = Payloads.ascii("GET");
    private static final byte[] HEAD = Payloads.ascii("HEAD");
    private static final byte[] HTTP_SLASH = Payloads.ascii("HTTP/");
    private static final byte[] HTTP_SCHEME = Payloads.ascii("http://");
    private static final byte[] CONTENT_LENGTH = Payloads.ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = Payloads.ascii("transfer-encoding");
    private static final byte[] CONNECTION = Payloads.ascii("connection");
    private static final byte[] HOST = Payloads.ascii("host");
    private static final byte[] CLOSE = Payloads.ascii("close");
    private static final byte[] KEEP_ALIVE = Payloads.ascii("keep-alive");
    private static final byte[] CHUNKED = Payloads.ascii("chunked");
    /** 18 digits always fit in a long. */
    private static final int MAX_LENGTH_DIGITS = 18;

    /** {@link #METHOD_GET}, {@link #METHOD_HEAD} or {@link #METHOD_OTHER}. */
    int method;
    /** The path of the target, {@code [pathStart, pathEnd)} of the array (query and absolute-form prefix removed). */
    int pathStart;
    int pathEnd;
    /** HTTP/1.0 (not 1.1 or later). */
    boolean http10;
    /** Whether the connection stays open after the response (RFC 9112 §9.3). */
    boolean persistent;
    /** The body length ({@code Content-Length}, 0 without one: a request without framing has no body, §6.3). */
    long contentLength;
    /** The body is in the chunked transfer coding (RFC 9112 §7.1), its length known only at its end. */
    boolean chunked;

    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private int hosts;
    private boolean sawContentLength;
    private boolean sawTransferEncoding;

    /**
     * Parses the head {@code [start, end)}: the request line and field lines, each ending in CRLF, without the
     * empty line that ends the head.
     *
     * @return {@link #VALID}, {@link #BAD_REQUEST} or {@link #VERSION_NOT_SUPPORTED}
     */
    int parse(byte[] b, int start, int end) {
        method = METHOD_OTHER;
        http10 = false;
        persistent = false;
        contentLength = 0;
        connectionClose = false;
        connectionKeepAlive = false;
        hosts = 0;
        sawContentLength = false;
        sawTransferEncoding = false;
        chunked = false;

        int lineEnd = lineEnd(b, start, end);
        if (lineEnd < 0) {
            return BAD_REQUEST;
        }
        int status = parseRequestLine(b, start, lineEnd);
        if (status != VALID) {
            return status;
        }
        for (int at = lineEnd + 2; at < end; ) {
            int next = lineEnd(b, at, end);
            if (next < 0 || parseField(b, at, next) != VALID) {
                return BAD_REQUEST;
            }
            at = next + 2;
        }
        // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in 1.0.
        if (hosts > 1 || hosts == 0 && !http10) {
            return BAD_REQUEST;
        }
        // RFC 9112 §6.3: with Transfer-Encoding the body is chunked or of unknown length (400); with a
        // Content-Length besides, the framing is ambiguous (we may reject it); in HTTP/1.0 it is faulty (§6.1).
        if (sawTransferEncoding && (!chunked || sawContentLength || http10)) {
            return BAD_REQUEST;
        }
        // RFC 9112 §9.3: "close" ends the connection; else 1.1 persists, and 1.0 only with "keep-alive".
        persistent = !connectionClose && (!http10 || connectionKeepAlive);
        return VALID;
    }

    /** {@code method SP request-target SP HTTP-version} (RFC 9112 §3), single spaces. */
    private int parseRequestLine(byte[] b, int start, int end) {
        int sp1 = indexOf(b, start, end, (byte) ' ');
        if (sp1 <= start || !allTokenChars(b, start, sp1)) {
            return BAD_REQUEST;
        }
        int sp2 = indexOf(b, sp1 + 1, end, (byte) ' ');
        if (sp2 <= sp1 + 1) {
            return BAD_REQUEST;
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            if (b[i] <= ' ' || b[i] == 0x7f) { // signed: obs-text (>= 0x80) is rejected too
                return BAD_REQUEST;
            }
        }
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
        int v = sp2 + 1;
        if (end - v != 8 || !regionMatches(b, v, HTTP_SLASH, false) || !isDigit(b[v + 5]) || b[v + 6] != '.'
                || !isDigit(b[v + 7])) {
            return BAD_REQUEST;
        }
        if (b[v + 5] != '1') {
            return VERSION_NOT_SUPPORTED;
        }
        http10 = b[v + 7] == '0';
        method = sp1 - start == 3 && regionMatches(b, start, GET, false) ? METHOD_GET
                : sp1 - start == 4 && regionMatches(b, start, HEAD, false) ? METHOD_HEAD : METHOD_OTHER;
        parseTarget(b, sp1 + 1, sp2);
        return VALID;
    }

    /** Origin-form, or absolute-form reduced to its path (RFC 9112 §3.2.2); the query is not part of the path. */
    private void parseTarget(byte[] b, int start, int end) {
        int path = start;
        if (end - start > HTTP_SCHEME.length && regionMatches(b, start, HTTP_SCHEME, true)) {
            int slash = indexOf(b, start + HTTP_SCHEME.length, end, (byte) '/');
            path = slash < 0 ? end : slash;
        }
        int query = indexOf(b, path, end, (byte) '?');
        pathStart = path;
        pathEnd = query < 0 ? end : query;
    }

    /** {@code field-name ":" OWS field-value OWS} (RFC 9112 §5). */
    private int parseField(byte[] b, int start, int end) {
        int colon = indexOf(b, start, end, (byte) ':');
        // No name, whitespace before the colon (§5.1), or a line starting with whitespace (obs-fold, §5.2).
        if (colon <= start || !allTokenChars(b, start, colon)) {
            return BAD_REQUEST;
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && isWhitespace(b[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(b[valueEnd - 1])) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (isControl(b[i])) { // RFC 9110 §5.5: no CTLs
                return BAD_REQUEST;
            }
        }
        int nameLength = colon - start;
        if (nameLength == CONTENT_LENGTH.length && regionMatches(b, start, CONTENT_LENGTH, true)) {
            return parseContentLength(b, valueStart, valueEnd);
        }
        if (nameLength == TRANSFER_ENCODING.length && regionMatches(b, start, TRANSFER_ENCODING, true)) {
            parseTransferEncoding(b, valueStart, valueEnd);
            return VALID;
        }
        if (nameLength == HOST.length && regionMatches(b, start, HOST, true)) {
            hosts++;
        } else if (nameLength == CONNECTION.length && regionMatches(b, start, CONNECTION, true)) {
            parseConnection(b, valueStart, valueEnd);
        }
        return VALID;
    }

    /** {@code Content-Length = 1*DIGIT} (RFC 9110 §8.6); a second one is refused, even if equal (§6.3). */
    private int parseContentLength(byte[] b, int start, int end) {
        if (sawContentLength || start == end || end - start > MAX_LENGTH_DIGITS) {
            return BAD_REQUEST;
        }
        sawContentLength = true;
        long n = 0;
        for (int i = start; i < end; i++) {
            if (!isDigit(b[i])) {
                return BAD_REQUEST;
            }
            n = n * 10 + (b[i] - '0');
        }
        contentLength = n;
        return VALID;
    }

    /**
     * {@code Transfer-Encoding = #transfer-coding} (RFC 9112 §6.1): only the final coding matters here, since the
     * body is read past and not decoded; it must be {@code chunked}. Repeated fields form one list, in order, so the
     * last field's last element is the final coding.
     */
    private void parseTransferEncoding(byte[] b, int start, int end) {
        sawTransferEncoding = true;
        int e = end;
        while (e > start && (isWhitespace(b[e - 1]) || b[e - 1] == ',')) {
            e--;
        }
        int s = e;
        while (s > start && b[s - 1] != ',' && !isWhitespace(b[s - 1])) {
            s--;
        }
        chunked = e - s == CHUNKED.length && regionMatches(b, s, CHUNKED, true);
    }

    /** A comma-separated list of case-insensitive tokens, empty elements allowed (RFC 9110 §5.6.1, §7.6.1). */
    private void parseConnection(byte[] b, int start, int end) {
        for (int at = start; at < end; ) {
            int comma = indexOf(b, at, end, (byte) ',');
            int elementEnd = comma < 0 ? end : comma;
            int s = at;
            int e = elementEnd;
            while (s < e && isWhitespace(b[s])) {
                s++;
            }
            while (e > s && isWhitespace(b[e - 1])) {
                e--;
            }
            if (e - s == CLOSE.length && regionMatches(b, s, CLOSE, true)) {
                connectionClose = true;
            } else if (e - s == KEEP_ALIVE.length && regionMatches(b, s, KEEP_ALIVE, true)) {
                connectionKeepAlive = true;
            }
            at = elementEnd + 1;
        }
    }

    /** Whether the parsed path (in {@code b}, the array given to {@link #parse}) begins with {@code prefix}. */
    boolean pathStartsWith(byte[] b, byte[] prefix) {
        return pathEnd - pathStart >= prefix.length && regionMatches(b, pathStart, prefix, false);
    }

    /**
     * Where the head that starts at {@code start} ends: the index just past its empty line ({@code CRLF CRLF}),
     * searching {@code [from, end)} (from may be later than start: the part before was searched already), or -1.
     */
    static int headEnd(byte[] b, int start, int from, int end) {
        for (int i = Math.max(start, from - 3); i + 3 < end; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** Index of the CR of the line's CRLF, or -1 when a CR or LF appears alone. */
    private static int lineEnd(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            if (b[i] == '\n') {
                return -1; // a bare LF (RFC 9112 §2.2 lets us refuse it)
            }
            if (b[i] == '\r') {
                return i + 1 < end && b[i + 1] == '\n' ? i : -1; // a bare CR is invalid (§2.2)
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int start, int end, byte value) {
        for (int i = start; i < end; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code b} at {@code at} starts with {@code expected} (ASCII; lower case when ignoring case). */
    private static boolean regionMatches(byte[] b, int at, byte[] expected, boolean ignoreCase) {
        for (int i = 0; i < expected.length; i++) {
            int c = b[at + i];
            if (ignoreCase && c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code token = 1*tchar} (RFC 9110 §5.6.2). */
    private static boolean allTokenChars(byte[] b, int start, int end) {
        for (int i = start; i < end; i++) {
            int c = b[i];
            boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(b[i])
                    || c > ' ' && c < 0x7f && "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** A control character other than HTAB (RFC 9110 §5.5), CR and LF included; obs-text (>= 0x80) is not one. */
    static boolean isControl(byte c) {
        return c >= 0 && c < ' ' && c != '\t' || c == 0x7f;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\t';
    }
}
