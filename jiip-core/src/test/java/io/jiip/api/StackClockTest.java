package io.jiip.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.iface.NetInterface;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.testkit.TestNet;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Stack} entry point reads the clock (and the NIC features) when it is called: the state it reaches
 * is judged at the integrator's time, not at the time of the last run. An entry point that forgets its frame is
 * caught by the assertion in {@link NetInterface#now()}, which the tests run with. The case that was wrong:
 * {@code TcpPathMtuTest.shouldExpireAReducedPathMtuAtTheTimeOfTheCall}.
 */
class StackClockTest {
    @Test
    void shouldRunTheTestsWithTheFramingAssertionOn() {
        assertTrue(NetInterface.class.desiredAssertionStatus(), "the tests run with -ea: the guard is on");
        TestNet net = new TestNet();
        PacketPool pool = PacketPool.standard();
        NetInterface<Packet> nif = new NetInterface<>(null, TestNet.config(TestNet.A_MAC, TestNet.A_IP, b -> { }),
                pool, net.link.attach(pool, 0, 64), () -> 0L, null);
        assertThrows(AssertionError.class, nif::now, "a read outside a run or framed call fails");
        nif.beginCall();
        assertEquals(0L, nif.now());
        nif.endCall();
    }
}
