package io.jiip.tcp;

import io.jiip.api.Counter;
import io.jiip.api.TcpCloseReason;
import io.jiip.api.TcpState;
import io.jiip.iface.NetInterface;

/**
 * What happens when a connection's deadline passes: retransmission (RFC 6298 §5), SYN and SYN-ACK retries, RACK's
 * reordering timer and the tail loss probe (RFC 8985 §6.2, §7), the persist timer (RFC 9293 §3.8.6.1), delayed
 * ACK, keepalive (RFC 1122 §4.2.3.6), user timeout (RFC 5482) and FIN-WAIT-2. TIME-WAIT has no connection and no
 * timer: its records expire in age order ({@link TimeWaitTable}).
 */
final class TcpTimers<P> {
    private static final long MAX_PERSIST_INTERVAL = 60_000_000_000L;

    private final TcpLayer<P> tcp;
    private final NetInterface<P> nif;

    TcpTimers(TcpLayer<P> tcp) {
        this.tcp = tcp;
        this.nif = tcp.nif;
    }

    void fire(TcpConnection<P> c) {
        long now = nif.now();
        if (c.state == TcpState.CLOSED) {
            return;
        }
        if (c.stateAt <= now) {
            c.stateAt = Long.MAX_VALUE;
            tcp.close(c, TcpCloseReason.TIMEOUT); // FIN-WAIT-2 after close(): the peer never finished
            return;
        }
        if (c.userTimeout > 0 && c.unackedSince != Long.MAX_VALUE && c.unackedSince + c.userTimeout <= now) {
            tcp.close(c, TcpCloseReason.TIMEOUT);
            return;
        }
        if (c.rackAt <= now) {
            c.rackAt = Long.MAX_VALUE;
            tcp.recovery.reorderingTimeout(c);
        }
        if (c.tlpAt <= now) {
            c.tlpAt = Long.MAX_VALUE;
            tcp.recovery.tailLossProbe(c);
        }
        if (c.rtoAt <= now) {
            c.rtoAt = Long.MAX_VALUE;
            if (!retransmissionTimeout(c)) {
                return;
            }
        }
        if (c.ackAt <= now) {
            c.ackAt = Long.MAX_VALUE;
            if (c.ackPending) {
                nif.stats.inc(Counter.TCP_DELAYED_ACKS);
                tcp.output.sendAck(c);
            }
        }
        if (c.keepaliveAt <= now && !keepalive(c)) {
            return;
        }
        tcp.updateTimer(c);
    }

    /** @return {@code false} when the connection was closed */
    private boolean retransmissionTimeout(TcpConnection<P> c) {
        if (c.persist) {
            int unsent = c.sendEnd() - c.sndNxt;
            int usable = c.sndWnd - (c.sndNxt - c.sndUna);
            if (unsent > 0 && usable > 0) {
                // The window is open but was too small to be worth a segment: send what fits now (the override
                // timeout of sender SWS avoidance, RFC 9293 §3.8.6.2.1); a closed window then brings probes.
                int len = Math.min(Math.min(unsent, usable), c.mss);
                if (tcp.output.sendData(c, c.sndNxt, len, c.finQueued && len == unsent)) {
                    return true;
                }
            }
            // Zero window: probe with backoff; the probes never give up on their own (the user timeout may).
            nif.stats.inc(Counter.TCP_WINDOW_PROBES);
            tcp.output.sendWindowProbe(c);
            if (c.unackedSince == Long.MAX_VALUE && c.sndMax != c.sndUna) {
                // The probe byte is data left unacknowledged: a peer that keeps its window shut for good is
                // closed by the user timeout (RFC 5482) instead of pinning the send queue forever.
                c.unackedSince = nif.now();
            }
            tcp.rtt.backOff(c);
            c.persist = true;
            c.rtoAt = nif.now() + Math.min(c.rto, MAX_PERSIST_INTERVAL);
            return true;
        }
        boolean handshake = c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED;
        int limit = handshake ? tcp.cfg.synRetries() : tcp.cfg.maxRetries();
        if (++c.retries > limit) {
            if (c.state == TcpState.SYN_RECEIVED && !c.appKnows) {
                tcp.release(c);
            } else {
                tcp.close(c, TcpCloseReason.TIMEOUT);
            }
            return false;
        }
        nif.stats.inc(Counter.TCP_TIMEOUTS);
        tcp.rtt.backOff(c); // RFC 6298 §5.5
        c.rttTiming = false;
        if (handshake) {
            nif.stats.inc(Counter.TCP_RETRANSMITS);
            c.retransmits++;
            tcp.output.sendSyn(c);
            return true;
        }
        // RFC 5681 §3.1 and RFC 6582 §4: collapse the window and end fast recovery; with RACK, retransmit what it
        // marks lost (RFC 8985 §6.3), otherwise go back to SND.UNA.
        tcp.recovery.onTimeout(c);
        if (!tcp.recovery.retransmitAfterTimeout(c)) {
            c.sndNxt = c.sndUna;
            int len = Math.min(c.mss, c.sendEnd() - c.sndUna);
            boolean fin = c.finQueued && c.sndUna + Math.max(len, 0) == c.finSeq;
            if (len > 0 || fin) {
                tcp.output.sendData(c, c.sndUna, Math.max(len, 0), fin);
            }
        }
        c.rtoAt = nif.now() + c.rto;
        return true;
    }

    /** @return {@code false} when the connection was closed */
    private boolean keepalive(TcpConnection<P> c) {
        long idleSince = c.lastReceiveAt;
        if (c.keepaliveIdle <= 0 || !c.state.isSynchronized()) {
            c.keepaliveAt = Long.MAX_VALUE;
            return true;
        }
        if (idleSince + c.keepaliveIdle > nif.now()) {
            c.keepaliveProbes = 0; // heard from the peer since: wait a full idle time again
            c.keepaliveAt = idleSince + c.keepaliveIdle;
            return true;
        }
        if (c.keepaliveProbes >= c.keepaliveCount) {
            tcp.close(c, TcpCloseReason.TIMEOUT);
            return false;
        }
        c.keepaliveProbes++;
        nif.stats.inc(Counter.TCP_KEEPALIVES);
        tcp.output.sendKeepalive(c);
        c.keepaliveAt = nif.now() + c.keepaliveInterval;
        return true;
    }
}
