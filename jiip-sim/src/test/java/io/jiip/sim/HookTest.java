package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackEvents;
import io.jiip.link.Packet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** User code runs on a node through {@link App}: here, pings with their own timer and an echo-reply listener. */
class HookTest {

    @Test
    void userCodeCanPingOnItsOwnSchedule() {
        Simulation sim = new Simulation(1);
        Node a = sim.node("a").build();
        Node b = sim.node("b").build();
        sim.link(a, b).bandwidth(Units.mbps(10)).delay(Units.ms(5)).build();
        List<long[]> replies = new ArrayList<>();
        a.listen(new StackEvents<Packet>() {
            @Override
            public void onEchoReply(Stack<Packet> stack, Packet packet, int fromIp, int identifier, int sequence,
                    int dataOffset, int dataLength) {
                replies.add(new long[] {sequence, sim.now()});
            }
        });
        a.add(App.of(node -> {
            for (int i = 0; i < 5; i++) {
                int seq = i;
                node.at(Units.seconds(i), () -> assertEquals(Result.OK,
                        node.stack().icmpEchoRequest(b.ip(), Stack.RESOLVE, 7, seq, null, 0, 0)));
            }
        }));
        assertTrue(sim.run());
        assertEquals(5, replies.size());
        // the first waits for ARP (two round trips); the others take one round trip of 10 ms plus serialisation
        long rtt = replies.get(1)[1] - Units.seconds(1);
        assertTrue(rtt > Units.ms(10) && rtt < Units.ms(11), "rtt " + rtt);
        assertTrue(Invariants.check(sim, true).isEmpty());
    }
}
