package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.TcpState;
import org.junit.jupiter.api.Test;

/** The re-check after a callback: the incarnation seen before it is still the connection's, and still open. */
class TcpConnectionAliveTest {

    @Test
    void shouldBeAliveOnlyWhileTheSameIncarnationIsOpen() {
        TcpConnection<Object> c = TcpConnection.<Object>table(1)[0];
        c.state = TcpState.ESTABLISHED;
        int gen = c.generation;
        assertTrue(c.alive(gen));

        c.state = TcpState.CLOSED; // the callback closed it
        assertFalse(c.alive(gen));

        c.generation = (gen + 1) & TcpConnection.GENERATION_MASK; // ... and a new incarnation took the slot
        c.state = TcpState.ESTABLISHED;
        assertFalse(c.alive(gen));
        assertTrue(c.alive(c.generation));
    }
}
