package io.jiip.wire;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzzing the wire views and parsers on arbitrary bytes (Jazzer): no input makes a validator or, once it said
 * OK, an accessor within the validated length throw. The buffer is exactly as long as the input, so any read past
 * it throws. Regression mode over {@code WireFuzzTestInputs/} in every test run; {@code JAZZER_FUZZ=1} fuzzes
 * (docs/security.md).
 */
class WireFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parsers(byte[] input) {
        ByteBuffer buf = ByteBuffer.wrap(input);
        int len = input.length;
        for (int off = 0; off <= Math.min(len, 2); off++) {
            int avail = len - off;
            if (Ipv4Header.check(buf, off, avail) == Ipv4Header.OK) {
                int hlen = (Bytes.u8(buf, off) & 0xf) * 4;
                assertTrue(hlen >= Ipv4Header.MIN_LENGTH && hlen <= avail);
                Ipv4Header.src(buf, off);
                Ipv4Header.dst(buf, off);
                Ipv4Header.checksumValid(buf, off);
            }
            if (TcpHeader.check(buf, off, avail) == TcpHeader.OK) {
                int thlen = TcpHeader.headerLength(buf, off);
                assertTrue(thlen >= TcpHeader.MIN_LENGTH && thlen <= avail);
                TcpOptions o = new TcpOptions();
                if (o.parse(buf, off + TcpHeader.MIN_LENGTH, thlen - TcpHeader.MIN_LENGTH) == TcpOptions.OK) {
                    assertTrue(o.sackBlocks >= 0 && o.sackBlocks <= TcpOptions.MAX_SACK_BLOCKS);
                    assertTrue(o.windowScale >= -1);
                }
            }
            new TcpOptions().parse(buf, off, avail);
            if (ArpHeader.check(buf, off, avail) == ArpHeader.OK) {
                ArpHeader.operation(buf, off);
                ArpHeader.senderMac(buf, off);
                ArpHeader.senderIp(buf, off);
                ArpHeader.targetMac(buf, off);
                ArpHeader.targetIp(buf, off);
            }
            if (avail >= EthernetHeader.LENGTH) {
                EthernetHeader.dst(buf, off);
                EthernetHeader.src(buf, off);
                EthernetHeader.etherType(buf, off);
            }
            if (avail >= UdpHeader.LENGTH) {
                UdpHeader.checksumOf(buf, off, avail, 0x0a000001, 0x0a000002);
            }
            Checksum.fold(Checksum.add(0, buf, off, avail));
        }
    }
}
