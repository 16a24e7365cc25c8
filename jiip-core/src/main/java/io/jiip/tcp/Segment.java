package io.jiip.tcp;

import io.jiip.wire.TcpHeader;
import io.jiip.wire.TcpOptions;

/** The segment being processed, parsed once at demultiplexing (one reusable instance per context). */
final class Segment {
    int srcIp;
    int srcPort;
    int dstPort;
    long srcMac;
    int seq;
    int ack;
    int flags;
    int window;
    /** Absolute index of the first payload byte in the frame's buffer. */
    int dataOff;
    int dataLen;
    final TcpOptions options = new TcpOptions();

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: data plus one for SYN and one for FIN (RFC 9293 §3.4). */
    int seqLength() {
        return dataLen + ((flags & TcpHeader.FLAG_SYN) != 0 ? 1 : 0)
                + ((flags & TcpHeader.FLAG_FIN) != 0 ? 1 : 0);
    }
}
