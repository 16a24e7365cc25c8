package io.jiip.sim.app;

import io.jiip.api.Result;
import io.jiip.link.Packet;
import io.jiip.sim.App;
import io.jiip.sim.Node;
import io.jiip.wire.Bytes;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Receives a {@link UdpSender}'s stream and checks every datagram: right size, known sequence number, content
 * intact. Loss, duplication and reordering are UDP's right and only counted; a damaged datagram is a stack bug
 * (its checksum should have caught it).
 */
public final class UdpSink implements App {
    private final int port;
    private final int expectedSize;
    private final int count;
    private final BitSet seen = new BitSet();
    private Node node;
    private long received;
    private long duplicates;
    private long reordered;
    private int highest = -1;
    private long damaged;
    private String firstDamage;
    private String error;

    public UdpSink(int port, int expectedSize, int count) {
        this.port = port;
        this.expectedSize = expectedSize;
        this.count = count;
    }

    @Override
    public void start(Node n) {
        this.node = n;
        int r = n.stack().udpBind(port, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) ->
                datagram(packet, off, len));
        if (r != Result.OK) {
            error = "udpBind(" + port + ") returned " + Result.name(r);
        }
    }

    private void datagram(Packet p, int off, int len) {
        received++;
        if (len != expectedSize || len < 4) {
            damage("datagram of " + len + " bytes, expected " + expectedSize);
            return;
        }
        int seq = Bytes.i32(p.buffer(), off);
        if (seq < 0 || seq >= count) {
            damage("datagram with sequence number " + seq + " of " + count);
            return;
        }
        long seed = UdpSender.seed(node.sim(), node.ip(), port, seq);
        int bad = Pattern.verify(p.buffer(), off + 4, seed, 0, len - 4);
        if (bad >= 0) {
            damage("datagram " + seq + " differs at byte " + (4 + bad));
            return;
        }
        if (seen.get(seq)) {
            duplicates++;
        }
        seen.set(seq);
        if (seq < highest) {
            reordered++;
        }
        highest = Math.max(highest, seq);
    }

    private void damage(String what) {
        damaged++;
        if (firstDamage == null) {
            firstDamage = what;
        }
    }

    public long distinct() {
        return seen.cardinality();
    }

    public long received() {
        return received;
    }

    @Override
    public void check(List<String> problems) {
        if (error != null) {
            problems.add(node.name() + ": " + error);
        }
        if (damaged > 0) {
            problems.add("UDP sink " + node.name() + ":" + port + ": " + damaged + " damaged datagram(s) delivered,"
                    + " first: " + firstDamage);
        }
    }

    @Override
    public void report(StringBuilder out) {
        long distinct = distinct();
        out.append(String.format(Locale.ROOT, "  udp sink %s:%d: %d of %d datagrams (%.1f%% lost), %d duplicates,"
                + " %d out of order%n", node.name(), port, distinct, count,
                count == 0 ? 0.0 : 100.0 * (count - distinct) / count, duplicates, reordered));
    }
}
