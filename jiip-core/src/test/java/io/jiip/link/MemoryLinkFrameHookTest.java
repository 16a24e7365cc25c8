package io.jiip.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Offload;
import io.jiip.testkit.Frames;
import io.jiip.wire.EthernetHeader;
import io.jiip.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;

/**
 * The {@link FrameHookContract} on each path a frame can take across a {@link MemoryLink}: copied into the
 * receiver's pool, handed over itself (zero copy), copied to every port of a hub, and cut by segmentation offload
 * into frames built straight in the receiver's pool.
 */
class MemoryLinkFrameHookTest {
    private static final int L4 = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;

    /** UDP frame {@code n}: its own ports and a payload of 100 + n bytes. */
    static byte[] frame(int n) {
        byte[] payload = Frames.pattern(100 + n);
        payload[0] = (byte) n;
        return Frames.udp(40000 + n, 7, payload).build();
    }

    static Packet packet(PacketPool pool, byte[] bytes) {
        Packet p = pool.alloc(bytes.length);
        p.buffer().put(p.offset(), bytes);
        pool.length(p, bytes.length);
        return p;
    }

    /** Polls everything {@code port} received, as bytes, freeing the packets. */
    static List<byte[]> drain(MemoryLink.Port port) {
        List<byte[]> out = new ArrayList<>();
        Packet[] rx = new Packet[16];
        for (int n; (n = port.poll(rx, rx.length)) > 0; ) {
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[rx[i].length()];
                rx[i].buffer().get(rx[i].offset(), b);
                out.add(b);
                port.pool().free(rx[i]);
            }
        }
        return out;
    }

    /** Port 0 sends to port 1 (and any other ports); {@link #mark} may set offloads on each frame sent. */
    abstract static class LinkWire implements FrameHookContract.Wire {
        final MemoryLink link = new MemoryLink(new ManualClock(1_000_000_000L));
        final List<PacketPool> pools = new ArrayList<>();
        final List<MemoryLink.Port> ports = new ArrayList<>();

        LinkWire attach(PacketPool pool) {
            if (!pools.contains(pool)) {
                pools.add(pool);
            }
            ports.add(link.attach(pool));
            return this;
        }

        void mark(Packet frame) {
        }

        @Override
        public void send(int n) {
            Packet p = packet(ports.get(0).pool(), frame(n));
            mark(p);
            ports.get(0).push(p);
        }

        @Override
        public List<byte[]> received() {
            List<byte[]> got = drain(ports.get(1));
            for (int i = 2; i < ports.size(); i++) {
                List<byte[]> other = drain(ports.get(i));
                assertEquals(got.size(), other.size(), "port " + i + " got as many frames as port 1");
                for (int f = 0; f < got.size(); f++) {
                    assertArrayEquals(got.get(f), other.get(f), "port " + i + ", frame " + f);
                }
            }
            return got;
        }

        @Override
        public void assertNoLeaks() {
            for (PacketPool pool : pools) {
                assertEquals(0, pool.inUse(), "packets in use");
            }
        }
    }

    @Nested
    class Copying extends FrameHookContract {
        @Override
        Wire wire(FrameHook hook) {
            LinkWire wire = new LinkWire() { };
            wire.attach(PacketPool.standard()).attach(PacketPool.standard());
            wire.link.hook(hook);
            return wire;
        }
    }

    @Nested
    class ZeroCopy extends FrameHookContract {
        @Override
        Wire wire(FrameHook hook) {
            LinkWire wire = new LinkWire() { };
            PacketPool shared = PacketPool.standard();
            wire.attach(shared).attach(shared);
            wire.link.delivery(MemoryLink.Delivery.ZERO_COPY).hook(hook);
            return wire;
        }
    }

    @Nested
    class Hub extends FrameHookContract {
        @Override
        Wire wire(FrameHook hook) {
            LinkWire wire = new LinkWire() { };
            wire.attach(PacketPool.standard()).attach(PacketPool.standard()).attach(PacketPool.standard());
            wire.link.hook(hook);
            return wire;
        }
    }

    /** UDP segmentation offload with one segment per frame: the path of frames built in the receiver's pool. */
    @Nested
    class Segmenting extends FrameHookContract {
        @Override
        Wire wire(FrameHook hook) {
            LinkWire wire = new LinkWire() {
                @Override
                void mark(Packet frame) {
                    frame.txOffload(Offload.UDP_SEG, EthernetHeader.LENGTH, L4, 1400);
                }
            };
            wire.attach(PacketPool.standard()).attach(PacketPool.standard());
            wire.link.hook(hook);
            return wire;
        }
    }
}
