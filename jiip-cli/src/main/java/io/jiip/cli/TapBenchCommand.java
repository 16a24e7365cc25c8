package io.jiip.cli;

import io.jiip.api.CongestionAlgorithm;
import io.jiip.io.app.Pattern;
import io.jiip.io.bench.TapBench;
import io.jiip.io.bench.TapLossBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code ./jiip tap-bench}: TAP backend throughput next to kernel-to-kernel over veth; with {@code --loss}, loss
 * recovery against a kernel server under the same nftables loss (root; a benchmark).
 */
@Command(name = "tap-bench", mixinStandardHelpOptions = true,
        description = {"Throughput of jiip over a TAP against the kernel, offloads on and off, next to "
                + "kernel-to-kernel over a veth pair; in temporary namespaces (root).",
            "With --loss: the same TCP transfers (jiip sending, jiip receiving, echo) against jiip over a TAP and "
                + "against a Linux server over a veth pair, nftables dropping that %% of the packets on the kernel "
                + "client's input and output; times, RTO counts and the kernel/jiip ratio as a Markdown table.",
            "Example: ./jiip tap-bench --loss 1,5 --runs 3"})
public final class TapBenchCommand implements Callable<Integer> {
    @Option(names = "--bytes", description = "Bytes per transfer (default: 1g; 16m with --loss).")
    String bytes;

    @Option(names = "--runs", description = "Transfers per cell: best kept; with --loss the median (default: "
            + "${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--loss", split = ",", paramLabel = "PERCENT",
            description = "Loss benchmark at these random loss rates, e.g. --loss 1,5.")
    List<Double> loss;

    @Option(names = "--tso", description = "With --loss: only the rows with TSO on (default: on and off).")
    boolean tsoOnly;

    @Option(names = "--no-tso", description = "With --loss: only the rows with TSO off (MSS-sized segments from the "
            + "server).")
    boolean noTso;

    @Option(names = "--workload", split = ",", paramLabel = "W",
            description = "With --loss: send (jiip sends), receive (jiip receives), echo (default: all three).")
    List<String> workloads;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "With --loss: a transfer not done by then counts as a timeout (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 60;

    @Option(names = "--rx-gso", description = "With --loss: jiip's TAP takes the kernel's 64 KB super-frames (LRO), "
            + "as the kernel server's veth does (default: the kernel sends jiip MSS-sized frames).")
    boolean rxGso;

    @Option(names = "--cc", paramLabel = "ALGORITHM", description = "With --loss: congestion control of both "
            + "servers and the kernel client: cubic or newreno (Linux: reno) (default: ${DEFAULT-VALUE}).")
    String cc = "cubic";

    @Option(names = "--kernel-cc", paramLabel = "NAME", description = "With --loss: a different Linux congestion "
            + "control for the kernel's sockets, e.g. bbr (default: the same as --cc).")
    String kernelCc;

    @Option(names = "--json", paramLabel = "FILE", description = "With --loss: also write every transfer as JSON.")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (loss == null) {
            return new TapBench(System.out, Pattern.parseSize(bytes != null ? bytes : "1g"), runs).run();
        }
        if (tsoOnly && noTso) {
            System.err.println("tap-bench: --tso and --no-tso exclude each other (neither: both rows)");
            return 2;
        }
        List<Boolean> tso = new ArrayList<>();
        if (!noTso) {
            tso.add(true);
        }
        if (!tsoOnly) {
            tso.add(false);
        }
        TapLossBench bench = new TapLossBench(System.out, new TapLossBench.Options(
                Pattern.parseSize(bytes != null ? bytes : "16m"), runs, loss, tso,
                workloads(), Duration.ofSeconds(timeoutSeconds), rxGso, congestionControl(), kernelCc));
        int status = bench.run();
        if (json != null && status != 2) {
            bench.writeJson(json);
        }
        return status;
    }

    private CongestionAlgorithm congestionControl() {
        switch (cc.trim().toLowerCase(Locale.ROOT)) {
            case "cubic":
                return CongestionAlgorithm.CUBIC;
            case "newreno":
            case "reno":
                return CongestionAlgorithm.NEW_RENO;
            default:
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--cc: cubic or newreno, not " + cc);
        }
    }

    private List<TapLossBench.Workload> workloads() {
        if (workloads == null) {
            return List.of(TapLossBench.Workload.values());
        }
        List<TapLossBench.Workload> list = new ArrayList<>();
        for (String w : workloads) {
            try {
                list.add(TapLossBench.Workload.valueOf(w.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--workload: send, receive or echo, not " + w);
            }
        }
        return list;
    }
}
