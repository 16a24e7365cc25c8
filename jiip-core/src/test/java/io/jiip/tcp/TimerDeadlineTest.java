package io.jiip.tcp;

import static io.jiip.testkit.TcpFixtures.B;
import static io.jiip.testkit.TcpFixtures.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.testkit.RecordingApp;
import io.jiip.testkit.TestNet;
import org.junit.jupiter.api.Test;

/**
 * {@code Stack.run} returns when it next needs a call; an integrator sleeps until then. Regression: with only a
 * far timer left (TIME-WAIT, 2 MSL), the timer wheel reported the tick of the slot that held the entry, which
 * lies in the past once the wheel turns past it, so {@code run} kept returning a time at or before now and an
 * integrator spun through all of TIME-WAIT (found by jiip-sim: 58 million wake-ups in two-node-bulk, seed 1).
 */
class TimerDeadlineTest {
    @Test
    void shouldReportTheExactDeadlineOfAFarTimer() {
        TimerWheel w = new TimerWheel(4);
        long far = 60_000 * MS + 12_345;
        w.schedule(0, far);
        w.schedule(1, MS); // a near timer fires first, so the wheel must find the far one again
        long now = 0;
        int wakeups = 0;
        while (w.scheduled() > 0) {
            assertTrue(++wakeups < 6, "woken " + wakeups + " times before a 60 s timer fired");
            w.expire(now);
            long next = w.nextDeadline();
            if (w.scheduled() > 0) {
                assertTrue(next > now, "next deadline " + next + " is not after now " + now);
                now = next;
            }
        }
        assertEquals(far, now);
    }

    @Test
    void shouldPreferTheNearestEntryAmongRevolutions() {
        TimerWheel w = new TimerWheel(4);
        w.expire(0);
        w.schedule(0, (1024L << 20) * 3 + 5); // three revolutions away, same slot as the next one
        w.schedule(1, 5 * MS);
        w.expire(1);
        assertEquals(5 * MS, w.nextDeadline());
        assertEquals(1, w.expire(5 * MS));
        assertEquals((1024L << 20) * 3 + 5, w.nextDeadline());
    }

    @Test
    void shouldSleepThroughTimeWaitInAFewCalls() {
        TestNet net = TestNet.twoNodes();
        RecordingApp server = new RecordingApp(net);
        RecordingApp client = new RecordingApp(net);
        assertEquals(Result.OK, net.b().stack.tcpListen(80, 4, server));
        int conn = net.a().stack.tcpConnect(B, 80, 0, client, null);
        net.pump();
        assertEquals(Result.OK, net.a().stack.tcpClose(conn));
        net.pump();
        assertEquals(Result.OK, net.b().stack.tcpClose(server.conn));
        net.pump();
        assertEquals(1, net.a().stack.tcpTimeWaitCount());
        int calls = 0;
        long next = net.a().stack.run();
        while (next != Long.MAX_VALUE) {
            assertTrue(next > net.clock.nanoTime(), "run() asked to be called again at once during TIME-WAIT");
            assertTrue(++calls < 10, "more than 10 wake-ups to get through TIME-WAIT");
            net.clock.advanceTo(next);
            next = net.a().stack.run();
        }
        assertEquals(0, net.a().stack.tcpTimeWaitCount());
        net.assertNoLeaks();
    }
}
