package io.jiip.cli;

import io.jiip.api.NicFeatures;
import io.jiip.api.StackConfig;
import io.jiip.io.Features;
import io.jiip.io.TapConfig;
import io.jiip.io.TapDevice;
import io.jiip.wire.Ipv4Address;
import io.jiip.wire.MacAddress;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every TAP command shares: the device, jiip's addresses, and the offload switches. */
final class TapOptions {
    @Option(names = "--tap", required = true, paramLabel = "NAME",
            description = "TAP interface; created in the current network namespace if it does not exist.")
    String tap;

    @Option(names = "--ip", required = true, paramLabel = "A/N", description = "jiip's IPv4 address and prefix.")
    String ip;

    @Option(names = "--gateway", paramLabel = "A", description = "Next hop for addresses outside the prefix.")
    String gateway;

    @Option(names = "--mac", paramLabel = "MAC", description = "jiip's MAC address (default: random, local).")
    String mac;

    @Option(names = "--host-ip", paramLabel = "A/N",
            description = "Also give the kernel's side of the TAP this address (runs ip addr add).")
    String hostIp;

    @Option(names = "--mtu", description = "Interface MTU (default: leave as is, 1500 for a new TAP).")
    int mtu;

    @Option(names = "--no-tx-csum", description = "Compute transmit checksums in software.")
    boolean noTxCsum;

    @Option(names = "--no-rx-csum",
            description = "No TUN_F_CSUM: the kernel sends full checksums and jiip verifies every one.")
    boolean noRxCsum;

    @Option(names = "--no-sg", description = "No scatter-gather: payload is copied behind the headers.")
    boolean noSg;

    @Option(names = "--no-tso", description = "No TCP segmentation offload: jiip sends MSS-sized segments.")
    boolean noTso;

    @Option(names = "--no-lro",
            description = "With --rx-gso: split the kernel's super-frames into MSS segments before the stack.")
    boolean noLro;

    @Option(names = "--no-offloads",
            description = "No checksum offloads and no scatter-gather: everything in software.")
    boolean noOffloads;

    @Option(names = "--rx-gso",
            description = "Negotiate TSO4/6: the kernel sends 64 KB super-frames, which the stack takes whole (LRO).")
    boolean rxGso;

    @Option(names = "--busy-poll", paramLabel = "MICROS",
            description = "Poll without sleeping for this long after each frame (default 0: sleep at once).")
    long busyPollMicros;

    TapConfig tapConfig(int queues) {
        boolean off = noOffloads;
        return TapConfig.builder().name(tap).queues(queues).txChecksum(!off && !noTxCsum)
                .rxChecksum(!off && !noRxCsum).scatterGather(!off && !noSg).rxGso(!off && !noRxCsum && rxGso)
                .txTso(!off && !noTso).mtu(mtu).build();
    }

    /** Opens the TAP as configured, applies the run-time switches, and configures the kernel side if asked. */
    TapDevice open(int queues) throws IOException, InterruptedException {
        TapDevice device = TapDevice.open(tapConfig(queues));
        try {
            if (noLro) {
                for (int i = 0; i < device.queueCount(); i++) {
                    device.queue(i).disable(NicFeatures.LRO);
                }
            }
            configureHost(device);
            return device;
        } catch (IOException | InterruptedException | RuntimeException e) {
            device.close();
            throw e;
        }
    }

    StackConfig.Builder stackConfig(TapDevice device) {
        String[] parts = ip.split("/");
        int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : 24;
        long m = mac != null ? MacAddress.parse(mac) : randomMac();
        StackConfig.Builder b = StackConfig.builder().mac(m).ipv4(Ipv4Address.parse(parts[0]), prefix)
                .mtu(device.mtu());
        if (gateway != null) {
            b.gateway(gateway);
        }
        return b;
    }

    static long randomMac() {
        byte[] r = new byte[6];
        new SecureRandom().nextBytes(r);
        long m = 0;
        for (byte x : r) {
            m = m << 8 | (x & 0xff);
        }
        return (m & ~0x0100_0000_0000L) | 0x0200_0000_0000L; // unicast, locally administered
    }

    /** Configures the kernel side when asked ({@code --host-ip}). */
    void configureHost(TapDevice device) throws IOException, InterruptedException {
        if (hostIp == null) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "addr", "replace", hostIp, "dev", device.name()));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("ip addr replace " + hostIp + " dev " + device.name() + " failed");
        }
    }

    static String describe(TapDevice device) {
        int f = device.queue(0).features();
        return "mtu " + device.mtu() + ", kernel side MAC " + MacAddress.toString(device.kernelMac())
                + ", offloads: " + Features.describe(f, device.tunOffloads());
    }
}
