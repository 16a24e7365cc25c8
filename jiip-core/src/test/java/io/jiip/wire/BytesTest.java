package io.jiip.wire;

import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static io.jiip.wire.TestBuffers.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesTest {
    private static final byte[] SAMPLE = hex("80 fe dc ba 98 76 54 32 10 01 02 03 04 05 06 07");

    @Test
    void shouldReadNetworkOrderWhateverTheBufferOrder() {
        forEachVariant(SAMPLE, (buf, off) -> {
            assertEquals(0x80, Bytes.u8(buf, off));
            assertEquals(0xfe, Bytes.u8(buf, off + 1));
            assertEquals(0x80fe, Bytes.u16(buf, off));
            assertEquals(0xfedc, Bytes.u16(buf, off + 1));
            assertEquals(0x80fedcba, Bytes.i32(buf, off));
            assertEquals(0xdcba9876, Bytes.i32(buf, off + 2));
            assertEquals(0x80fedcba98765432L, Bytes.i64(buf, off));
            assertEquals(0x3210010203040506L, Bytes.i64(buf, off + 7));
            assertEquals(0x80fedcba9876L, Bytes.mac(buf, off));
            assertEquals(0x0102_0304_0506L, Bytes.mac(buf, off + 9));
        });
    }

    @Test
    void shouldReturnUnsignedValuesForU8AndU16() {
        forEachVariant(hex("ff ff 80 00"), (buf, off) -> {
            assertEquals(255, Bytes.u8(buf, off));
            assertEquals(65535, Bytes.u16(buf, off));
            assertEquals(0x8000, Bytes.u16(buf, off + 2));
            assertEquals(0xffff8000, Bytes.i32(buf, off));
        });
    }

    @Test
    void shouldReturnMacWithoutSignExtension() {
        forEachVariant(hex("ff ff ff ff ff ff"), (buf, off) -> assertEquals(0xffff_ffff_ffffL, Bytes.mac(buf, off)));
    }

    @Test
    void shouldWriteNetworkOrderWhateverTheBufferOrder() {
        byte[] expected = hex("80 fedc 80fedcba 525400123456 ff");
        forEachZeroed(expected.length, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            Bytes.u8(buf, off, 0x80);
            Bytes.u16(buf, off + 1, 0xfedc);
            Bytes.i32(buf, off + 3, 0x80fedcba);
            Bytes.mac(buf, off + 7, 0x525400123456L);
            Bytes.u8(buf, off + 13, 0xff);
            assertBytes(expected, region);
        });
    }

    @Test
    void shouldKeepOnlyTheLowBitsWhenWriting() {
        forEachZeroed(11, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            Bytes.u8(buf, off, 0x1ff);
            Bytes.u16(buf, off + 1, 0xabcdef);
            Bytes.u16(buf, off + 3, -1);
            Bytes.mac(buf, off + 5, 0xdead_0102_0304_0506L);
            assertBytes(hex("ff cdef ffff 010203040506"), region);
        });
    }

    @Test
    void shouldRoundTripEveryWidthAtEveryAlignment() {
        Random random = new Random(20240611);
        forEachZeroed(64, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            for (int i = 0; i + 8 <= 64; i++) {
                int v8 = random.nextInt(256);
                int v16 = random.nextInt(65536);
                int v32 = random.nextInt();
                long mac = random.nextLong() & 0xffff_ffff_ffffL;
                Bytes.u8(buf, off + i, v8);
                assertEquals(v8, Bytes.u8(buf, off + i));
                Bytes.u16(buf, off + i, v16);
                assertEquals(v16, Bytes.u16(buf, off + i));
                assertEquals(v16 >>> 8, Bytes.u8(buf, off + i));
                Bytes.i32(buf, off + i, v32);
                assertEquals(v32, Bytes.i32(buf, off + i));
                assertEquals(v32 >>> 16, Bytes.u16(buf, off + i));
                Bytes.mac(buf, off + i, mac);
                assertEquals(mac, Bytes.mac(buf, off + i));
                assertEquals(mac, Bytes.i64(buf, off + i) >>> 16);
            }
        });
    }

    @Test
    void shouldNotMovePositionOrLimit() {
        ByteBuffer buf = ByteBuffer.allocate(32);
        buf.position(5).limit(30);
        Bytes.u16(buf, 0, 0x1234);
        Bytes.i32(buf, 24, 1);
        Bytes.u8(buf, 29, 1);
        Bytes.mac(buf, 10, 1L);
        Bytes.zero(buf, 0, 8);
        Bytes.copy(buf, 24, buf, 0, 4);
        Bytes.i64(buf, 16);
        assertEquals(5, buf.position());
        assertEquals(30, buf.limit());
    }

    @Test
    void shouldHonourTheLimitLikeAbsoluteByteBufferAccess() {
        ByteBuffer buf = ByteBuffer.allocate(32);
        buf.limit(20);
        assertEquals(0, Bytes.i32(buf, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.i32(buf, 17));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.u8(buf, 20));
    }

    @Test
    void shouldThrowOutsideTheBufferLimit() {
        ByteBuffer buf = ByteBuffer.allocate(8);
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.u8(buf, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.u16(buf, 7));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.i32(buf, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.i64(buf, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.mac(buf, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.u16(buf, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.u16(buf, 7, 0));
    }

    @Test
    void shouldReadButNotWriteReadOnlyBuffers() {
        ByteBuffer buf = ByteBuffer.wrap(SAMPLE).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x80fe, Bytes.u16(buf, 0));
        assertEquals(0x80fedcba, Bytes.i32(buf, 0));
        assertEquals(0x80fedcba98765432L, Bytes.i64(buf, 0));
        assertThrows(ReadOnlyBufferException.class, () -> Bytes.u16(buf, 0, 1));
        assertThrows(ReadOnlyBufferException.class, () -> Bytes.i32(buf, 0, 1));
    }

    @Test
    void shouldZeroExactlyTheGivenRange() {
        for (int start = 0; start < 9; start++) {
            for (int len = 0; len <= 40; len++) {
                int s = start;
                int n = len;
                byte[] ones = new byte[50];
                Arrays.fill(ones, (byte) 0xff);
                forEachVariant(ones, (buf, off) -> {
                    Bytes.zero(buf, off + s, n);
                    for (int i = 0; i < 50; i++) {
                        int expected = i >= s && i < s + n ? 0 : 0xff;
                        assertEquals(expected, Bytes.u8(buf, off + i), "start " + s + " len " + n + " byte " + i);
                    }
                });
            }
        }
    }

    @Test
    void shouldCopyBetweenBuffersOfAnyKindAtEveryLengthAroundTheWordByWordLimit() {
        byte[] src = new byte[200];
        new Random(11).nextBytes(src);
        ByteBuffer heapSource = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer directSource = ByteBuffer.allocateDirect(200);
        directSource.put(0, src);
        for (ByteBuffer source : new ByteBuffer[] {heapSource, directSource}) {
            for (int len = 0; len <= 140; len++) {
                int n = len;
                forEachZeroed(150, region -> {
                    Bytes.copy(source, 5, region.buf(), region.off() + 1, n);
                    byte[] expected = new byte[150];
                    System.arraycopy(src, 5, expected, 1, n);
                    assertBytes(expected, region);
                });
            }
        }
    }

    @Test
    void shouldCopyWithinOneBuffer() {
        byte[] content = hex("0102030405060708 0000000000000000");
        forEachVariant(content, (buf, off) -> {
            Bytes.copy(buf, off + 1, buf, off + 9, 6);
            assertArrayEquals(hex("0102030405060708 0002030405060700"), TestBuffers.copyOut(buf, off, 16));
        });
    }
}
