package io.jiip.io.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chunked transfer coding (RFC 9112 §7.1) read past: whole, byte by byte, and its errors and limits. */
class ChunkedBodySkipperTest {
    private static final String AFTER = "GET / HTTP/1.1\r\n";

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0\r\n\r\n",
        "5\r\nhello\r\n0\r\n\r\n",
        "A\r\n0123456789\r\n3;ext=1;b\r\nabc\r\n0\r\n\r\n", // extensions are ignored (§7.1.1)
        "1f \t;x\r\n" + "0123456789012345678901234567890\r\n00\r\n\r\n", // whitespace before an extension
        "4\r\n\r\n\r\n\r\n0\r\nTrailer-A: 1\r\nTrailer-B: two\r\n\r\n", // data may hold CRLFs; trailers ignored
    })
    void shouldFindTheEndOfAValidBody(String body) {
        byte[] b = ascii(body + AFTER);
        ChunkedBodySkipper whole = new ChunkedBodySkipper(1 << 20, 8192);
        whole.start();
        assertEquals(ChunkedBodySkipper.DONE, whole.take(b, 0, b.length));
        assertEquals(body.length(), whole.consumed(), "stops at the end of the body");
        assertFalse(whole.active());

        ChunkedBodySkipper bytewise = new ChunkedBodySkipper(1 << 20, 8192);
        bytewise.start();
        int at = 0;
        int verdict = ChunkedBodySkipper.MORE;
        while (verdict == ChunkedBodySkipper.MORE) {
            verdict = bytewise.take(b, at, at + 1);
            at += bytewise.consumed();
        }
        assertEquals(ChunkedBodySkipper.DONE, verdict);
        assertEquals(body.length(), at, "the same end, one byte at a time");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\r\n", // no size
        "g\r\n", // not hexadecimal
        "-1\r\n",
        "5\nhello\r\n0\r\n\r\n", // a bare LF
        "5\r\nhello0\r\n\r\n", // no CRLF after the data
        "5\r\nhello\r0\r\n\r\n",
        "5;a\u0001\r\nhello\r\n", // a control character in an extension
        "0\r\nX: a\nb\r\n\r\n", // a bare LF in a trailer
        "0\r\n\r\r", // not CRLF at the end
    })
    void shouldRejectMalformedFraming(String body) {
        ChunkedBodySkipper s = new ChunkedBodySkipper(1 << 20, 8192);
        s.start();
        byte[] b = ascii(body);
        assertEquals(ChunkedBodySkipper.MALFORMED, s.take(b, 0, b.length), body);
        assertFalse(s.active());
    }

    @Test
    void shouldStopAtTheLimits() {
        ChunkedBodySkipper s = new ChunkedBodySkipper(100, 64);
        s.start();
        byte[] b = ascii("40\r\n" + "x".repeat(64) + "\r\n25\r\n"); // 64 + 37 = 101 bytes of data
        assertEquals(ChunkedBodySkipper.TOO_LARGE, s.take(b, 0, b.length));

        s.start();
        b = ascii("1" + ";e".repeat(40) + "\r\n"); // a chunk-size line beyond 64 bytes
        assertEquals(ChunkedBodySkipper.TOO_LARGE, s.take(b, 0, b.length));

        s.start();
        b = ascii("0\r\n" + "T: " + "v".repeat(70) + "\r\n\r\n"); // a trailer section beyond 64 bytes
        assertEquals(ChunkedBodySkipper.TOO_LARGE, s.take(b, 0, b.length));

        s.start();
        b = ascii("1000000000000000\r\n"); // sixteen digits: more than any body accepted
        assertEquals(ChunkedBodySkipper.TOO_LARGE, s.take(b, 0, b.length));
        assertFalse(s.active());
    }

    @Test
    void shouldNeedMoreWhileTheBodyLasts() {
        ChunkedBodySkipper s = new ChunkedBodySkipper(1 << 20, 8192);
        s.start();
        byte[] b = ascii("10\r\n0123456789");
        assertEquals(ChunkedBodySkipper.MORE, s.take(b, 0, b.length));
        assertEquals(b.length, s.consumed());
        assertTrue(s.active());
    }
}
