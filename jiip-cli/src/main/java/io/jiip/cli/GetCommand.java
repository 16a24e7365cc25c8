package io.jiip.cli;

import io.jiip.io.TapDevice;
import io.jiip.io.TapNode;
import io.jiip.io.app.HttpClient;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./jiip get URL}: an HTTP GET through jiip on a TAP device; prints SHA-256 and rate of the body. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Downloads http://IPv4[:port]/path with jiip on a TAP device; prints the body's SHA-256 "
                + "and the rate (the body is not kept).",
            "Example: ./jiip get http://10.0.0.1:8000/big.bin --tap tap0 --ip 10.0.0.2/24 --host-ip 10.0.0.1/24"})
public final class GetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Mixin
    TapOptions tap;

    @Option(names = "--timeout", description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 600;

    @Override
    public Integer call() throws Exception {
        Throwable cause = TapDevice.unavailabilityCause();
        if (cause != null) {
            System.err.println("jiip get: TAP unavailable: " + cause.getMessage());
            return 2;
        }
        HttpClient client = HttpClient.forUrl(url);
        try (TapDevice device = tap.open(1)) {
            TapNode node = TapNode.start(device.queue(0), tap.stackConfig(device).build(), null, null, null,
                    tap.busyPollMicros * 1000, "jiip-get");
            try {
                node.execute(client::start);
                HttpClient.Response r;
                long start = System.nanoTime();
                while (true) {
                    try {
                        r = client.result().get(1, TimeUnit.SECONDS);
                        break;
                    } catch (TimeoutException e) {
                        if (System.nanoTime() - start > timeoutSeconds * 1_000_000_000L) {
                            System.err.printf("jiip get: timed out after %d s (%,d bytes received)%n",
                                    timeoutSeconds, client.progress());
                            return 1;
                        }
                    }
                }
                if (!r.ok()) {
                    System.err.printf("jiip get: %s (status %d, %,d bytes)%n", r.error(), r.status(), r.bytes());
                    return 1;
                }
                System.out.printf("HTTP %d, %,d bytes in %.3f s = %.1f MB/s (%.2f Gbit/s)%nsha256 %s%n", r.status(),
                        r.bytes(), r.nanos() / 1e9, r.bytesPerSecond() / 1e6, r.bytesPerSecond() * 8 / 1e9,
                        r.sha256());
                return r.status() / 100 == 2 ? 0 : 1;
            } finally {
                node.close();
            }
        }
    }
}
