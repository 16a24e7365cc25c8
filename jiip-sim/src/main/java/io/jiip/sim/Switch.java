package io.jiip.sim;

import io.jiip.wire.EthernetHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A learning Ethernet switch (IEEE 802.1D without spanning tree): it learns source MACs per port, forwards known
 * unicast to one port, floods broadcast, multicast and unknown unicast to every other port, and adds no delay of
 * its own. Output queueing happens on the links it sends into, so a slow link out of the switch is a bottleneck
 * with that link's drop-tail queue. Do not build loops.
 */
public final class Switch implements Attachable {
    private final Simulation sim;
    private final String name;
    private final List<Port> ports = new ArrayList<>();
    private final Map<Long, Port> table = new HashMap<>();
    private long forwarded;
    private long flooded;
    private long filtered;

    Switch(Simulation sim, String name) {
        this.sim = sim;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    Port newPort(Channel out) {
        Port p = new Port(ports.size(), out);
        ports.add(p);
        return p;
    }

    public int ports() {
        return ports.size();
    }

    public long forwarded() {
        return forwarded;
    }

    public long flooded() {
        return flooded;
    }

    public long filtered() {
        return filtered;
    }

    private final class Port implements Endpoint {
        final int index;
        final Channel out;

        Port(int index, Channel out) {
            this.index = index;
            this.out = out;
        }

        @Override
        public void receive(Frame f) {
            if (f.length < EthernetHeader.LENGTH) {
                sim.frames().give(f);
                return;
            }
            long dst = EthernetHeader.dst(f.buffer, 0);
            long src = EthernetHeader.src(f.buffer, 0);
            if ((src & 0x0100_0000_0000L) == 0) {
                table.put(src, this);
            }
            Port to = (dst & 0x0100_0000_0000L) != 0 ? null : table.get(dst);
            if (to == this) {
                filtered++;
                sim.frames().give(f);
            } else if (to != null) {
                forwarded++;
                to.out.enqueue(f);
            } else {
                flood(f, this);
            }
        }
    }

    private void flood(Frame f, Port from) {
        flooded++;
        Port last = null;
        for (Port p : ports) {
            if (p == from) {
                continue;
            }
            if (last != null) {
                last.out.enqueue(sim.frames().copy(f));
            }
            last = p;
        }
        if (last != null) {
            last.out.enqueue(f);
        } else {
            sim.frames().give(f);
        }
    }

    @Override
    public String toString() {
        return "switch " + name;
    }
}
