package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ArpHeaderTest {
    private static final long GUEST = 0x5254_0012_3456L;
    private static final long GATEWAY = 0x5255_0a00_0202L;
    private static final int GUEST_IP = 0x0a00020f;
    private static final int GATEWAY_IP = 0x0a000202;

    /** The ARP packets without Ethernet header and padding. */
    private static final byte[] REQUEST = CapturedFrames.range(CapturedFrames.ARP_REQUEST, ETH, ArpHeader.LENGTH);
    private static final byte[] REPLY = CapturedFrames.range(CapturedFrames.ARP_REPLY, ETH, ArpHeader.LENGTH);

    @Test
    void shouldHaveTheRfc826Layout() {
        assertEquals(28, ArpHeader.LENGTH);
        assertEquals(8, ArpHeader.Offset.SHA);
        assertEquals(14, ArpHeader.Offset.SPA);
        assertEquals(18, ArpHeader.Offset.THA);
        assertEquals(24, ArpHeader.Offset.TPA);
    }

    @Test
    void shouldDeconstructARequest() {
        forEachVariant(REQUEST, (buf, off) -> {
            assertEquals(ArpHeader.OK, ArpHeader.check(buf, off, ArpHeader.LENGTH));
                        assertEquals(ArpHeader.OP_REQUEST, ArpHeader.operation(buf, off));
            assertEquals(GUEST, ArpHeader.senderMac(buf, off));
            assertEquals(GUEST_IP, ArpHeader.senderIp(buf, off));
            assertEquals(0L, ArpHeader.targetMac(buf, off));
            assertEquals(GATEWAY_IP, ArpHeader.targetIp(buf, off));
        });
    }

    @Test
    void shouldDeconstructAReply() {
        forEachVariant(REPLY, (buf, off) -> {
            assertEquals(ArpHeader.OK, ArpHeader.check(buf, off, ArpHeader.LENGTH));
                        assertEquals(ArpHeader.OP_REPLY, ArpHeader.operation(buf, off));
            assertEquals(GATEWAY, ArpHeader.senderMac(buf, off));
            assertEquals(GATEWAY_IP, ArpHeader.senderIp(buf, off));
            assertEquals(GUEST, ArpHeader.targetMac(buf, off));
            assertEquals(GUEST_IP, ArpHeader.targetIp(buf, off));
        });
    }

    @Test
    void shouldDeconstructInsideTheWholePaddedFrame() {
        forEachVariant(CapturedFrames.ARP_REPLY, (buf, off) -> {
            int len = CapturedFrames.ARP_REPLY.length - ETH;
            assertEquals(46, len);
            assertEquals(ArpHeader.OK, ArpHeader.check(buf, off + ETH, len));
                        assertEquals(GATEWAY_IP, ArpHeader.senderIp(buf, off + ETH));
            assertEquals(GUEST, ArpHeader.targetMac(buf, off + ETH));
        });
    }

    @Test
    void shouldConstructARequest() {
        forEachZeroed(ArpHeader.LENGTH, region -> {
            ArpHeader.write(region.buf(), region.off(), ArpHeader.OP_REQUEST, GUEST, GUEST_IP, 0L, GATEWAY_IP);
            assertBytes(REQUEST, region);
        });
    }

    @Test
    void shouldConstructAReply() {
        forEachZeroed(ArpHeader.LENGTH, region -> {
            ArpHeader.write(region.buf(), region.off(), ArpHeader.OP_REPLY, GATEWAY, GATEWAY_IP, GUEST, GUEST_IP);
            assertBytes(REPLY, region);
        });
    }

    @Test
    void shouldConstructWithSetters() {
        forEachZeroed(ArpHeader.LENGTH, region -> {
            ByteBuffer buf = region.buf();
            int off = region.off();
            ArpHeader.hardwareType(buf, off, ArpHeader.HTYPE_ETHERNET);
            ArpHeader.protocolType(buf, off, EthernetHeader.TYPE_IPV4);
            ArpHeader.hardwareLength(buf, off, 6);
            ArpHeader.protocolLength(buf, off, 4);
            ArpHeader.operation(buf, off, ArpHeader.OP_REPLY);
            ArpHeader.senderMac(buf, off, GATEWAY);
            ArpHeader.senderIp(buf, off, GATEWAY_IP);
            ArpHeader.targetMac(buf, off, GUEST);
            ArpHeader.targetIp(buf, off, GUEST_IP);
            assertBytes(REPLY, region);
            assertEquals(ArpHeader.HTYPE_ETHERNET, ArpHeader.hardwareType(buf, off));
            assertEquals(EthernetHeader.TYPE_IPV4, ArpHeader.protocolType(buf, off));
            assertEquals(6, ArpHeader.hardwareLength(buf, off));
            assertEquals(4, ArpHeader.protocolLength(buf, off));
        });
    }

    @Test
    void shouldConstructTheWholeFrame() {
        forEachZeroed(CapturedFrames.ARP_REPLY.length, region -> {
            EthernetHeader.write(region.buf(), region.off(), GUEST, GATEWAY, EthernetHeader.TYPE_ARP);
            ArpHeader.write(region.buf(), region.off() + ETH, ArpHeader.OP_REPLY, GATEWAY, GATEWAY_IP, GUEST,
                    GUEST_IP);
            assertBytes(CapturedFrames.ARP_REPLY, region);
        });
    }

    @Test
    void shouldReportEveryTruncation() {
        for (int len = 0; len < ArpHeader.LENGTH; len++) {
            int n = len;
            // a buffer of exactly n bytes: check must not read past what it was given
            forEachVariant(Arrays.copyOf(REQUEST, n), (buf, off) -> assertEquals(ArpHeader.TRUNCATED,
                    ArpHeader.check(buf, off, n), "length " + n));
        }
    }

    @Test
    void shouldRejectOtherAddressFormats() {
        assertUnsupported(ArpHeader.Offset.HTYPE, 0x0006); // IEEE 802 networks
        assertUnsupported(ArpHeader.Offset.HTYPE, 0x0000);
        assertUnsupported(ArpHeader.Offset.HTYPE, 0x0100); // byte-swapped Ethernet
        assertUnsupported(ArpHeader.Offset.PTYPE, EthernetHeader.TYPE_IPV6);
        assertUnsupported(ArpHeader.Offset.PTYPE, 0x0008);
        assertUnsupported(ArpHeader.Offset.HLEN, 0x0804); // hlen 8
        assertUnsupported(ArpHeader.Offset.HLEN, 0x0610); // plen 16
        assertUnsupported(ArpHeader.Offset.HLEN, 0x0000);
    }

    private static void assertUnsupported(int field, int value) {
        forEachVariant(REQUEST, (buf, off) -> {
            Bytes.u16(buf, off + field, value);
            assertEquals(ArpHeader.UNSUPPORTED, ArpHeader.check(buf, off, ArpHeader.LENGTH),
                    "field " + field + " = " + Integer.toHexString(value));
        });
    }

    @Test
    void shouldAcceptAnyOperation() {
        // RARP and InARP opcodes are not the header's business: check validates the formats only
        forEachVariant(REQUEST, (buf, off) -> {
            Bytes.u16(buf, off + ArpHeader.Offset.OPER, 3);
            assertEquals(ArpHeader.OK, ArpHeader.check(buf, off, ArpHeader.LENGTH));
            assertEquals(3, ArpHeader.operation(buf, off));
        });
    }

    @Test
    void shouldRoundTripRandomPackets() {
        Random random = new Random(826);
        for (int i = 0; i < 200; i++) {
            int op = random.nextInt(65536);
            long sha = random.nextLong() & 0xffff_ffff_ffffL;
            int spa = random.nextInt();
            long tha = random.nextLong() & 0xffff_ffff_ffffL;
            int tpa = random.nextInt();
            forEachZeroed(ArpHeader.LENGTH, region -> {
                ArpHeader.write(region.buf(), region.off(), op, sha, spa, tha, tpa);
                assertEquals(ArpHeader.OK, ArpHeader.check(region.buf(), region.off(), ArpHeader.LENGTH));
                                assertEquals(op, ArpHeader.operation(region.buf(), region.off()));
                assertEquals(sha, ArpHeader.senderMac(region.buf(), region.off()));
                assertEquals(spa, ArpHeader.senderIp(region.buf(), region.off()));
                assertEquals(tha, ArpHeader.targetMac(region.buf(), region.off()));
                assertEquals(tpa, ArpHeader.targetIp(region.buf(), region.off()));
            });
        }
    }
}
