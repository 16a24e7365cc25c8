package io.jiip.sim.app;

import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.sim.App;
import io.jiip.sim.Node;
import io.jiip.wire.Checksum;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import io.jiip.wire.TcpHeader;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A SYN flooder: from its node's NIC, bypassing the node's stack, it sends minimum-size TCP SYNs to one port of a
 * target at a given bit rate (line rate: the rate of its link), each from a random source address, port and
 * sequence number, and never answers. The SYN-ACKs come back to its MAC and die in its stack (not its address).
 * Deterministic: the randomness comes from the simulation's seed.
 */
public final class SynFlood implements App {
    /** Ethernet + IPv4 + TCP, no options: padded to the 60-byte Ethernet minimum. */
    private static final int FRAME = 60;
    /** Bits a minimum frame takes on the wire: 64 bytes with the FCS, plus preamble and inter-frame gap. */
    private static final int WIRE_BITS = (64 + 8 + 12) * 8;

    private final Node target;
    private final int port;
    private final long rateBps;
    private final long stopAt;
    private long sent;
    private long noBuffer;
    private Node node;
    private SplittableRandom random;
    private long interval;

    /** Floods {@code target}:{@code port} at {@code rateBps} from the app's start until {@code stopAt}. */
    public SynFlood(Node target, int port, long rateBps, long stopAt) {
        if (rateBps <= 0) {
            throw new IllegalArgumentException("rate must be > 0");
        }
        this.target = target;
        this.port = port;
        this.rateBps = rateBps;
        this.stopAt = stopAt;
    }

    public long sent() {
        return sent;
    }

    @Override
    public void start(Node n) {
        this.node = n;
        this.random = n.sim().random("syn-flood-" + n.name());
        this.interval = Math.max(1, WIRE_BITS * 1_000_000_000L / rateBps);
        tick();
    }

    private void tick() {
        long now = node.sim().now();
        if (now >= stopAt) {
            return;
        }
        PacketPool pool = node.pool();
        Packet p = pool.alloc(FRAME);
        if (p == null) {
            noBuffer++;
        } else {
            pool.length(p, FRAME);
            write(p.buffer(), p.offset());
            node.nic().push(p);
            node.nic().flush();
            sent++;
        }
        node.sim().at(now + interval, this::tick);
    }

    private void write(ByteBuffer b, int off) {
        for (int i = 0; i < FRAME; i++) {
            b.put(off + i, (byte) 0);
        }
        EthernetHeader.write(b, off, target.mac(), node.mac(), EthernetHeader.TYPE_IPV4);
        int ip = off + EthernetHeader.LENGTH;
        int tcp = ip + Ipv4Header.MIN_LENGTH;
        // Random unicast sources outside 0/8, 10/8, 127/8, multicast and class E.
        int src;
        do {
            src = random.nextInt();
        } while ((src >>> 24) == 10 || (src >>> 24) == 127 || (src >>> 24) == 0 || (src >>> 28) >= 14);
        TcpHeader.write(b, tcp, 1024 + random.nextInt(64512), port, random.nextInt(), 0, TcpHeader.MIN_LENGTH,
                TcpHeader.FLAG_SYN, 65535);
        int l4 = TcpHeader.MIN_LENGTH;
        TcpHeader.checksum(b, tcp, Checksum.finish(Checksum.add(
                Checksum.pseudoHeader(src, target.ip(), Ipv4Header.PROTO_TCP, l4), b, tcp, l4)));
        Ipv4Header.write(b, ip, Ipv4Header.MIN_LENGTH + l4, (int) sent & 0xffff, 0, 64, Ipv4Header.PROTO_TCP, src,
                target.ip(), false);
    }

    @Override
    public void report(StringBuilder out) {
        out.append(String.format("syn-flood: %d SYNs sent (%d not sent: no buffer)%n", sent, noBuffer));
    }
}
