package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Offload;
import io.jiip.api.RxChecksum;
import io.jiip.link.NicEmulation;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The virtio_net_hdr translation, byte for byte (no device needed). */
class VirtioNetHeaderTest {
    final PacketPool pool = PacketPool.builder().packets(64).small(32, 2048).large(4, 65536 + 256).build();
    final ByteBuffer hdr = ByteBuffer.allocate(VirtioNetHeader.LENGTH);

    private byte[] bytes() {
        byte[] b = new byte[VirtioNetHeader.LENGTH];
        hdr.get(0, b);
        return b;
    }

    @Test
    void shouldWriteNoOffloadAsZeros() {
        hdr.put(0, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        Packet p = TestFrames.tcp(pool, 10, 1, TcpHeader.FLAG_ACK, false);
        VirtioNetHeader.writeTx(hdr, 0, 0, 0, 0, p.buffer(), p.offset());
        assertEquals("000000000000000000000000", hex(bytes()));
        pool.free(p);
    }

    @Test
    void shouldMarkTcpChecksumAsNeedsCsumAtOffset16() {
        Packet p = TestFrames.tcp(pool, 10, 1, TcpHeader.FLAG_ACK, true);
        VirtioNetHeader.writeTx(hdr, 0, Offload.TCP_CSUM, TestFrames.L4, 0, p.buffer(), p.offset());
        // flags NEEDS_CSUM, gso NONE, hdr_len 0, gso_size 0, csum_start 34, csum_offset 16, num_buffers 0 (LE)
        assertEquals("010000000000" + "2200" + "1000" + "0000", hex(bytes()));
        pool.free(p);
    }

    @Test
    void shouldMarkUdpChecksumAsNeedsCsumAtOffset6() {
        Packet p = TestFrames.udpPartial(pool, 10);
        VirtioNetHeader.writeTx(hdr, 0, Offload.UDP_CSUM, TestFrames.L4, 0, p.buffer(), p.offset());
        assertEquals("010000000000" + "2200" + "0600" + "0000", hex(bytes()));
        pool.free(p);
    }

    @Test
    void shouldMarkTsoWithGsoSizeAndHeaderLength() {
        Packet p = TestFrames.tcp(pool, 3000, 1, TcpHeader.FLAG_ACK, true);
        VirtioNetHeader.writeTx(hdr, 0, Offload.TCP_CSUM | Offload.TCP_SEG, TestFrames.L4, 1448, p.buffer(),
                p.offset());
        // GSO_TCPV4, hdr_len 14+20+32 = 66, gso_size 1448 = 0x05a8
        assertEquals("0101" + "4200" + "a805" + "2200" + "1000" + "0000", hex(bytes()));
        pool.free(p);
    }

    @Test
    void shouldTrustDataValidAndNeedsCsumForL4Only() {
        assertEquals(RxChecksum.NONE, VirtioNetHeader.rxVerdict(0));
        assertEquals(RxChecksum.L4_GOOD, VirtioNetHeader.rxVerdict(VirtioNetHeader.F_DATA_VALID));
        assertEquals(RxChecksum.L4_GOOD, VirtioNetHeader.rxVerdict(VirtioNetHeader.F_NEEDS_CSUM));
        assertEquals(0, VirtioNetHeader.rxVerdict(VirtioNetHeader.F_DATA_VALID) & RxChecksum.IPV4_GOOD,
                "the IPv4 header checksum is left to software");
    }

    @Test
    void shouldCompletePartialTcpChecksumInSoftware() {
        Packet p = TestFrames.tcp(pool, 1001, 5, TcpHeader.FLAG_ACK, true);
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_BAD,
                NicEmulation.verifyRx(p.buffer(), p.offset(), p.length(), EthernetHeader.LENGTH));
        assertTrue(VirtioNetHeader.completeChecksum(p.buffer(), p.offset(), p.length(), TestFrames.L4,
                TcpHeader.Offset.CHECKSUM));
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD,
                NicEmulation.verifyRx(p.buffer(), p.offset(), p.length(), EthernetHeader.LENGTH));
        pool.free(p);
    }

    @Test
    void shouldCompletePartialUdpChecksumIgnoringEthernetPadding() {
        Packet p = TestFrames.udpPartial(pool, 5);
        int len = p.length();
        pool.length(p, 60); // padded to the Ethernet minimum with garbage
        p.buffer().put(p.offset() + len, (byte) 0x5a);
        assertTrue(VirtioNetHeader.completeChecksum(p.buffer(), p.offset(), p.length(), TestFrames.L4,
                UdpHeader.Offset.CHECKSUM));
        assertEquals(RxChecksum.IPV4_GOOD | RxChecksum.L4_GOOD,
                NicEmulation.verifyRx(p.buffer(), p.offset(), p.length(), EthernetHeader.LENGTH));
        pool.free(p);
    }

    @Test
    void shouldRefuseChecksumOffsetsOutsideTheFrame() {
        Packet p = TestFrames.udpPartial(pool, 5);
        assertFalse(VirtioNetHeader.completeChecksum(p.buffer(), p.offset(), p.length(), p.length() - 4, 6));
        pool.free(p);
        assertEquals(0, pool.inUse());
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
