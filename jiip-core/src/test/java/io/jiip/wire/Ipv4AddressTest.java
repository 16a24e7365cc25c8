package io.jiip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv4AddressTest {
    @Test
    void shouldParseDottedQuads() {
        assertEquals(0x0a000001, Ipv4Address.parse("10.0.0.1"));
        assertEquals(0x7f000001, Ipv4Address.parse("127.0.0.1"));
        assertEquals(0xc0a801fe, Ipv4Address.parse("192.168.1.254"));
        assertEquals(Ipv4Address.ANY, Ipv4Address.parse("0.0.0.0"));
        assertEquals(Ipv4Address.BROADCAST, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0x01020304, Ipv4Address.parse("1.2.3.4"));
    }

    @Test
    void shouldFormatDottedQuads() {
        assertEquals("10.0.0.1", Ipv4Address.toString(0x0a000001));
        assertEquals("192.168.1.254", Ipv4Address.toString(0xc0a801fe));
        assertEquals("0.0.0.0", Ipv4Address.toString(Ipv4Address.ANY));
        assertEquals("255.255.255.255", Ipv4Address.toString(Ipv4Address.BROADCAST));
        assertEquals("128.0.0.0", Ipv4Address.toString(Integer.MIN_VALUE));
    }

    @Test
    void shouldRoundTripRandomAddresses() {
        Random random = new Random(32);
        for (int i = 0; i < 1000; i++) {
            int addr = random.nextInt();
            String text = Ipv4Address.toString(addr);
            assertEquals(addr, Ipv4Address.parse(text), text);
            assertEquals(text, Ipv4Address.toString(Ipv4Address.parse(text)));
        }
    }

    @Test
    void shouldRoundTripTheAddressesOfTheCapturedFrames() {
        assertEquals(CapturedFrames.LOOPBACK, Ipv4Address.parse("127.0.0.1"));
        assertEquals("10.0.2.15", Ipv4Address.toString(ArpHeader.senderIp(ByteBuffer.wrap(
                CapturedFrames.ARP_REQUEST), CapturedFrames.ETH)));
    }

    @Test
    void shouldRejectMalformedAddresses() {
        String[] bad = {
            "", ".", "...", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4.", "256.0.0.1",
            "1.2.3.256", "1.2.3.4444", "1.2.3.0000", "a.b.c.d", "1.2.3.x", "0x1.2.3.4", "1.2.3.-1", "-1.2.3.4",
            "-0.0.0.0", "+1.2.3.4", "1.+2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2 .3.4", "１.2.3.4", "1.2.3.٤",
            "1,2,3,4", "1:2:3:4", "::1",
        };
        for (String text : bad) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text), "\"" + text + "\"");
        }
    }

    @Test
    void shouldBuildMasksForEveryPrefixLength() {
        assertEquals(0, Ipv4Address.mask(0));
        assertEquals(0x80000000, Ipv4Address.mask(1));
        assertEquals(0xff000000, Ipv4Address.mask(8));
        assertEquals(0xfff00000, Ipv4Address.mask(12));
        assertEquals(0xffff0000, Ipv4Address.mask(16));
        assertEquals(0xffffff00, Ipv4Address.mask(24));
        assertEquals(0xfffffffe, Ipv4Address.mask(31));
        assertEquals(0xffffffff, Ipv4Address.mask(32));
        for (int prefix = 0; prefix <= 32; prefix++) {
            int naive = 0;
            for (int bit = 0; bit < prefix; bit++) {
                naive |= 1 << (31 - bit);
            }
            int mask = Ipv4Address.mask(prefix);
            assertEquals(naive, mask, "/" + prefix);
            assertEquals(prefix, Integer.bitCount(mask), "/" + prefix);
        }
    }

    @Test
    void shouldMaskAddressesIntoTheirNetwork() {
        int addr = Ipv4Address.parse("192.168.1.254");
        assertEquals(Ipv4Address.parse("192.168.1.0"), addr & Ipv4Address.mask(24));
        assertEquals(Ipv4Address.parse("192.168.0.0"), addr & Ipv4Address.mask(23));
        assertEquals(Ipv4Address.parse("192.0.0.0"), addr & Ipv4Address.mask(8));
        assertEquals(Ipv4Address.parse("10.0.2.0"), Ipv4Address.parse("10.0.2.15") & Ipv4Address.mask(24));
    }

    @Test
    void shouldTellMulticastAddresses() {
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.0")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.251")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.255")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.0")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.BROADCAST));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.ANY));
        assertFalse(Ipv4Address.isMulticast(CapturedFrames.LOOPBACK));
    }
}
