package io.jiip.io;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network namespace ({@code ip netns add jiip-<random>}) for tests and demos that touch real
 * interfaces: everything they create lives inside it, and {@link #close()} deletes it, killing the processes this
 * JVM started in it. A JVM shutdown hook does the same if the process ends first (Ctrl-C, a failed test run), so
 * nothing is left behind either way.
 *
 * <p>Kernel-side tools run with {@code ip netns exec}; the jiip side opens its TAP inside the namespace with
 * {@link TapConfig.Builder#netns}. Needs root ({@code CAP_SYS_ADMIN} and {@code CAP_NET_ADMIN}) and iproute2;
 * probe with {@link #unavailabilityCause()}.
 */
public final class NetNs implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Thread hook;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private boolean closed;

    private NetNs(String name) {
        this.name = name;
        this.hook = new Thread(this::delete, "jiip-netns-cleanup-" + name);
    }

    /**
     * Why namespaces cannot be used here ({@code null} when they can): not root, no {@code ip} command, or no
     * {@code /dev/net/tun}.
     */
    public static String unavailabilityCause() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "network namespaces need Linux";
        }
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            long eff = 0;
            for (String line : status.split("\n")) {
                if (line.startsWith("CapEff:")) {
                    eff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
            if ((eff & (1L << 21)) == 0 || (eff & (1L << 12)) == 0) {
                return "needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to create network namespaces";
            }
        } catch (IOException | RuntimeException e) {
            return "cannot read capabilities: " + e;
        }
        if (findIp() == null) {
            return "the ip command (iproute2) is not installed";
        }
        Throwable tap = TapDevice.unavailabilityCause();
        if (tap != null) {
            return "TAP unavailable: " + tap.getMessage();
        }
        return null;
    }

    private static String findIp() {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            if (Files.isExecutable(Path.of(dir, "ip"))) {
                return dir + "/ip";
            }
        }
        return null;
    }

    /** Creates {@code prefix-<8 random hex digits>}; the shutdown hook that deletes it is registered first. */
    public static NetNs create(String prefix) throws IOException {
        String name = prefix + "-" + Long.toHexString(RANDOM.nextLong() & 0xffff_ffffL | 0x1_0000_0000L).substring(1);
        NetNs ns = new NetNs(name);
        Runtime.getRuntime().addShutdownHook(ns.hook);
        Result r = run(DEFAULT_TIMEOUT, "ip", "netns", "add", name);
        if (r.exit != 0) {
            ns.close();
            throw new IOException("ip netns add " + name + " failed: " + r.output);
        }
        try {
            ns.execOrThrow("ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** {@code create("jiip")}. */
    public static NetNs create() throws IOException {
        return create("jiip");
    }

    public String name() {
        return name;
    }

    /** The output and exit status of a finished command. */
    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** Runs a command inside the namespace, waiting at most 30 s. */
    public Result exec(String... command) throws IOException {
        return exec(DEFAULT_TIMEOUT, command);
    }

    /** Runs a command inside the namespace; kills it after {@code timeout} (exit status -1 then). */
    public Result exec(Duration timeout, String... command) throws IOException {
        return run(timeout, inside(command));
    }

    /** Like {@link #exec(String...)} but throws unless the exit status is 0. */
    public String execOrThrow(String... command) throws IOException {
        Result r = exec(command);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", command) + " in " + name + " failed (" + r.exit + "): "
                    + r.output);
        }
        return r.output;
    }

    /**
     * Starts a long-running command inside the namespace (a server, a sender); its output goes to {@code log}
     * ({@code null}: discarded). It is killed at {@link #close()} if still running.
     */
    public Process start(Path log, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(inside(command)).redirectErrorStream(true);
        pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private String[] inside(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    private static Result run(Duration timeout, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                out[0] = in.readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        }, "jiip-netns-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(p);
                reader.join(2000);
                return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", command) + "\n"
                        + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            destroyTree(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }

    private static void destroyTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills what this JVM started in the namespace, then deletes it. Idempotent; also run at JVM exit. */
    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // shutting down already, or the hook has run
        }
    }

    private synchronized void delete() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            if (p.isAlive()) {
                destroyTree(p);
            }
        }
        // Anything else inside that we started (e.g. a child's child that changed its parent) is ours too.
        Set<Long> ours = new HashSet<>();
        ProcessHandle.current().descendants().forEach(h -> ours.add(h.pid()));
        try {
            Result pids = run(Duration.ofSeconds(10), "ip", "netns", "pids", name);
            List<Long> inside = new ArrayList<>();
            for (String s : pids.output.split("\\s+")) {
                if (!s.isBlank()) {
                    try {
                        inside.add(Long.parseLong(s.trim()));
                    } catch (NumberFormatException ignored) {
                        // not a pid line
                    }
                }
            }
            for (long pid : inside) {
                if (ours.contains(pid)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            run(Duration.ofSeconds(30), "ip", "netns", "del", name);
        } catch (IOException e) {
            System.err.println("jiip: could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
