package io.jiip.io;

import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.UdpHeader;
import java.nio.ByteBuffer;

/** Ethernet + IPv4 + TCP/UDP frames with correct or partial checksums, for the unit tests. */
final class TestFrames {
    static final int SRC = 0x0a4d0001;
    static final int DST = 0x0a4d0002;
    static final int L4 = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;

    private TestFrames() {
    }

    /**
     * A TCP segment (20-byte header plus 12 bytes of timestamp-like options) with {@code payload} bytes
     * {@code (i * 7) & 0xff}; its checksum is complete, or holds the pseudo-header sum when {@code partial}.
     */
    static Packet tcp(PacketPool pool, int payload, int seq, int flags, boolean partial) {
        int thl = 32;
        int len = L4 + thl + payload;
        Packet p = pool.alloc(len);
        ByteBuffer b = p.buffer();
        int o = p.offset();
        Bytes.zero(b, o, len);
        EthernetHeader.write(b, o, 0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, EthernetHeader.TYPE_IPV4);
        int ip = o + EthernetHeader.LENGTH;
        Bytes.u8(b, ip, 0x45);
        Bytes.u16(b, ip + Ipv4Header.Offset.TOTAL_LENGTH, Ipv4Header.MIN_LENGTH + thl + payload);
        Bytes.u16(b, ip + Ipv4Header.Offset.IDENTIFICATION, 0x1234);
        Bytes.u16(b, ip + Ipv4Header.Offset.FLAGS_FRAGMENT, Ipv4Header.FLAG_DF);
        Bytes.u8(b, ip + Ipv4Header.Offset.TTL, 64);
        Bytes.u8(b, ip + Ipv4Header.Offset.PROTOCOL, Ipv4Header.PROTO_TCP);
        Bytes.i32(b, ip + Ipv4Header.Offset.SRC, SRC);
        Bytes.i32(b, ip + Ipv4Header.Offset.DST, DST);
        Bytes.u16(b, ip + Ipv4Header.Offset.CHECKSUM, Checksum.compute(b, ip, Ipv4Header.MIN_LENGTH));
        int t = o + L4;
        TcpHeader.write(b, t, 8000, 49152, seq, 777, thl, flags, 1000);
        Bytes.u8(b, t + 20, 1); // NOP NOP + 10 option bytes
        Bytes.u8(b, t + 21, 1);
        Bytes.u8(b, t + 22, 8);
        Bytes.u8(b, t + 23, 10);
        for (int i = 0; i < payload; i++) {
            b.put(t + thl + i, (byte) (i * 7));
        }
        pool.length(p, len);
        long pseudo = Checksum.pseudoHeader(SRC, DST, Ipv4Header.PROTO_TCP, thl + payload);
        if (partial) {
            TcpHeader.checksum(b, t, Checksum.fold(pseudo));
        } else {
            TcpHeader.checksum(b, t, Checksum.finish(Checksum.add(pseudo, b, t, thl + payload)));
        }
        return p;
    }

    /** A UDP datagram whose checksum holds the pseudo-header sum (partial). */
    static Packet udpPartial(PacketPool pool, int payload) {
        int len = L4 + UdpHeader.LENGTH + payload;
        Packet p = pool.alloc(len);
        ByteBuffer b = p.buffer();
        int o = p.offset();
        Bytes.zero(b, o, len);
        EthernetHeader.write(b, o, 0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, EthernetHeader.TYPE_IPV4);
        int ip = o + EthernetHeader.LENGTH;
        Bytes.u8(b, ip, 0x45);
        Bytes.u16(b, ip + Ipv4Header.Offset.TOTAL_LENGTH, Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH + payload);
        Bytes.u8(b, ip + Ipv4Header.Offset.TTL, 64);
        Bytes.u8(b, ip + Ipv4Header.Offset.PROTOCOL, Ipv4Header.PROTO_UDP);
        Bytes.i32(b, ip + Ipv4Header.Offset.SRC, SRC);
        Bytes.i32(b, ip + Ipv4Header.Offset.DST, DST);
        Bytes.u16(b, ip + Ipv4Header.Offset.CHECKSUM, Checksum.compute(b, ip, Ipv4Header.MIN_LENGTH));
        int u = o + L4;
        Bytes.u16(b, u + UdpHeader.Offset.SRC_PORT, 7);
        Bytes.u16(b, u + UdpHeader.Offset.DST_PORT, 5000);
        Bytes.u16(b, u + UdpHeader.Offset.LENGTH, UdpHeader.LENGTH + payload);
        for (int i = 0; i < payload; i++) {
            b.put(u + UdpHeader.LENGTH + i, (byte) (i + 1));
        }
        pool.length(p, len);
        long pseudo = Checksum.pseudoHeader(SRC, DST, Ipv4Header.PROTO_UDP, UdpHeader.LENGTH + payload);
        Bytes.u16(b, u + UdpHeader.Offset.CHECKSUM, Checksum.fold(pseudo));
        return p;
    }
}
