package io.jiip.api;

/** Flags of {@code Stack.tcpSend}. */
public final class TcpSendFlags {
    /** Send as soon as the windows allow (Nagle still applies unless disabled). */
    public static final int NONE = 0;
    /** More data follows right away: hold a partial segment back (like {@code MSG_MORE}). */
    public static final int MORE = 1;

    private TcpSendFlags() {
    }
}
