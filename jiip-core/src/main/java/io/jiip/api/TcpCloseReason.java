package io.jiip.api;

/** Why {@link TcpEvents#onClosed} fired. */
public final class TcpCloseReason {
    /** Both directions closed with FIN and acknowledged. */
    public static final int NORMAL = 0;
    /** The peer sent an acceptable RST. */
    public static final int RESET_BY_PEER = 1;
    /** Retransmissions, keepalive probes or the user timeout ran out. */
    public static final int TIMEOUT = 2;
    /** Aborted locally (RST sent). */
    public static final int ABORTED = 3;
    /** The active open was refused (RST in SYN-SENT). */
    public static final int REFUSED = 4;

    private TcpCloseReason() {
    }
}
