package io.jiip.sim;

import io.jiip.wire.EthernetHeader;
import java.util.SplittableRandom;

/**
 * One direction of a {@link Link}: a drop-tail queue in front of a transmitter of fixed bandwidth, then a wire of
 * fixed propagation delay with the direction's {@link Impairments}. A frame is serialised at the bandwidth
 * (its bytes, Ethernet header included; no preamble, FCS or inter-frame gap), impaired when it leaves the
 * transmitter, and handed to the far end after the delay. While the link is down, queued, in-flight and new
 * frames are lost.
 */
public final class Channel {
    private final Simulation sim;
    private final Link link;
    final int id;
    private final String name;
    private final long bandwidth;
    private final long delay;
    private final int queueLimit;
    private final int queueBytesLimit;
    private final Impairments imp;
    private final SplittableRandom random;
    private final LossProcess loss;
    Endpoint to;

    private Frame head;
    private Frame tail;
    private int queued;
    private int queuedBytes;
    private Frame current;
    private final Event txDone = new Event() {
        @Override
        protected void fire() {
            transmitted();
        }

        @Override
        public String toString() {
            return "transmitter of " + Channel.this.name;
        }
    };
    private boolean down;
    private int epoch;
    private long lastArrival;

    private long sentFrames;
    private long sentBytes;
    private long deliveredFrames;
    private long deliveredBytes;
    private long queueDrops;
    private long lossDrops;
    private long downDrops;
    private long duplicated;
    private long reordered;
    private long corrupted;
    private int maxQueue;

    Channel(Simulation sim, Link link, int id, String name, long bandwidth, long delay, int queueLimit,
            int queueBytesLimit, Impairments imp) {
        this.sim = sim;
        this.link = link;
        this.id = id;
        this.name = name;
        this.bandwidth = bandwidth;
        this.delay = delay;
        this.queueLimit = queueLimit;
        this.queueBytesLimit = queueBytesLimit;
        this.imp = imp;
        this.random = sim.random("channel/" + name);
        this.loss = imp == null ? null : new LossProcess(imp, random);
    }

    /** Takes a frame for transmission (or drops it: queue full, link down). */
    void enqueue(Frame f) {
        if (down) {
            downDrops++;
            sim.frames().give(f);
            return;
        }
        if (current == null) {
            startTx(f);
            return;
        }
        if (queued >= queueLimit || queueBytesLimit > 0 && queuedBytes + f.length > queueBytesLimit) {
            queueDrops++;
            sim.frames().give(f);
            return;
        }
        if (tail == null) {
            head = f;
        } else {
            tail.next = f;
        }
        tail = f;
        queued++;
        queuedBytes += f.length;
        if (queued > maxQueue) {
            maxQueue = queued;
        }
    }

    private void startTx(Frame f) {
        current = f;
        sim.digest(id, f);
        link.captureTx(f);
        long t = bandwidth <= 0 ? 0 : (f.length * 8L * Units.SECOND + bandwidth - 1) / bandwidth;
        sim.schedule(txDone, sim.now() + t);
    }

    private void transmitted() {
        Frame f = current;
        current = null;
        sentFrames++;
        sentBytes += f.length;
        launch(f);
        Frame n = head;
        if (n != null) {
            head = n.next;
            if (head == null) {
                tail = null;
            }
            n.next = null;
            queued--;
            queuedBytes -= n.length;
            startTx(n);
        }
    }

    /** The frame leaves the transmitter: impairments are decided, then it propagates. */
    private void launch(Frame f) {
        if (down) {
            downDrops++;
            sim.frames().give(f);
            return;
        }
        long arrival = sim.now() + delay;
        boolean dup = false;
        boolean late = false;
        if (imp != null) {
            if (loss.lost()) {
                lossDrops++;
                sim.frames().give(f);
                return;
            }
            if (imp.corrupt > 0 && random.nextDouble() < imp.corrupt && corrupt(f)) {
                corrupted++;
            }
            dup = imp.duplicate > 0 && random.nextDouble() < imp.duplicate;
            if (imp.jitter > 0) {
                arrival += random.nextLong(imp.jitter + 1);
            }
            late = imp.reorder > 0 && random.nextDouble() < imp.reorder;
        }
        if (arrival < lastArrival) {
            arrival = lastArrival; // jitter keeps the wire FIFO
        }
        lastArrival = arrival;
        if (late) {
            reordered++;
            arrival += 1 + random.nextLong(imp.reorderDelay);
        }
        propagate(f, arrival);
        if (dup) {
            duplicated++;
            propagate(sim.frames().copy(f), arrival);
        }
    }

    private void propagate(Frame f, long arrival) {
        f.channel = this;
        f.epoch = epoch;
        sim.schedule(f, arrival);
    }

    /** Flips one bit after the Ethernet header of an IPv4 frame; {@code false} if the frame is not one. */
    private boolean corrupt(Frame f) {
        int l2 = EthernetHeader.LENGTH;
        if (f.corrupted || f.length <= l2 || (f.buffer.getShort(12) & 0xffff) != EthernetHeader.TYPE_IPV4) {
            return false;
        }
        f.corrupted = true;
        int bit = l2 * 8 + random.nextInt((f.length - l2) * 8);
        int at = bit >>> 3;
        f.buffer.put(at, (byte) (f.buffer.get(at) ^ (1 << (bit & 7))));
        return true;
    }

    /** The frame reached the far end (unless the link went down meanwhile). */
    void arrive(Frame f) {
        if (down || f.epoch != epoch) {
            downDrops++;
            sim.frames().give(f);
            return;
        }
        deliveredFrames++;
        deliveredBytes += f.length;
        to.receive(f);
    }

    void setDown(boolean isDown) {
        if (isDown == down) {
            return;
        }
        down = isDown;
        if (isDown) {
            epoch++;
            for (Frame f = head; f != null; ) {
                Frame n = f.next;
                f.next = null;
                downDrops++;
                sim.frames().give(f);
                f = n;
            }
            head = tail = null;
            queued = 0;
            queuedBytes = 0;
        }
    }

    public String name() {
        return name;
    }

    public boolean isDown() {
        return down;
    }

    public long bandwidth() {
        return bandwidth;
    }

    public long delay() {
        return delay;
    }

    public int queueLimit() {
        return queueLimit;
    }

    public long sentFrames() {
        return sentFrames;
    }

    public long sentBytes() {
        return sentBytes;
    }

    public long deliveredFrames() {
        return deliveredFrames;
    }

    public long deliveredBytes() {
        return deliveredBytes;
    }

    public long queueDrops() {
        return queueDrops;
    }

    public long lossDrops() {
        return lossDrops;
    }

    public long downDrops() {
        return downDrops;
    }

    public long duplicated() {
        return duplicated;
    }

    public long reordered() {
        return reordered;
    }

    public long corrupted() {
        return corrupted;
    }

    public int maxQueue() {
        return maxQueue;
    }

    /** One line of counters. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(": ").append(sentFrames).append(" frames, ").append(Units.formatBytes(sentBytes));
        sb.append(", max queue ").append(maxQueue).append('/').append(queueLimit);
        appendNonZero(sb, "queue drops", queueDrops);
        appendNonZero(sb, "lost", lossDrops);
        appendNonZero(sb, "lost while down", downDrops);
        appendNonZero(sb, "duplicated", duplicated);
        appendNonZero(sb, "reordered", reordered);
        appendNonZero(sb, "corrupted", corrupted);
        return sb.toString();
    }

    private static void appendNonZero(StringBuilder sb, String what, long n) {
        if (n != 0) {
            sb.append(", ").append(what).append(' ').append(n);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
