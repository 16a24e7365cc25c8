package io.jiip.api;

/**
 * Result codes of the {@link Stack} calls. {@link #OK} is zero; errors are negative. A call that returns an error
 * never takes ownership of the packet it was given: the caller still owns it.
 */
public final class Result {
    public static final int OK = 0;
    /** The packet pool had no buffer for the headers (or the copy); nothing was sent. */
    public static final int NO_BUFFER = -1;
    /** The datagram does not fit the path MTU and fragmentation is not done on send (DF is always set). */
    public static final int TOO_BIG = -2;
    /** The port is already bound. */
    public static final int PORT_IN_USE = -3;
    /** The port table is full (capacity set at construction). */
    public static final int NO_SPACE = -4;
    /** The port is not bound. */
    public static final int NOT_BOUND = -5;
    /** The destination's link address is unknown and the ARP pending queue is full (or ARP is disabled). */
    public static final int UNRESOLVED = -6;
    /** An argument is out of range (port 0 or above 65535, negative length, ...). */
    public static final int INVALID_ARGUMENT = -7;
    /** The connection handle is not (or no longer) valid: closed, reused, or never issued. */
    public static final int BAD_HANDLE = -8;
    /** The call does not fit the connection's state (e.g. send after shutdownOutput). */
    public static final int WRONG_STATE = -9;
    /** Every connection slot is in use (capacity set at construction). */
    public static final int TOO_MANY_CONNECTIONS = -10;
    /** The send queue is full (bytes or segment descriptors): wait for {@code TcpEvents.onAcked}. */
    public static final int WOULD_BLOCK = -11;
    /** The 4-tuple (or the listening port) is taken. */
    public static final int ADDRESS_IN_USE = -12;

    private Result() {
    }

    /** A short name for logs and tests. */
    public static String name(int result) {
        switch (result) {
            case OK: return "OK";
            case NO_BUFFER: return "NO_BUFFER";
            case TOO_BIG: return "TOO_BIG";
            case PORT_IN_USE: return "PORT_IN_USE";
            case NO_SPACE: return "NO_SPACE";
            case NOT_BOUND: return "NOT_BOUND";
            case UNRESOLVED: return "UNRESOLVED";
            case INVALID_ARGUMENT: return "INVALID_ARGUMENT";
            case BAD_HANDLE: return "BAD_HANDLE";
            case WRONG_STATE: return "WRONG_STATE";
            case TOO_MANY_CONNECTIONS: return "TOO_MANY_CONNECTIONS";
            case WOULD_BLOCK: return "WOULD_BLOCK";
            case ADDRESS_IN_USE: return "ADDRESS_IN_USE";
            default: return "RESULT(" + result + ")";
        }
    }
}
