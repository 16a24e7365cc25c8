package io.jiip.sim;

import io.jiip.api.LinkType;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.api.TcpConfig;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * A host: one jiip context ({@link Stack}) with its own packet pool, a simulated NIC ({@link SimNic}) on one link,
 * and the {@link App}s that run on it. The node calls {@code stack.run} when frames arrive and when the deadline
 * the stack returned comes due, and nowhere else; applications call the stack from their callbacks and timers.
 *
 * <p>Received frames are copied from the wire into the node's pool (a NIC's DMA). A frame that finds the receive
 * queue full or the pool empty is dropped and counted, like on real hardware.
 */
public final class Node implements Attachable, Endpoint {
    private static final int BATCH = 64;

    private final Simulation sim;
    private final String name;
    private final StackConfig config;
    private final PacketPool pool;
    private final SimNic nic;
    private final Stack<Packet> stack;
    private final List<App> apps = new ArrayList<>();
    private final List<StackEvents<Packet>> listeners = new ArrayList<>();
    private final Packet[] rx;
    private final Packet[] batch = new Packet[BATCH];
    private int rxHead;
    private int rxCount;
    private Channel out;
    private final Capture capture = new Capture();
    private final Event wake = new Event() {
        @Override
        protected void fire() {
            runStack();
        }

        @Override
        public String toString() {
            return "stack of node " + name;
        }
    };
    private long nextDeadline = Long.MAX_VALUE;
    private long runs;
    private long rxFrames;
    private long txFrames;
    private long rxOverflow;
    private long rxNoBuffer;
    private long txNoLink;
    private long pastDeadlines;
    private List<Runnable> afterRun = List.of();
    private List<FrameObserver> observers = List.of();
    private final int smallSlots;
    private final long rxCoalesce;

    private Node(Builder b) {
        this.sim = b.sim;
        this.name = b.name;
        TcpConfig.Builder tcp = TcpConfig.builder().isnKey(sim.isnKey(b.name));
        b.tcp.accept(tcp);
        StackConfig.Builder sb = StackConfig.builder().linkType(LinkType.ETHERNET).mac(b.mac)
                .ipv4(b.ip, b.prefix).mtu(b.mtu).tcp(tcp.build());
        b.stack.accept(sb);
        this.config = sb.build();
        this.pool = PacketPool.builder().packets(b.packets).small(b.smallSlots, b.smallSize)
                .large(b.largeSlots, 65536 + 256).build();
        this.smallSlots = b.smallSlots;
        this.rxCoalesce = b.rxCoalesce;
        this.nic = new SimNic(this, pool, b.features);
        if (b.egressLoss != null) {
            nic.egressLoss(new LossProcess(b.egressLoss.copy(), sim.random("egress/" + b.name)));
        }
        this.rx = new Packet[b.rxQueue];
        StackEvents<Packet> events = new StackEvents<>() {
            @Override
            public void onArpReply(Stack<Packet> s, Packet frame, int senderIp, long senderMac) {
                for (StackEvents<Packet> l : listeners) {
                    l.onArpReply(s, frame, senderIp, senderMac);
                }
            }

            @Override
            public void onEchoReply(Stack<Packet> s, Packet packet, int fromIp, int identifier, int sequence,
                    int dataOffset, int dataLength) {
                for (StackEvents<Packet> l : listeners) {
                    l.onEchoReply(s, packet, fromIp, identifier, sequence, dataOffset, dataLength);
                }
            }

            @Override
            public void onDestinationUnreachable(Stack<Packet> s, int code, int originalDstIp, int protocol,
                    int srcPort, int dstPort) {
                for (StackEvents<Packet> l : listeners) {
                    l.onDestinationUnreachable(s, code, originalDstIp, protocol, srcPort, dstPort);
                }
            }
        };
        this.stack = new Stack<>(config, pool, nic, sim, events);
    }

    public Simulation sim() {
        return sim;
    }

    @Override
    public String name() {
        return name;
    }

    public Stack<Packet> stack() {
        return stack;
    }

    public PacketPool pool() {
        return pool;
    }

    public SimNic nic() {
        return nic;
    }

    public StackConfig config() {
        return config;
    }

    public int ip() {
        return config.ipv4();
    }

    public String ipText() {
        return Ipv4Address.toString(config.ipv4());
    }

    public long mac() {
        return config.mac();
    }

    /**
     * Small buffer slots an application should leave free for the stack (headers, ACKs, receive frames, the
     * out-of-order queue): half the pool. An app that fills the pool with unsent data starves the receive path.
     */
    public boolean poolLow() {
        return pool.buffersInUse() >= smallSlots / 2;
    }

    public List<App> apps() {
        return Collections.unmodifiableList(apps);
    }

    /** Receives ARP/ICMP events of this node's stack. */
    public void listen(StackEvents<Packet> l) {
        listeners.add(l);
    }

    /** Starts {@code app} at time 0 (or now, if the simulation is under way). */
    public <A extends App> A add(A app) {
        return add(app, sim.now());
    }

    /** Starts {@code app} at {@code startAt}. */
    public <A extends App> A add(A app, long startAt) {
        apps.add(app);
        at(startAt, () -> app.start(this));
        return app;
    }

    /**
     * Runs {@code action} at {@code time} on behalf of an application: calls it makes to the stack outside
     * {@code run} are followed by a stack run, so that the timers they armed are known.
     */
    public Event at(long time, Runnable action) {
        return sim.at(time, () -> {
            action.run();
            wakeNow();
        });
    }

    /** Asks for a stack run at the current time (after the events already due now). */
    public void wakeNow() {
        if (!wake.scheduled() || wake.time() > sim.now()) {
            sim.schedule(wake, sim.now());
        }
    }

    /** Runs {@code r} after every stack run of this node (tracing). */
    public void afterRun(Runnable r) {
        if (afterRun.isEmpty()) {
            afterRun = new ArrayList<>();
        }
        afterRun.add(r);
    }

    /** Shows {@code o} every frame this node's stack pushes and receives (read only: the run is unchanged). */
    public void observe(FrameObserver o) {
        if (observers.isEmpty()) {
            observers = new ArrayList<>();
        }
        observers.add(o);
    }

    /** The stack pushed {@code frame} to the NIC. */
    void pushed(Packet frame, int totalLength) {
        for (FrameObserver o : observers) {
            o.pushed(this, frame, totalLength);
        }
    }

    // ---- wire side ----

    Endpoint attach(Channel channel) {
        if (out != null) {
            throw new IllegalStateException("node " + name + " already has a link (one interface per node)");
        }
        this.out = channel;
        return this;
    }

    /** A frame from the NIC's transmit side. */
    void transmit(Frame f) {
        txFrames++;
        capture(f);
        if (out == null) {
            txNoLink++;
            sim.frames().give(f);
            return;
        }
        out.enqueue(f);
    }

    @Override
    public void receive(Frame f) {
        rxFrames++;
        capture(f);
        if (rxCount == rx.length) {
            rxOverflow++;
            sim.frames().give(f);
            return;
        }
        Packet p = pool.alloc(f.length);
        if (p == null) {
            rxNoBuffer++;
            sim.frames().give(f);
            return;
        }
        p.buffer().put(p.offset(), f.buffer, 0, f.length);
        pool.length(p, f.length);
        sim.frames().give(f);
        p.rxChecksum(nic.verdict(p));
        rx[(rxHead + rxCount) % rx.length] = p;
        rxCount++;
        for (FrameObserver o : observers) {
            o.received(this, p);
        }
        if (rxCoalesce > 0) {
            wakeAt(sim.now() + rxCoalesce); // interrupt moderation: frames arriving meanwhile form one batch
        } else {
            wakeNow();
        }
    }

    private void wakeAt(long time) {
        if (!wake.scheduled() || wake.time() > time) {
            sim.schedule(wake, time);
        }
    }

    private void runStack() {
        runs++;
        long next;
        do {
            int n = 0;
            while (n < BATCH && rxCount > 0) {
                batch[n++] = rx[rxHead];
                rx[rxHead] = null;
                rxHead = (rxHead + 1) % rx.length;
                rxCount--;
            }
            n = nic.coalesce(batch, n);
            try {
                next = stack.run(batch, n);
            } finally {
                Arrays.fill(batch, 0, n, null);
            }
        } while (rxCount > 0);
        for (Runnable r : afterRun) {
            r.run();
        }
        nextDeadline = next;
        if (next == Long.MAX_VALUE) {
            if (wake.scheduled()) {
                sim.cancel(wake);
            }
            return;
        }
        long now = sim.now();
        if (next <= now) {
            pastDeadlines++; // the stack wants to run again at once: give it the next nanosecond
            next = now + 1;
        }
        sim.schedule(wake, next);
    }

    /** The deadline the stack returned from its last run ({@link Long#MAX_VALUE}: no timer pending). */
    public long nextDeadline() {
        return nextDeadline;
    }

    /** Runs the stack once now, outside the event loop (end-of-run checks); returns its deadline. */
    public long runNow() {
        runStack();
        return nextDeadline;
    }

    /** Frees what the receive queue holds (when discarding the node). */
    public void drainReceiveQueue() {
        while (rxCount > 0) {
            pool.free(rx[rxHead]);
            rx[rxHead] = null;
            rxHead = (rxHead + 1) % rx.length;
            rxCount--;
        }
    }

    /** Captures every frame this node sends and receives (after NIC checksum completion) into a pcap file. */
    public Node capture(Path file) {
        capture.open(file);
        return this;
    }

    private void capture(Frame f) {
        capture.write(sim.now(), f);
    }

    void closeCapture() {
        capture.close();
    }

    public long runs() {
        return runs;
    }

    public long rxFrames() {
        return rxFrames;
    }

    public long txFrames() {
        return txFrames;
    }

    public long rxOverflow() {
        return rxOverflow;
    }

    public long rxNoBuffer() {
        return rxNoBuffer;
    }

    /** Runs that asked to be called again at once (a deadline at or before the time of the run). */
    public long pastDeadlines() {
        return pastDeadlines;
    }

    @Override
    public String toString() {
        return "node " + name + " (" + ipText() + ")";
    }

    /** Settings of a new node. Defaults: 10.0.x.y/16 and 02:00:00:00:x:y by creation order, MTU 1500. */
    public static final class Builder {
        private final Simulation sim;
        private final String name;
        private int ip;
        private int prefix = 16;
        private long mac;
        private int mtu = 1500;
        private int features;
        private long rxCoalesce;
        private int packets = 8192;
        private int smallSlots = 4096;
        private int smallSize = 2048;
        private int largeSlots = 8;
        private int rxQueue = 4096;
        private Impairments egressLoss;
        private Consumer<TcpConfig.Builder> tcp = t -> { };
        private Consumer<StackConfig.Builder> stack = s -> { };

        Builder(Simulation sim, String name, int index) {
            this.sim = sim;
            this.name = name;
            this.ip = Ipv4Address.parse("10.0.0.0") | (index & 0xffff);
            this.mac = 0x0200_0000_0000L | index;
        }

        public Builder ip(String ip) {
            this.ip = Ipv4Address.parse(ip);
            return this;
        }

        public Builder prefix(int length) {
            this.prefix = length;
            return this;
        }

        public Builder mac(String mac) {
            this.mac = MacAddress.parse(mac);
            return this;
        }

        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /** {@link io.jiip.api.NicFeatures} the simulated NIC offers (see {@link SimNic#SUPPORTED}). */
        public Builder nicFeatures(int features) {
            this.features = features;
            return this;
        }

        /**
         * Interrupt moderation: the stack runs this long after the first frame of a batch arrives, so that frames
         * arriving meanwhile are handed over together (and can be merged by LRO). Default 0: every frame at once.
         */
        public Builder rxCoalesceNanos(long nanos) {
            this.rxCoalesce = nanos;
            return this;
        }

        /**
         * Loss where the stack hands IPv4 frames to the NIC, before segmentation offload: a qdisc or nftables drop
         * in Linux, which sees a TSO/GSO super-frame as one packet and so loses all its segments at once (with TSO
         * off, one wire frame). Only the loss settings of {@code loss} (Bernoulli or Gilbert-Elliott) may be set.
         */
        public Builder egressLoss(Impairments loss) {
            if (loss.duplicate > 0 || loss.reorder > 0 || loss.corrupt > 0 || loss.jitter > 0) {
                throw new IllegalArgumentException("egress impairments are loss only: " + loss);
            }
            this.egressLoss = loss.copy();
            return this;
        }

        /** Packet pool: descriptors, and small slots of {@code slotSize} bytes (defaults 8192, 4096 x 2048). */
        public Builder pool(int descriptors, int slots, int slotSize) {
            this.packets = descriptors;
            this.smallSlots = slots;
            this.smallSize = slotSize;
            return this;
        }

        /** Large (64 KiB) slots of the pool (default 8). */
        public Builder largeSlots(int n) {
            this.largeSlots = n;
            return this;
        }

        /** Frames the receive queue holds (default 4096). */
        public Builder rxQueue(int frames) {
            this.rxQueue = frames;
            return this;
        }

        /** Changes TCP settings (the ISN secret is already derived from the seed and the node's name). */
        public Builder tcp(Consumer<TcpConfig.Builder> tweak) {
            this.tcp = tweak;
            return this;
        }

        /** Changes other stack settings (addresses and MTU are already set). */
        public Builder stack(Consumer<StackConfig.Builder> tweak) {
            this.stack = tweak;
            return this;
        }

        public Node build() {
            Node n = new Node(this);
            sim.add(n);
            return n;
        }
    }
}
