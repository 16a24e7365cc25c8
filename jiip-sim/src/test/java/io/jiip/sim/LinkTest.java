package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.wire.EthernetHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Links frame by frame: serialisation, propagation, drop-tail, impairments, flaps. */
class LinkTest {

    /** Records arrivals (time and frame number, the first 4 bytes after the Ethernet header). */
    static final class Probe extends RawPort {
        final Simulation sim;
        final String name;
        final List<long[]> arrivals = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();

        Probe(Simulation sim, String name) {
            this.sim = sim;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void receive(Frame f) {
            arrivals.add(new long[] {sim.now(), f.buffer.getInt(EthernetHeader.LENGTH)});
            byte[] copy = new byte[f.length];
            f.buffer.get(0, copy);
            frames.add(copy);
            sim.frames().give(f);
        }

        /** Sends an IPv4-typed frame of {@code len} bytes numbered {@code n}. */
        void send(int n, int len) {
            Frame f = sim.frames().take(len);
            for (int i = 0; i < len; i++) {
                f.buffer.put(i, (byte) 0);
            }
            EthernetHeader.write(f.buffer, 0, 0x0200_0000_0002L, 0x0200_0000_0001L, EthernetHeader.TYPE_IPV4);
            f.buffer.putInt(EthernetHeader.LENGTH, n);
            send(f);
        }
    }

    private static Probe[] pair(Simulation sim, Consumer<Link.Builder> setup) {
        Probe a = new Probe(sim, "a");
        Probe b = new Probe(sim, "b");
        Link.Builder lb = sim.link(a, b);
        setup.accept(lb);
        lb.build();
        return new Probe[] {a, b};
    }

    @Test
    void shouldSerialiseAtTheBandwidthThenPropagate() {
        Simulation sim = new Simulation(1);
        Probe[] p = pair(sim, l -> l.bandwidth(Units.mbps(8)).delay(Units.ms(1)).queue(10));
        sim.at(0, () -> {
            p[0].send(1, 1000); // 1000 bytes at 8 Mbit/s: 1 ms on the wire
            p[0].send(2, 1000);
        });
        sim.run();
        assertEquals(2, p[1].arrivals.size());
        assertEquals(2 * Units.MILLISECOND, p[1].arrivals.get(0)[0]);
        assertEquals(3 * Units.MILLISECOND, p[1].arrivals.get(1)[0]);
        assertEquals(0, sim.frames().inUse());
    }

    @Test
    void shouldDropTailWhenTheQueueIsFull() {
        Simulation sim = new Simulation(1);
        Probe[] p = pair(sim, l -> l.bandwidth(Units.mbps(1)).queue(3));
        sim.at(0, () -> {
            for (int i = 0; i < 10; i++) {
                p[0].send(i, 500);
            }
        });
        sim.run();
        // one on the wire, three queued
        assertEquals(4, p[1].arrivals.size());
        Link l = sim.links().get(0);
        assertEquals(6, l.forward().queueDrops());
        assertEquals(3, l.forward().maxQueue());
        assertEquals(0, sim.frames().inUse());
    }

    private static Probe[] blast(Impairments imp, int frames, long gap) {
        Simulation sim = new Simulation(42);
        Probe[] p = pair(sim, l -> l.bandwidth(0).delay(Units.ms(1)).queue(frames).impairForward(imp));
        for (int i = 0; i < frames; i++) {
            int n = i;
            sim.at(i * gap, () -> p[0].send(n, 100));
        }
        sim.run();
        assertEquals(0, sim.frames().inUse());
        return p;
    }

    @Test
    void shouldLoseAboutTheAskedFraction() {
        Probe[] p = blast(Impairments.none().loss(0.1), 20_000, Units.MICROSECOND);
        double lost = 1 - p[1].arrivals.size() / 20_000.0;
        assertTrue(Math.abs(lost - 0.1) < 0.01, "lost " + lost);
    }

    @Test
    void shouldLoseInBurstsWithGilbertElliott() {
        Impairments ge = Impairments.none().gilbertElliott(0.01, 0.25, 0, 1);
        Probe[] p = blast(ge, 50_000, Units.MICROSECOND);
        double lost = 1 - p[1].arrivals.size() / 50_000.0;
        assertEquals(ge.meanLoss(), lost, 0.01);
        // mean burst length 1/r = 4 frames
        int bursts = 0;
        int lostFrames = 0;
        int expected = 0;
        for (long[] a : p[1].arrivals) {
            if (a[1] != expected) {
                bursts++;
                lostFrames += (int) (a[1] - expected);
            }
            expected = (int) a[1] + 1;
        }
        double meanBurst = (double) lostFrames / bursts;
        assertTrue(meanBurst > 3 && meanBurst < 5, "mean burst " + meanBurst);
    }

    @Test
    void shouldKeepOrderUnderJitterButNotUnderReordering() {
        Probe[] jitter = blast(Impairments.none().jitter(Units.ms(5)), 2000, Units.MICROSECOND);
        for (int i = 0; i < jitter[1].arrivals.size(); i++) {
            assertEquals(i, jitter[1].arrivals.get(i)[1], "jitter keeps FIFO");
        }
        Probe[] reorder = blast(Impairments.none().reorder(0.1, Units.ms(1)), 2000, Units.MICROSECOND);
        int outOfOrder = 0;
        for (int i = 1; i < reorder[1].arrivals.size(); i++) {
            if (reorder[1].arrivals.get(i)[1] < reorder[1].arrivals.get(i - 1)[1]) {
                outOfOrder++;
            }
        }
        assertEquals(2000, reorder[1].arrivals.size());
        assertTrue(outOfOrder > 100, "out of order " + outOfOrder);
    }

    @Test
    void shouldDuplicateAndCorruptOneBitPastTheEthernetHeader() {
        Probe[] dup = blast(Impairments.none().duplicate(0.05), 10_000, Units.MICROSECOND);
        int extra = dup[1].arrivals.size() - 10_000;
        assertTrue(extra > 400 && extra < 600, "duplicates " + extra);
        Probe[] bad = blast(Impairments.none().corrupt(1.0), 1000, Units.MICROSECOND);
        assertEquals(1000, bad[1].frames.size());
        for (int i = 0; i < 1000; i++) {
            byte[] original = new byte[100];
            ByteBuffer o = ByteBuffer.wrap(original);
            EthernetHeader.write(o, 0, 0x0200_0000_0002L, 0x0200_0000_0001L, EthernetHeader.TYPE_IPV4);
            o.putInt(EthernetHeader.LENGTH, i);
            byte[] got = bad[1].frames.get(i);
            int bits = 0;
            for (int j = 0; j < original.length; j++) {
                int d = Integer.bitCount((original[j] ^ got[j]) & 0xff);
                if (d > 0) {
                    assertTrue(j >= EthernetHeader.LENGTH, "bit flipped in the Ethernet header at byte " + j);
                }
                bits += d;
            }
            assertEquals(1, bits, "frame " + i + ": exactly one bit flipped");
        }
    }

    @Test
    void shouldLoseEverythingWhileDown() {
        Simulation sim = new Simulation(1);
        Probe[] p = pair(sim, l -> l.bandwidth(Units.mbps(100)).delay(Units.ms(10))
                .down(Units.ms(5), Units.ms(10)));
        for (int i = 0; i < 30; i++) {
            int n = i;
            sim.at(i * Units.MILLISECOND, () -> p[0].send(n, 100));
        }
        sim.run();
        // sent at 0..4 ms would arrive at 10..14 ms, after the link went down at 5 ms: lost in flight;
        // sent at 5..14 ms: refused; sent from 15 ms on: delivered.
        assertEquals(15, p[1].arrivals.size());
        assertEquals(15, p[1].arrivals.get(0)[1]);
        assertEquals(15, sim.links().get(0).forward().downDrops());
        assertEquals(0, sim.frames().inUse());
    }
}
