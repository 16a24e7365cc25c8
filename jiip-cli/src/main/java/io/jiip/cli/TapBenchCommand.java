package io.jiip.cli;

import io.jiip.io.app.Pattern;
import io.jiip.io.bench.TapBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./jiip tap-bench}: TAP backend throughput next to kernel-to-kernel over veth (root; a benchmark). */
@Command(name = "tap-bench", mixinStandardHelpOptions = true,
        description = "Throughput of jiip over a TAP against the kernel, offloads on and off, next to "
                + "kernel-to-kernel over a veth pair; in temporary namespaces (root).")
public final class TapBenchCommand implements Callable<Integer> {
    @Option(names = "--bytes", description = "Bytes per transfer (default: ${DEFAULT-VALUE}).")
    String bytes = "1g";

    @Option(names = "--runs", description = "Transfers per cell, best kept (default: ${DEFAULT-VALUE}).")
    int runs = 3;

    @Override
    public Integer call() throws Exception {
        return new TapBench(System.out, Pattern.parseSize(bytes), runs).run();
    }
}
