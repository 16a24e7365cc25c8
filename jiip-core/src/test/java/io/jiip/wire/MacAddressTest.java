package io.jiip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MacAddressTest {
    @Test
    void shouldParseColonSeparatedAddresses() {
        assertEquals(0x5254_0012_3456L, MacAddress.parse("52:54:00:12:34:56"));
        assertEquals(0x0200_0000_0001L, MacAddress.parse("02:00:00:00:00:01"));
        assertEquals(0L, MacAddress.parse("00:00:00:00:00:00"));
        assertEquals(EthernetHeader.BROADCAST, MacAddress.parse("ff:ff:ff:ff:ff:ff"));
    }

    @Test
    void shouldParseDashesAndUpperCase() {
        assertEquals(0x5255_0a00_0202L, MacAddress.parse("52-55-0A-00-02-02"));
        assertEquals(EthernetHeader.BROADCAST, MacAddress.parse("FF:FF:FF:FF:FF:FF"));
        assertEquals(0xabcd_ef01_2345L, MacAddress.parse("aB:Cd:eF:01:23:45"));
    }

    @Test
    void shouldParseSingleDigitOctets() {
        assertEquals(0x0200_0000_0001L, MacAddress.parse("2:0:0:0:0:1"));
    }

    @Test
    void shouldFormatLowerCaseZeroPadded() {
        assertEquals("52:54:00:12:34:56", MacAddress.toString(0x5254_0012_3456L));
        assertEquals("00:00:00:00:00:00", MacAddress.toString(0L));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.toString(EthernetHeader.BROADCAST));
        assertEquals("0a:0b:0c:0d:0e:0f", MacAddress.toString(0x0a0b_0c0d_0e0fL));
    }

    @Test
    void shouldFormatOnlyTheLow48Bits() {
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.toString(-1L));
        assertEquals("00:00:00:00:00:01", MacAddress.toString(0xabcd_0000_0000_0001L));
    }

    @Test
    void shouldRoundTripRandomAddresses() {
        Random random = new Random(48);
        for (int i = 0; i < 1000; i++) {
            long mac = random.nextLong() & 0xffff_ffff_ffffL;
            String text = MacAddress.toString(mac);
            assertEquals(17, text.length());
            assertEquals(mac, MacAddress.parse(text), text);
            assertEquals(mac, MacAddress.parse(text.toUpperCase(Locale.ROOT).replace(':', '-')), text);
            assertEquals(text, MacAddress.toString(MacAddress.parse(text)));
        }
    }

    @Test
    void shouldRejectMalformedAddresses() {
        String[] bad = {
            "", ":", "52:54:00:12:34", "52:54:00:12:34:56:78", "525400123456", "52.54.00.12.34.56",
            "52:54:00:12:34:5g", "152:54:00:12:34:56", "052:54:00:12:34:56", "52:54:00:12:34:",
            "52:54:00:12:34:56:", "52:54:00:12:34:56::", ":52:54:00:12:34:56", "52::00:12:34:56",
            "52:54:00:12:34:56 ", " 52:54:00:12:34:56", "+2:54:00:12:34:56", "52:54:00:12:34:+6",
            "0x52:54:00:12:34:56", "５２:54:00:12:34:56", "52:54:00:12:34:٥٦",
        };
        for (String text : bad) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text), "\"" + text + "\"");
        }
    }
}
