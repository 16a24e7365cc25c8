package io.jiip.iface;

import io.jiip.api.Counter;
import io.jiip.arp.ArpCache;
import io.jiip.wire.ArpHeader;
import io.jiip.wire.Bytes;
import io.jiip.wire.EthernetHeader;
import java.nio.ByteBuffer;

/**
 * ARP for one stack (RFC 826): answers requests for our address, sends requests, feeds replies to the stack's
 * {@link ArpCache} (when enabled) and to the integrator. Stack-internal: integrators use {@code Stack.arpRequest}.
 */
public final class ArpLayer<P> {
    private final NetInterface<P> nif;

    public ArpLayer(NetInterface<P> nif) {
        this.nif = nif;
    }

    /** Takes ownership of a received ARP frame whose ARP packet starts at {@code off}. */
    public void input(P frame, ByteBuffer buf, int off, int len) {
        nif.stats.inc(Counter.ARP_RX);
        if (ArpHeader.check(buf, off, len) != ArpHeader.OK) {
            nif.drop(frame, Counter.DROP_ARP_MALFORMED);
            return;
        }
        int senderIp = ArpHeader.senderIp(buf, off);
        long senderMac = ArpHeader.senderMac(buf, off);
        boolean forUs = ArpHeader.targetIp(buf, off) == nif.ip;
        ArpCache<P> cache = nif.arpCache;
        // RFC 826 "merge": refresh a sender we already know; learn it if the packet is for us. A sender of
        // 0.0.0.0 is an address probe (RFC 5227) and teaches nothing; multicast sender MACs are bogus.
        boolean learnable = senderIp != 0 && !EthernetHeader.isMulticast(senderMac) && senderIp != nif.ip;
        if (cache != null && learnable && (forUs || cache.contains(senderIp))) {
            cache.update(senderIp, senderMac, nif.now());
            nif.releasePending(senderIp, senderMac);
        }
        int op = ArpHeader.operation(buf, off);
        if (op == ArpHeader.OP_REQUEST) {
            if (!forUs) {
                nif.drop(frame, Counter.DROP_ARP_NOT_FOR_US);
                return;
            }
            nif.ops.free(frame);
            reply(senderMac, senderIp);
        } else if (op == ArpHeader.OP_REPLY) {
            nif.stats.inc(Counter.ARP_REPLIES_RX);
            try {
                nif.events.onArpReply(nif.stack, frame, senderIp, senderMac);
            } finally {
                nif.ops.free(frame);
            }
        } else {
            nif.drop(frame, Counter.DROP_ARP_MALFORMED);
        }
    }

    private void reply(long toMac, int toIp) {
        P out = allocArp();
        if (out == null) {
            return;
        }
        ByteBuffer buf = nif.ops.buffer(out);
        int off = nif.ops.offset(out);
        EthernetHeader.write(buf, off, toMac, nif.mac, EthernetHeader.TYPE_ARP);
        ArpHeader.write(buf, off + EthernetHeader.LENGTH, ArpHeader.OP_REPLY, nif.mac, nif.ip, toMac, toIp);
        nif.stats.inc(Counter.ARP_REQUESTS_ANSWERED);
        nif.push(out);
    }

    /** Broadcasts a request for {@code targetIp}; {@code false} when no buffer was available. */
    public boolean sendRequest(int targetIp) {
        P out = allocArp();
        if (out == null) {
            return false;
        }
        ByteBuffer buf = nif.ops.buffer(out);
        int off = nif.ops.offset(out);
        EthernetHeader.write(buf, off, EthernetHeader.BROADCAST, nif.mac, EthernetHeader.TYPE_ARP);
        ArpHeader.write(buf, off + EthernetHeader.LENGTH, ArpHeader.OP_REQUEST, nif.mac, nif.ip, 0, targetIp);
        nif.stats.inc(Counter.ARP_REQUESTS_TX);
        nif.push(out);
        return true;
    }

    private P allocArp() {
        // Ethernet's minimum payload is 46 bytes: pad the 28-byte ARP packet so the frame is 60 bytes on the wire.
        int len = EthernetHeader.LENGTH + 46;
        P out = nif.ops.alloc(len);
        if (out == null) {
            nif.stats.inc(Counter.DROP_TX_NO_BUFFER);
            return null;
        }
        nif.ops.length(out, len);
        Bytes.zero(nif.ops.buffer(out), nif.ops.offset(out), len);
        return out;
    }
}
