package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.TcpConfig;
import io.jiip.api.TcpState;
import org.junit.jupiter.api.Test;

/** Sequence arithmetic holds wherever the connection is in the 2^32 space, however far from its ISS. */
class SequenceSpaceTest {
    @Test
    void shouldPlaceNewDataAfterTheQueueEvenTwoGigabytesAfterTheIss() {
        TcpConnection<Object> c = TcpConnection.<Object>table(1)[0];
        c.reset(TcpConfig.defaults());
        c.iss = 0x7000_0000;
        c.state = TcpState.SYN_SENT;
        c.queued = 10;
        assertEquals(c.iss + 1 + 10, c.sendEnd(), "behind the SYN while it is unacknowledged");
        c.state = TcpState.ESTABLISHED;
        c.sndUna = c.iss + 1 + (int) 3_000_000_000L; // wrapped past ISS + 2^31
        assertEquals(c.sndUna + 10, c.sendEnd());
    }
}
