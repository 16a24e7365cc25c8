package io.jiip.tcp;

import io.jiip.api.Counter;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpState;
import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;

/**
 * SYN cookies (RFC 4987 §3.6, the Linux layout): when a listener cannot hold another half-open connection, the
 * SYN-ACK carries the connection's state in its ISN and no state is kept. The ISN is
 * {@code H1(4-tuple) + (count << 27 | mssIndex << 24 | H2(4-tuple, peer ISN, count, mssIndex) & 0xffffff)} with
 * {@code count} a 64-second clock (5 bits) and H1, H2 SipHash-2-4 under the context's ISN key. When the peer and
 * we both do timestamps, the low 6 bits of our TSval carry the peer's window scale (4 bits, 15 = none) and
 * SACK-permitted (1 bit); the ACK echoes them in TSecr. Without timestamps, a cookie connection has no window
 * scaling and no SACK (as in Linux). The final ACK is valid when {@code ack - 1} decodes, its hash matches and its
 * count is at most 2 ticks old; the connection is then created in SYN-RECEIVED and the ACK processed as usual.
 */
final class SynCookies<P> {
    /** MSS values a cookie can encode (3 bits): the largest not above the peer's is chosen. */
    static final int[] MSS_TABLE = {536, 1024, 1220, 1300, 1400, 1440, 1460, 8960};
    static final long TICK_NANOS = 64_000_000_000L;
    static final int MAX_AGE_TICKS = 2;
    private static final int TS_BITS = 6;
    private static final int TS_MASK = (1 << TS_BITS) - 1;
    private static final int WSCALE_NONE = 0xf;
    private static final int SACK_BIT = 0x10;

    private final TcpLayer<P> tcp;
    /** When the last cookie went out: ACKs are checked only while cookies may be outstanding. */
    private long lastSentAt = Long.MIN_VALUE;

    SynCookies(TcpLayer<P> tcp) {
        this.tcp = tcp;
    }

    private long tick(long now) {
        return Math.floorDiv(now, TICK_NANOS);
    }

    private long tuple(int remoteIp, int remotePort, int localPort) {
        return FlowTable.key(remoteIp, remotePort, localPort);
    }

    private int h1(long tuple) {
        return (int) tcp.isn.sipHash24(tuple, 0x636f6f6b69653031L ^ tcp.nif.ip);
    }

    private int h2(long tuple, int peerIsn, int count, int mssIndex) {
        long m1 = ((long) peerIsn << 32) | ((long) count << 8) | mssIndex | 0x636b0000L;
        return (int) tcp.isn.sipHash24(tuple ^ 0x5a5a5a5a00000000L, m1) & 0xffffff;
    }

    /** The cookie ISN for the current SYN. */
    int encode(int remoteIp, int remotePort, int localPort, int peerIsn, int mssIndex, long now) {
        long t = tuple(remoteIp, remotePort, localPort);
        int count = (int) tick(now) & 0x1f;
        int plain = (count << 27) | (mssIndex << 24) | h2(t, peerIsn, count, mssIndex);
        return h1(t) + plain;
    }

    /** The MSS index a valid cookie carries, or -1. */
    int decode(int cookie, int remoteIp, int remotePort, int localPort, int peerIsn, long now) {
        long t = tuple(remoteIp, remotePort, localPort);
        int plain = cookie - h1(t);
        int count = plain >>> 27;
        int mssIndex = (plain >>> 24) & 7;
        int age = ((int) tick(now) - count) & 0x1f;
        if (age > MAX_AGE_TICKS) {
            return -1;
        }
        return (plain & 0xffffff) == h2(t, peerIsn, count, mssIndex) ? mssIndex : -1;
    }

    static int mssIndex(int mss) {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && MSS_TABLE[i] > mss) {
            i--;
        }
        return i;
    }

    /**
     * Answers the current SYN of listener {@code l} with a cookie SYN-ACK, keeping no state. The accept decision
     * is asked first, as for a normal passive open.
     */
    void sendCookie(int l, TcpEvents<P> handler) {
        Segment s = tcp.seg;
        TcpOptions o = s.options;
        if (!handler.onAccept(tcp.nif.stack, s.dstPort, s.srcIp, s.srcPort)) {
            tcp.stats.inc(Counter.DROP_TCP_REFUSED);
            tcp.output.sendReset(s.srcIp, s.srcMac, s.dstPort, s.srcPort, 0, s.seq + s.seqLength(),
                    TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK);
            return;
        }
        long now = tcp.nif.now();
        TcpConnection<P> c = tcp.detached;
        c.reset(tcp.cfg);
        c.remoteIp = s.srcIp;
        c.remotePort = s.srcPort;
        c.localPort = s.dstPort;
        c.remoteMac = s.srcMac;
        c.state = TcpState.SYN_RECEIVED;
        c.irs = s.seq;
        c.rcvNxt = s.seq + 1;
        tcp.negotiate(c, o);
        int peerMss = o.mss > 0 ? o.mss : 536;
        int mssIndex = mssIndex(peerMss);
        c.iss = encode(s.srcIp, s.srcPort, s.dstPort, s.seq, mssIndex, now);
        if (c.timestamps) {
            int opts = (c.windowScaling ? c.sndShift : WSCALE_NONE) | (c.sackPermitted ? SACK_BIT : 0);
            int base = tsBase(c, now);
            int tsVal = (base & ~TS_MASK) | opts;
            if (Seq.gt(tsVal, base)) {
                tsVal -= TS_MASK + 1; // never ahead of the clock the connection continues, or PAWS drops it
            }
            c.tsOffset = tsVal - (int) (now / 1_000_000L);
        } else {
            // No room for the options: the connection will do without them (as Linux does).
            c.windowScaling = false;
            c.rcvShift = 0;
            c.sndShift = 0;
            c.sackPermitted = false;
        }
        tcp.output.sendSyn(c);
        lastSentAt = now;
        tcp.stats.inc(Counter.SYN_COOKIES_SENT);
    }

    /** Our TSval clock for this 4-tuple, as the connection made from the cookie will continue it. */
    private int tsBase(TcpConnection<P> c, long now) {
        return (int) (now / 1_000_000L) + tsOffsetFor(c.remoteIp, c.remotePort, c.localPort);
    }

    private int tsOffsetFor(int remoteIp, int remotePort, int localPort) {
        return tcp.tsOffset(tuple(remoteIp, remotePort, localPort));
    }

    /** Whether an ACK to a listener could answer one of our cookies (cookies went out in the last 2 ticks). */
    boolean mayBeCookie() {
        return lastSentAt != Long.MIN_VALUE && tcp.nif.now() - lastSentAt <= (MAX_AGE_TICKS + 1) * TICK_NANOS;
    }

    /**
     * The current segment (ACK, no SYN, no RST) arrived for listener {@code l} without a connection: if it carries
     * a valid cookie, the connection is created as if through SYN-RECEIVED and the segment processed on it.
     *
     * @return -1 when the cookie is invalid (the caller answers as for no connection); 0 when handled and the
     *     frame must be freed; 1 when handled and the frame was kept
     */
    int complete(int l, TcpEvents<P> handler, P frame) {
        Segment s = tcp.seg;
        TcpOptions o = s.options;
        int peerIsn = s.seq - 1;
        int iss = s.ack - 1;
        long now = tcp.nif.now();
        int mssIndex = decode(iss, s.srcIp, s.srcPort, s.dstPort, peerIsn, now);
        if (mssIndex < 0) {
            tcp.stats.inc(Counter.SYN_COOKIES_INVALID);
            return -1;
        }
        TcpConnection<P> c = tcp.allocConnection(s.srcIp, s.srcPort, s.dstPort);
        if (c == null) {
            tcp.stats.inc(Counter.DROP_TCP_TABLE_FULL);
            return 0;
        }
        tcp.stats.inc(Counter.SYN_COOKIES_VALID);
        tcp.stats.inc(Counter.TCP_PASSIVE_OPENS);
        c.handler = handler;
        c.listener = -1; // never counted as half-open
        c.remoteMac = s.srcMac;
        c.state = TcpState.SYN_RECEIVED;
        c.iss = iss;
        c.sndUna = iss;
        c.sndNxt = iss + 1;
        c.sndMax = iss + 1;
        c.recover = iss;
        c.irs = peerIsn;
        c.rcvNxt = s.seq;
        c.sndWl1 = peerIsn;
        c.sndWnd = s.window; // rescaled by the ACK processing below once the shift is known
        c.maxSndWnd = c.sndWnd;
        // Options: what the cookie recorded; timestamps only if the peer echoes our TSval.
        boolean ts = tcp.cfg.timestamps() && o.timestamps && o.tsEcr != 0;
        int wscale = ts ? o.tsEcr & 0xf : WSCALE_NONE;
        boolean sack = ts && (o.tsEcr & SACK_BIT) != 0;
        tcp.useOptions(c, wscale == WSCALE_NONE ? -1 : wscale, ts, sack, MSS_TABLE[mssIndex]);
        if (ts) {
            c.tsRecent = o.tsVal;
            c.tsOffset = tsOffsetFor(s.srcIp, s.srcPort, s.dstPort);
        }
        // The window our SYN-ACK advertised (never scaled in a SYN).
        int space = Math.max(0, tcp.cfg.receiveBuffer());
        c.rcvAdv = c.rcvNxt + Math.min(space, 65535);
        c.lastAckSent = c.rcvNxt;
        return tcp.input.arrives(c, frame) ? 1 : 0;
    }
}
