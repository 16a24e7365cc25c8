package io.jiip.wire;

import static io.jiip.wire.CapturedFrames.ETH;
import static io.jiip.wire.TestBuffers.assertBytes;
import static io.jiip.wire.TestBuffers.forEachVariant;
import static io.jiip.wire.TestBuffers.forEachZeroed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EthernetHeaderTest {
    private static final long GUEST = 0x5254_0012_3456L;
    private static final long GATEWAY = 0x5255_0a00_0202L;

    @Test
    void shouldHaveTheEthernetIiLayout() {
        assertEquals(0, EthernetHeader.Offset.DST);
        assertEquals(6, EthernetHeader.Offset.SRC);
        assertEquals(12, EthernetHeader.Offset.ETHER_TYPE);
        assertEquals(14, EthernetHeader.LENGTH);
        assertEquals(60, CapturedFrames.ARP_REQUEST.length);
        assertEquals(60, CapturedFrames.ARP_REPLY.length);
    }

    @Test
    void shouldDeconstructABroadcastArpRequest() {
        forEachVariant(CapturedFrames.ARP_REQUEST, (buf, off) -> {
            assertEquals(EthernetHeader.BROADCAST, EthernetHeader.dst(buf, off));
            assertEquals(GUEST, EthernetHeader.src(buf, off));
            assertEquals(EthernetHeader.TYPE_ARP, EthernetHeader.etherType(buf, off));
        });
    }

    @Test
    void shouldDeconstructAUnicastArpReply() {
        forEachVariant(CapturedFrames.ARP_REPLY, (buf, off) -> {
            assertEquals(GUEST, EthernetHeader.dst(buf, off));
            assertEquals(GATEWAY, EthernetHeader.src(buf, off));
            assertEquals(0x0806, EthernetHeader.etherType(buf, off));
        });
    }

    @Test
    void shouldDeconstructACapturedLoopbackIpv4Frame() {
        forEachVariant(CapturedFrames.PING_REQUEST, (buf, off) -> {
            assertEquals(0L, EthernetHeader.dst(buf, off));
            assertEquals(0L, EthernetHeader.src(buf, off));
            assertEquals(EthernetHeader.TYPE_IPV4, EthernetHeader.etherType(buf, off));
        });
    }

    @Test
    void shouldConstructWithWrite() {
        forEachZeroed(ETH, region -> {
            EthernetHeader.write(region.buf(), region.off(), EthernetHeader.BROADCAST, GUEST, EthernetHeader.TYPE_ARP);
            assertBytes(CapturedFrames.range(CapturedFrames.ARP_REQUEST, 0, ETH), region);
        });
        forEachZeroed(ETH, region -> {
            EthernetHeader.write(region.buf(), region.off(), GUEST, GATEWAY, EthernetHeader.TYPE_ARP);
            assertBytes(CapturedFrames.range(CapturedFrames.ARP_REPLY, 0, ETH), region);
        });
    }

    @Test
    void shouldConstructWithSetters() {
        forEachZeroed(ETH, region -> {
            EthernetHeader.dst(region.buf(), region.off(), GUEST);
            EthernetHeader.src(region.buf(), region.off(), GATEWAY);
            EthernetHeader.etherType(region.buf(), region.off(), EthernetHeader.TYPE_ARP);
            assertBytes(CapturedFrames.range(CapturedFrames.ARP_REPLY, 0, ETH), region);
        });
    }

    @Test
    void shouldOverwriteEveryFieldWhenRewritingAFrame() {
        forEachVariant(CapturedFrames.ARP_REQUEST, (buf, off) -> {
            EthernetHeader.write(buf, off, GUEST, GATEWAY, EthernetHeader.TYPE_ARP);
            assertEquals(GUEST, EthernetHeader.dst(buf, off));
            assertEquals(GATEWAY, EthernetHeader.src(buf, off));
            assertEquals(CapturedFrames.ARP_REQUEST[ETH], buf.get(off + ETH), "payload untouched");
        });
    }

    @Test
    void shouldRoundTripRandomHeaders() {
        Random random = new Random(802);
        for (int i = 0; i < 200; i++) {
            long dst = random.nextLong() & 0xffff_ffff_ffffL;
            long src = random.nextLong() & 0xffff_ffff_ffffL;
            int type = random.nextInt(65536);
            forEachZeroed(ETH, region -> {
                ByteBuffer buf = region.buf();
                EthernetHeader.write(buf, region.off(), dst, src, type);
                assertEquals(dst, EthernetHeader.dst(buf, region.off()));
                assertEquals(src, EthernetHeader.src(buf, region.off()));
                assertEquals(type, EthernetHeader.etherType(buf, region.off()));
            });
        }
    }

    @Test
    void shouldReadHeapAndDirectFramesAlike() {
        ByteBuffer request = ByteBuffer.wrap(CapturedFrames.ARP_REQUEST);
        ByteBuffer reply = ByteBuffer.allocateDirect(CapturedFrames.ARP_REPLY.length).put(0, CapturedFrames.ARP_REPLY);
        assertEquals(EthernetHeader.BROADCAST, EthernetHeader.dst(request, 0));
        assertEquals(GUEST, EthernetHeader.dst(reply, 0));
        assertEquals(GATEWAY, EthernetHeader.src(reply, 0));
    }

    @Test
    void shouldTellGroupAddressesByTheIgBit() {
        assertTrue(EthernetHeader.isMulticast(EthernetHeader.BROADCAST));
        assertTrue(EthernetHeader.isMulticast(MacAddress.parse("01:00:5e:00:00:fb"))); // IPv4 mDNS
        assertTrue(EthernetHeader.isMulticast(MacAddress.parse("33:33:00:00:00:01"))); // IPv6 all-nodes
        assertTrue(EthernetHeader.isMulticast(MacAddress.parse("01:80:c2:00:00:00"))); // STP
        assertTrue(EthernetHeader.isMulticast(MacAddress.parse("03:00:00:00:00:00")));
        assertFalse(EthernetHeader.isMulticast(GUEST));
        assertFalse(EthernetHeader.isMulticast(GATEWAY));
        assertFalse(EthernetHeader.isMulticast(0L));
        assertFalse(EthernetHeader.isMulticast(MacAddress.parse("02:00:00:00:00:01"))); // locally administered
        assertFalse(EthernetHeader.isMulticast(MacAddress.parse("fe:ff:ff:ff:ff:ff")));
        assertFalse(EthernetHeader.isMulticast(MacAddress.parse("00:01:00:00:00:00")));
        assertFalse(EthernetHeader.isMulticast(MacAddress.parse("00:00:00:00:00:01")));
        for (int bit = 0; bit < 48; bit++) {
            assertEquals(bit == 40, EthernetHeader.isMulticast(1L << bit), "bit " + bit);
        }
    }

    @Test
    void shouldReadTheIgBitOfCapturedDestinations() {
        forEachVariant(CapturedFrames.ARP_REQUEST, (buf, off) -> assertTrue(EthernetHeader.isMulticast(
                EthernetHeader.dst(buf, off))));
        forEachVariant(CapturedFrames.ARP_REPLY, (buf, off) -> assertFalse(EthernetHeader.isMulticast(
                EthernetHeader.dst(buf, off))));
    }
}
