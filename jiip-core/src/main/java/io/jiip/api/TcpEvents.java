package io.jiip.api;

/**
 * TCP input events (iip's {@code iip_ops_tcp_*} callbacks) of the connections of one listener
 * ({@code Stack.tcpListen}) or one active open ({@code Stack.tcpConnect}). All methods have no-op defaults.
 * {@link #onClosed} fires exactly once for every connection the application saw (accepted, connected, or whose
 * connect failed), whatever the reason, so it is the one place to release the attachment.
 *
 * <p>Connections are named by {@code int} handles. A handle is reused after {@link #onClosed}, with a generation
 * in its high bits so that a stale handle is recognised and refused rather than aimed at another connection. The
 * attachment is the integrator's per-connection object (iip's opaque), returned from {@link #onAccepted} or given
 * to {@code connect}. Packets follow the same ownership rule as {@link StackEvents}: freed by the stack when the
 * method returns unless stated otherwise.
 */
public interface TcpEvents<P> {

    /** A SYN arrived for a listening port: {@code true} to go on with the handshake (iip's {@code tcp_accept}). */
    default boolean onAccept(Stack<P> stack, int localPort, int remoteIp, int remotePort) {
        return true;
    }

    /** A passive open completed; returns the connection's attachment. */
    default Object onAccepted(Stack<P> stack, int connection) {
        return null;
    }

    /** An active open completed; returns the attachment to keep (usually the one given to {@code connect}). */
    default Object onConnected(Stack<P> stack, int connection, Object attachment) {
        return attachment;
    }

    /**
     * In-sequence data arrived: bytes {@code [offset, offset + length)} of the packet's buffer (iip's head_off and
     * tail_off, already applied). Replies sent from here ride on the ACK.
     */
    default void onPayload(Stack<P> stack, int connection, Object attachment, P packet, int offset, int length) {
    }

    /** The peer acknowledged {@code bytes} more of our data; the sent payload buffers are released. */
    default void onAcked(Stack<P> stack, int connection, Object attachment, int bytes) {
    }

    /**
     * The peer closed its direction (its FIN arrived, in order): no more payload will come. In CLOSE-WAIT we may
     * still send until {@code tcpShutdownOutput} or {@code tcpClose}; after our own {@code tcpShutdownOutput} (a
     * half-closed reader) {@link #onClosed} follows at once. Not called after {@code tcpClose}, which stops reading.
     */
    default void onRemoteShutdown(Stack<P> stack, int connection, Object attachment) {
    }

    /** The connection is gone; {@code reason} is one of {@link TcpCloseReason}. The handle is void afterwards. */
    default void onClosed(Stack<P> stack, int connection, Object attachment, int reason) {
    }
}
