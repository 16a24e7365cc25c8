package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static io.jiip.wire.TestBuffers.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IcmpHeaderTest {
    /** ICMP messages (no Ethernet or IPv4 header) from the captured frames. */
    private static final byte[] REQUEST = CapturedFrames.from(CapturedFrames.PING_REQUEST, ETH + 20);
    private static final byte[] REPLY = CapturedFrames.from(CapturedFrames.PING_REPLY, ETH + 20);
    private static final byte[] UNREACHABLE = CapturedFrames.from(CapturedFrames.PORT_UNREACHABLE, ETH + 20);

    /**
     * Hand-assembled "fragmentation needed, next-hop MTU 1400" (RFC 1191) from a router, quoting a 1500-byte DF TCP
     * segment 192.168.1.10:50000 > 192.168.1.1:80 (IPv4 header and first 8 TCP bytes). Checksums computed with
     * Python.
     */
    private static final byte[] FRAGMENTATION_NEEDED = hex(""
            + "03 04 33e2 0000 0578"
            + "45 00 05dc 1c46 4000 40 06 957a c0a8010a c0a80101"
            + "c350 0050 00000001");

    @Test
    void shouldHaveTheCapturedSizes() {
        assertEquals(64, REQUEST.length); // 8-byte header + ping's default 56 data bytes
        assertEquals(64, REPLY.length);
        assertEquals(65, UNREACHABLE.length); // header + the whole 57-byte datagram: odd length
        assertEquals(8, IcmpHeader.LENGTH);
    }

    // ---- deconstruct ----

    @Test
    void shouldDeconstructAPingEchoRequest() {
        forEachVariant(REQUEST, (buf, off) -> {
            assertEquals(IcmpHeader.TYPE_ECHO_REQUEST, IcmpHeader.type(buf, off));
            assertEquals(0, IcmpHeader.code(buf, off));
            assertEquals(0x1c2c, IcmpHeader.checksum(buf, off));
            assertEquals(3563, IcmpHeader.identifier(buf, off));
            assertEquals(1, IcmpHeader.sequence(buf, off));
            assertTrue(Checksum.verify(buf, off, 64));
        });
    }

    @Test
    void shouldCarryPingsTimestampAndPattern() {
        forEachVariant(REQUEST, (buf, off) -> {
            // a struct timeval in host (little-endian) order: ping sent it 0.1 ms before tcpdump saw it at .709811
            ByteBuffer timeval = ByteBuffer.wrap(TestBuffers.copyOut(buf, off + 8, 16)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1795675565L, timeval.getLong(0));
            assertEquals(709711L, timeval.getLong(8));
            for (int i = 16; i < 56; i++) {
                assertEquals(i, Bytes.u8(buf, off + 8 + i), "data byte " + i);
            }
        });
    }

    @Test
    void shouldDeconstructAnEchoReply() {
        forEachVariant(REPLY, (buf, off) -> {
            assertEquals(IcmpHeader.TYPE_ECHO_REPLY, IcmpHeader.type(buf, off));
            assertEquals(0, IcmpHeader.code(buf, off));
            assertEquals(0x242c, IcmpHeader.checksum(buf, off));
            assertEquals(3563, IcmpHeader.identifier(buf, off));
            assertEquals(1, IcmpHeader.sequence(buf, off));
            assertTrue(Checksum.verify(buf, off, 64));
        });
    }

    @Test
    void shouldDeconstructAPortUnreachableQuotingTheDatagram() {
        forEachVariant(UNREACHABLE, (buf, off) -> {
            assertEquals(IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.type(buf, off));
            assertEquals(IcmpHeader.CODE_PORT_UNREACHABLE, IcmpHeader.code(buf, off));
            assertEquals(0x3d11, IcmpHeader.checksum(buf, off));
            assertEquals(0, IcmpHeader.identifier(buf, off));
            assertEquals(0, IcmpHeader.nextHopMtu(buf, off));
            assertTrue(Checksum.verify(buf, off, UNREACHABLE.length));

            int quoted = off + IcmpHeader.LENGTH;
            assertEquals(Ipv4Header.OK, Ipv4Header.check(buf, quoted, UNREACHABLE.length - IcmpHeader.LENGTH));
            int udp = quoted + Ipv4Header.headerLength(buf, quoted);
            assertEquals(45283, UdpHeader.srcPort(buf, udp));
            assertEquals(53, UdpHeader.dstPort(buf, udp));
            assertEquals(CapturedFrames.DNS_QUERY_PARTIAL_CHECKSUM, UdpHeader.checksum(buf, udp));
        });
    }

    @Test
    void shouldDeconstructFragmentationNeeded() {
        forEachVariant(FRAGMENTATION_NEEDED, (buf, off) -> {
            assertEquals(IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.type(buf, off));
            assertEquals(IcmpHeader.CODE_FRAGMENTATION_NEEDED, IcmpHeader.code(buf, off));
            assertEquals(1400, IcmpHeader.nextHopMtu(buf, off));
            assertTrue(Checksum.verify(buf, off, FRAGMENTATION_NEEDED.length));
            int quoted = off + 8;
            assertTrue(Ipv4Header.checksumValid(buf, quoted));
            assertTrue(Ipv4Header.dontFragment(buf, quoted));
            assertEquals(1500, Ipv4Header.totalLength(buf, quoted));
        });
    }

    // ---- construct ----

    @Test
    void shouldConstructThePingEchoRequest() {
        forEachZeroed(64, region -> {
            ByteBuffer buf = region.buf();
            IcmpHeader.write(buf, region.off(), IcmpHeader.TYPE_ECHO_REQUEST, 0, 3563, 1);
            Bytes.copy(ByteBuffer.wrap(REQUEST), 8, buf, region.off() + 8, 56);
            IcmpHeader.fillChecksum(buf, region.off(), 64);
            assertBytes(REQUEST, region);
        });
    }

    @Test
    void shouldTurnTheRequestIntoTheCapturedReply() {
        forEachVariant(REQUEST, (buf, off) -> {
            IcmpHeader.type(buf, off, IcmpHeader.TYPE_ECHO_REPLY);
            IcmpHeader.fillChecksum(buf, off, 64);
            assertEquals(TestBuffers.toHex(REPLY), TestBuffers.toHex(TestBuffers.copyOut(buf, off, 64)));
        });
        // the same, incrementally: the first word goes from 0x0800 to 0x0000
        assertEquals(0x242c, Checksum.adjust(0x1c2c, 0x0800, 0x0000));
    }

    @Test
    void shouldConstructAnOddLengthPortUnreachable() {
        forEachZeroed(UNREACHABLE.length, region -> {
            ByteBuffer buf = region.buf();
            IcmpHeader.type(buf, region.off(), IcmpHeader.TYPE_DEST_UNREACHABLE);
            IcmpHeader.code(buf, region.off(), IcmpHeader.CODE_PORT_UNREACHABLE);
            Bytes.copy(ByteBuffer.wrap(CapturedFrames.DNS_QUERY), ETH, buf, region.off() + 8, 57);
            Bytes.u16(buf, region.off() + 8 + 20 + UdpHeader.Offset.CHECKSUM,
                    CapturedFrames.DNS_QUERY_PARTIAL_CHECKSUM);
            IcmpHeader.fillChecksum(buf, region.off(), UNREACHABLE.length);
            assertBytes(UNREACHABLE, region);
        });
    }

    @Test
    void shouldConstructFragmentationNeeded() {
        forEachZeroed(FRAGMENTATION_NEEDED.length, region -> {
            ByteBuffer buf = region.buf();
            IcmpHeader.write(buf, region.off(), IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED,
                    0, 1400);
            Bytes.copy(ByteBuffer.wrap(FRAGMENTATION_NEEDED), 8, buf, region.off() + 8, 28);
            IcmpHeader.fillChecksum(buf, region.off(), FRAGMENTATION_NEEDED.length);
            assertBytes(FRAGMENTATION_NEEDED, region);
        });
    }

    @Test
    void shouldIgnoreAStaleChecksumWhenFilling() {
        forEachVariant(REQUEST, (buf, off) -> {
            IcmpHeader.checksum(buf, off, 0xbeef);
            assertEquals(0xbeef, IcmpHeader.checksum(buf, off));
            IcmpHeader.fillChecksum(buf, off, 64);
            assertEquals(0x1c2c, IcmpHeader.checksum(buf, off));
        });
    }

    @Test
    void shouldWriteAWholeHeaderOverStaleBytes() {
        forEachVariant(REQUEST, (buf, off) -> {
            IcmpHeader.write(buf, off, IcmpHeader.TYPE_DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 0, 1400);
            assertEquals("03 04 00 00 00 00 05 78",
                    TestBuffers.toHex(TestBuffers.copyOut(buf, off, IcmpHeader.LENGTH)));
            assertEquals(1400, IcmpHeader.nextHopMtu(buf, off));
        });
    }

    // ---- round trips ----

    @Test
    void shouldRoundTripRandomMessages() {
        Random random = new Random(792);
        for (int i = 0; i < 100; i++) {
            int type = random.nextInt(256);
            int code = random.nextInt(256);
            int id = random.nextInt(65536);
            int seq = random.nextInt(65536);
            byte[] payload = new byte[random.nextInt(100)];
            random.nextBytes(payload);
            int length = 8 + payload.length;
            forEachZeroed(length, region -> {
                ByteBuffer buf = region.buf();
                int off = region.off();
                IcmpHeader.type(buf, off, type);
                IcmpHeader.code(buf, off, code);
                IcmpHeader.identifier(buf, off, id);
                IcmpHeader.sequence(buf, off, seq);
                Bytes.copy(ByteBuffer.wrap(payload), 0, buf, off + 8, payload.length);
                IcmpHeader.fillChecksum(buf, off, length);
                assertTrue(Checksum.verify(buf, off, length));
                assertEquals(type, IcmpHeader.type(buf, off));
                assertEquals(code, IcmpHeader.code(buf, off));
                assertEquals(id, IcmpHeader.identifier(buf, off));
                assertEquals(seq, IcmpHeader.sequence(buf, off));
                assertEquals(seq, IcmpHeader.nextHopMtu(buf, off));
                assertEquals(TestBuffers.toHex(payload),
                        TestBuffers.toHex(Arrays.copyOfRange(region.bytes(), 8, length)));
            });
        }
    }
}
