package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.CapturedFrames.LOOPBACK;
import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UdpHeaderTest {
    /** The UDP datagram of the DNS query: 8-byte header and 29-byte query. */
    private static final byte[] DNS = CapturedFrames.from(CapturedFrames.DNS_QUERY, ETH + 20);
    /** The UDP datagram behind the 32-byte IPv4 header with options: "jiip" to port 9. */
    private static final byte[] DISCARD = CapturedFrames.from(CapturedFrames.UDP_WITH_IP_OPTIONS, ETH + 32);

    private static final int PROTO_UDP = Ipv4Header.PROTO_UDP;

    @Test
    void shouldHaveTheCapturedSizes() {
        assertEquals(37, DNS.length);
        assertEquals(12, DISCARD.length);
        assertEquals(8, UdpHeader.LENGTH);
    }

    // ---- deconstruct ----

    @Test
    void shouldDeconstructADnsQuery() {
        forEachVariant(DNS, (buf, off) -> {
            assertEquals(45283, UdpHeader.srcPort(buf, off));
            assertEquals(53, UdpHeader.dstPort(buf, off));
            assertEquals(37, UdpHeader.length(buf, off));
            assertEquals(0x4014, UdpHeader.checksum(buf, off));
            assertEquals(0x40e7, Bytes.u16(buf, off + UdpHeader.LENGTH)); // the DNS id (16615)
            long sum = Checksum.add(Checksum.pseudoHeader(LOOPBACK, LOOPBACK, PROTO_UDP, 37), buf, off, 37);
            assertEquals(0xffff, Checksum.fold(sum));
        });
    }

    @Test
    void shouldDeconstructADatagramBehindIpOptions() {
        forEachVariant(CapturedFrames.UDP_WITH_IP_OPTIONS, (buf, off) -> {
            int ip = off + ETH;
            int udp = ip + Ipv4Header.headerLength(buf, ip);
            assertEquals(40000, UdpHeader.srcPort(buf, udp));
            assertEquals(9, UdpHeader.dstPort(buf, udp));
            assertEquals(12, UdpHeader.length(buf, udp));
            assertEquals(0x91b0, UdpHeader.checksum(buf, udp));
        });
    }

    // ---- checksum ----

    @Test
    void shouldComputeTheCapturedChecksums() {
        assertChecksumOf(DNS, 0x4014);
        assertChecksumOf(DISCARD, 0x91b0);
    }

    private static void assertChecksumOf(byte[] datagram, int expected) {
        forEachVariant(datagram, (buf, off) -> {
            UdpHeader.checksum(buf, off, 0);
            assertEquals(expected, UdpHeader.checksumOf(buf, off, datagram.length, LOOPBACK, LOOPBACK));
        });
    }

    @Test
    void shouldCompleteTheChecksumLinuxLeftPartialOnLoopback() {
        // Offload contract: the field holds the folded pseudo-header sum; summing the datagram from there, with no
        // pseudo-header, yields the real checksum.
        byte[] partial = DNS.clone();
        ByteBuffer.wrap(partial).putShort(UdpHeader.Offset.CHECKSUM, (short) CapturedFrames.DNS_QUERY_PARTIAL_CHECKSUM);
        forEachVariant(partial, (buf, off) -> assertEquals(0x4014, Checksum.compute(buf, off, 37)));
    }

    @Test
    void shouldSendAComputedZeroAsAllOnes() {
        // A 10-byte datagram whose payload word is chosen so that the checksum comes out as zero.
        forEachZeroed(10, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            int src = 0x0a000001;
            int dst = 0x0a000002;
            UdpHeader.write(buf, off, 1234, 5678, 10);
            int partialSum = Checksum.fold(Checksum.add(Checksum.pseudoHeader(src, dst, PROTO_UDP, 10), buf, off,
                    10));
            assertNotEquals(0xffff, partialSum);
            Bytes.u16(buf, off + 8, 0xffff - partialSum);
            assertEquals(0, Checksum.finish(Checksum.add(Checksum.pseudoHeader(src, dst, PROTO_UDP, 10), buf, off,
                    10)), "the plain Internet checksum is zero");

            int checksum = UdpHeader.checksumOf(buf, off, 10, src, dst);
            assertEquals(0xffff, checksum);
            UdpHeader.checksum(buf, off, checksum);
            // and the receiver's verification still succeeds
            assertEquals(0xffff, Checksum.fold(Checksum.add(Checksum.pseudoHeader(src, dst, PROTO_UDP, 10), buf, off,
                    10)));
        });
    }

    @Test
    void shouldNeverReturnZeroFromChecksumOf() {
        Random random = new Random(768);
        for (int i = 0; i < 2000; i++) {
            byte[] datagram = new byte[8 + random.nextInt(40)];
            random.nextBytes(datagram);
            ByteBuffer buf = ByteBuffer.wrap(datagram);
            int src = random.nextInt();
            int dst = random.nextInt();
            UdpHeader.write(buf, 0, random.nextInt(65536), random.nextInt(65536), datagram.length);
            int plain = Checksum.finish(Checksum.add(Checksum.pseudoHeader(src, dst, PROTO_UDP, datagram.length), buf,
                    0, datagram.length));
            int checksum = UdpHeader.checksumOf(buf, 0, datagram.length, src, dst);
            assertEquals(plain == 0 ? 0xffff : plain, checksum);
            UdpHeader.checksum(buf, 0, checksum);
            assertEquals(0xffff, Checksum.fold(Checksum.add(Checksum.pseudoHeader(src, dst, PROTO_UDP,
                    datagram.length), buf, 0, datagram.length)));
        }
    }

    // ---- construct ----

    @Test
    void shouldConstructTheDnsQuery() {
        forEachZeroed(DNS.length, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            UdpHeader.write(buf, off, 45283, 53, 37);
            Bytes.copy(ByteBuffer.wrap(DNS), 8, buf, off + 8, 29);
            UdpHeader.checksum(buf, off, UdpHeader.checksumOf(buf, off, 37, LOOPBACK, LOOPBACK));
            assertBytes(DNS, region);
        });
    }

    @Test
    void shouldConstructWithSetters() {
        forEachZeroed(DISCARD.length, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            UdpHeader.srcPort(buf, off, 40000);
            UdpHeader.dstPort(buf, off, 9);
            UdpHeader.length(buf, off, 12);
            UdpHeader.checksum(buf, off, 0x91b0);
            buf.put(off + 8, "jiip".getBytes(StandardCharsets.US_ASCII));
            assertBytes(DISCARD, region);
        });
    }

    @Test
    void shouldClearAStaleChecksumInWrite() {
        forEachVariant(DNS, (buf, off) -> {
            UdpHeader.write(buf, off, 45283, 53, 37);
            assertEquals(0, UdpHeader.checksum(buf, off));
            assertEquals(0x40e7, Bytes.u16(buf, off + 8), "payload untouched");
        });
    }

    // ---- round trips ----

    @Test
    void shouldRoundTripRandomHeaders() {
        Random random = new Random(17);
        for (int i = 0; i < 100; i++) {
            int src = random.nextInt(65536);
            int dst = random.nextInt(65536);
            int length = random.nextInt(65536);
            int checksum = random.nextInt(65536);
            forEachZeroed(UdpHeader.LENGTH, region -> {
                UdpHeader.write(region.buf(), region.off(), src, dst, length);
                UdpHeader.checksum(region.buf(), region.off(), checksum);
                assertEquals(src, UdpHeader.srcPort(region.buf(), region.off()));
                assertEquals(dst, UdpHeader.dstPort(region.buf(), region.off()));
                assertEquals(length, UdpHeader.length(region.buf(), region.off()));
                assertEquals(checksum, UdpHeader.checksum(region.buf(), region.off()));
                byte[] expected = Arrays.copyOf(ByteBuffer.allocate(8).putShort((short) src).putShort((short) dst)
                        .putShort((short) length).putShort((short) checksum).array(), 8);
                assertBytes(expected, region);
            });
        }
    }
}
