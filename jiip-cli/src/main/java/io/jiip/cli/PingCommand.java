package io.jiip.cli;

import io.jiip.api.Result;
import io.jiip.api.Stack;
import io.jiip.api.StackEvents;
import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.link.Packet;
import io.jiip.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./jiip ping IP}: ICMP echo from jiip on a TAP device. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Sends ICMP echo requests from jiip on a TAP device.")
public final class PingCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IP")
    String target;

    @Mixin
    TapOptions tap;

    @Option(names = {"-c", "--count"}, description = "Requests to send (default: ${DEFAULT-VALUE}).")
    int count = 4;

    @Option(names = {"-i", "--interval"}, description = "Seconds between requests (default: ${DEFAULT-VALUE}).")
    double interval = 1.0;

    @Option(names = {"-s", "--size"}, description = "Data bytes per request (default: ${DEFAULT-VALUE}).")
    int size = 56;

    private volatile CompletableFuture<Long> pending;

    @Override
    public Integer call() throws Exception {
        Throwable cause = TapDevice.unavailabilityCause();
        if (cause != null) {
            System.err.println("jiip ping: TAP unavailable: " + cause.getMessage());
            return 2;
        }
        int dst = Ipv4Address.parse(target);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) i;
        }
        StackEvents<Packet> events = new StackEvents<>() {
            @Override
            public void onEchoReply(Stack<Packet> stack, Packet packet, int fromIp, int identifier, int sequence,
                    int dataOffset, int dataLength) {
                CompletableFuture<Long> p = pending;
                if (p != null && fromIp == dst) {
                    p.complete(System.nanoTime());
                }
            }
        };
        int received = 0;
        try (TapDevice device = tap.open(1)) {
            TapNode node = TapNode.start(device.queue(0), tap.stackConfig(device).build(), events, null, null, 0,
                    "jiip-ping");
            try {
                System.out.printf("PING %s from %s via %s: %d data bytes%n", target, tap.ip, device.name(), size);
                for (int seq = 1; seq <= count; seq++) {
                    CompletableFuture<Long> f = new CompletableFuture<>();
                    pending = f;
                    int sq = seq;
                    long sent = System.nanoTime();
                    int r = node.call(s -> s.icmpEchoRequest(dst, Stack.RESOLVE, 0x4a49, sq, ByteBuffer.wrap(data), 0,
                            data.length));
                    if (r != Result.OK) {
                        System.out.printf("seq=%d: %s%n", seq, Result.name(r));
                    } else {
                        try {
                            long at = f.get(Math.max(1, (long) (interval * 1000)) + 1000, TimeUnit.MILLISECONDS);
                            received++;
                            System.out.printf("%d bytes from %s: icmp_seq=%d time=%.3f ms%n", size + 8, target, seq,
                                    (at - sent) / 1e6);
                        } catch (TimeoutException e) {
                            System.out.printf("no reply for icmp_seq=%d%n", seq);
                        }
                    }
                    long left = (long) (interval * 1e9) - (System.nanoTime() - sent);
                    if (seq < count && left > 0) {
                        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                    }
                }
            } finally {
                node.close();
            }
        }
        System.out.printf("--- %s: %d transmitted, %d received, %d%% loss%n", target, count, received,
                count == 0 ? 0 : (count - received) * 100 / count);
        return received > 0 ? 0 : 1;
    }
}
