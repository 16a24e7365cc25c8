package io.jiip.api;

/**
 * The connection states of RFC 9293 §3.3.2. {@link Stack#tcpState} never reports {@link #TIME_WAIT}: a connection
 * that enters it is closed for the application ({@code onClosed(NORMAL)}) and its handle released, while the stack
 * keeps the 4-tuple in TIME-WAIT on its own ({@link Stack#tcpTimeWaitCount}).
 */
public enum TcpState {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT;

    /** {@code true} once the handshake completed (RFC 9293's "synchronized" states). */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }
}
