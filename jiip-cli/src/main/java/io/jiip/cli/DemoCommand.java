package io.jiip.cli;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackConfig;
import io.jiip.api.StackEvents;
import io.jiip.api.Stats;
import io.jiip.link.ManualClock;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import io.jiip.link.PcapWriter;
import io.jiip.api.LinkType;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.MacAddress;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jiip demo}: two stacks in one thread on a memory link, on virtual time, doing ARP, ping and UDP, told in
 * words, with a pcap of the wire. Needs no root and no network.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = TapDemoCommand.class,
        description = {"Two jiip stacks on a memory link: ARP, ping, UDP echo, port unreachable; writes a pcap.",
            "demo tap: the Linux kernel and jiip over a TAP in a temporary network namespace (root)."})
public final class DemoCommand implements Callable<Integer> {
    private static final long MICROSECOND = 1_000L;

    @Option(names = "--pcap", description = "Where to write the capture (default: ${DEFAULT-VALUE}).")
    Path pcap = Path.of(System.getProperty("java.io.tmpdir"), "jiip-demo.pcap");

    @Option(names = "--pings", description = "Echo requests to send (default: ${DEFAULT-VALUE}).")
    int pings = 3;

    private final PrintStream out = System.out;
    private final ManualClock clock = new ManualClock();

    @Override
    public Integer call() throws Exception {
        MemoryLink link = new MemoryLink(clock);
        Node a = new Node("A", "02:00:00:00:00:01", "10.0.0.1", link);
        Node b = new Node("B", "02:00:00:00:00:02", "10.0.0.2", link);
        out.printf("jiip demo: stacks A %s (%s) and B %s (%s) on a memory link, one thread, virtual time%n",
                a.ipText, a.macText, b.ipText, b.macText);
        try (PcapWriter writer = PcapWriter.create(pcap, LinkType.ETHERNET)) {
            link.capture(writer);
            boolean ok = arp(a, b) & ping(a, b) & udpEcho(a, b) & unreachable(a, b);
            out.println();
            printCounters(a);
            printCounters(b);
            a.stack.close();
            b.stack.close();
            writer.flush();
            out.printf("%nwire capture: %s (%d frames); open it with: tshark -r %s%n", pcap.toAbsolutePath(),
                    writer.frames(), pcap.toAbsolutePath());
            boolean leakFree = a.pool.inUse() == 0 && b.pool.inUse() == 0;
            out.printf("packet pools: %s%n", leakFree ? "every buffer returned (no leak)" : "LEAK: "
                    + a.pool.inUse() + " + " + b.pool.inUse() + " packets still in use");
            return ok && leakFree ? 0 : 1;
        }
    }

    private boolean arp(Node a, Node b) {
        out.printf("%nARP   A asks: who has %s?%n", b.ipText);
        a.stack.arpRequest(b.ip);
        pump(a, b);
        long mac = a.stack.arpLookup(b.ip);
        boolean ok = mac == b.mac;
        out.printf("      B answers: %s is at %s; A's ARP cache now holds it%s%n", b.ipText,
                MacAddress.toString(mac), ok ? "" : " -- FAILED");
        return ok;
    }

    private boolean ping(Node a, Node b) {
        byte[] data = new byte[56];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0x10 + i);
        }
        out.printf("%nPING  A pings B, %d times with %d data bytes%n", pings, data.length);
        for (int seq = 1; seq <= pings; seq++) {
            long sent = clock.nanoTime();
            a.stack.icmpEchoRequest(b.ip, Stack.RESOLVE, 0x4a49, seq, ByteBuffer.wrap(data), 0, data.length);
            pump(a, b);
            boolean intact = a.lastEchoData != null && Arrays.equals(a.lastEchoData, data);
            out.printf("      reply from %s: seq=%d, %d bytes, data %s, time=%.0f us (virtual)%n", b.ipText,
                    a.lastEchoSeq, a.lastEchoData == null ? 0 : a.lastEchoData.length,
                    intact ? "intact" : "DAMAGED", (a.lastEchoAt - sent) / 1e3);
        }
        return a.stack.stats().get(Counter.ICMP_ECHO_REPLIES_RX) == pings;
    }

    private boolean udpEcho(Node a, Node b) {
        out.printf("%nUDP   B binds port 7 and echoes; A binds port 5000%n");
        b.stack.udpBind(7, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            out.printf("      B got %d bytes from %s:%d: \"%s\", sends them back%n", len,
                    Ipv4Address.toString(srcIp), srcPort, text(packet, off, len));
            Packet reply = stack.packetOps().clone(packet); // zero-copy: the reply reuses the received bytes
            stack.packetOps().trimHead(reply, off - reply.offset());
            stack.packetOps().length(reply, len);
            if (stack.udpSend(reply, dstPort, srcIp, srcPort) != Result.OK) {
                stack.packetOps().free(reply);
            }
        });
        String[] received = new String[1];
        a.stack.udpBind(5000, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            received[0] = text(packet, off, len);
            out.printf("      A got the echo from %s:%d: \"%s\"%n", Ipv4Address.toString(srcIp), srcPort,
                    received[0]);
        });
        String message = "hello from jiip";
        a.stack.udpSend(payload(a, message), 5000, b.ip, 7);
        pump(a, b);
        return message.equals(received[0]);
    }

    private boolean unreachable(Node a, Node b) {
        out.printf("%nUDP   A sends to B port 9, where nothing is bound%n");
        a.stack.udpSend(payload(a, "anyone?"), 5000, b.ip, 9);
        pump(a, b);
        boolean ok = a.unreachableCode == 3;
        out.printf("      B answers with ICMP port unreachable; A is told: %s%n",
                ok ? "destination port 9 unreachable" : "nothing -- FAILED");
        return ok;
    }

    private void printCounters(Node n) {
        Stats s = n.stack.stats();
        out.printf("%s's counters (netstat -s style), drops: %d%n%s", n.name, s.totalDrops(), s);
    }

    /** Alternates the two stacks until the wire is quiet; each round costs 10 us of virtual time. */
    private void pump(Node a, Node b) {
        for (int round = 0; round < 1000; round++) {
            clock.advance(10 * MICROSECOND);
            int n = a.runOnce() + b.runOnce();
            if (n == 0 && a.port.pending() == 0 && b.port.pending() == 0) {
                return;
            }
        }
    }

    private static Packet payload(Node n, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Packet p = n.pool.alloc(bytes.length);
        p.buffer().put(p.offset(), bytes);
        n.pool.length(p, bytes.length);
        return p;
    }

    private static String text(Packet packet, int off, int len) {
        byte[] bytes = new byte[len];
        packet.buffer().get(off, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** One stack with its pool and port, remembering the events the demo reports. */
    private final class Node implements StackEvents<Packet> {
        final String name;
        final String macText;
        final String ipText;
        final long mac;
        final int ip;
        final PacketPool pool = PacketPool.builder().packets(256).small(256, 2048).large(4, 65536 + 256).build();
        final MemoryLink.Port port;
        final Stack<Packet> stack;
        final Packet[] rx = new Packet[64];
        byte[] lastEchoData;
        int lastEchoSeq;
        long lastEchoAt;
        int unreachableCode = -1;

        Node(String name, String mac, String ip, MemoryLink link) {
            this.name = name;
            this.macText = mac;
            this.ipText = ip;
            this.mac = MacAddress.parse(mac);
            this.ip = Ipv4Address.parse(ip);
            this.port = link.attach(pool);
            this.stack = new Stack<>(StackConfig.builder().mac(mac).ipv4(ip, 24).build(), pool, port, clock, this);
        }

        int runOnce() {
            int n = port.poll(rx, rx.length);
            stack.run(rx, n);
            return n;
        }

        @Override
        public void onEchoReply(Stack<Packet> s, Packet packet, int fromIp, int identifier, int sequence,
                int dataOffset, int dataLength) {
            lastEchoData = new byte[dataLength];
            packet.buffer().get(dataOffset, lastEchoData);
            lastEchoSeq = sequence;
            lastEchoAt = clock.nanoTime();
        }

        @Override
        public void onDestinationUnreachable(Stack<Packet> s, int code, int originalDstIp, int protocol,
                int srcPort, int dstPort) {
            unreachableCode = code;
        }
    }
}
