package io.jiip.sim.trace;

import io.jiip.api.Result;
import io.jiip.api.TcpInfo;
import io.jiip.api.TcpState;
import io.jiip.sim.Node;
import io.jiip.sim.Simulation;
import io.jiip.sim.Units;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Per-connection time series of a run: congestion window, slow-start threshold, smoothed RTT, RTT variance, RTO,
 * bytes in flight and delivery rate, sampled from {@code Stack.tcpInfo} after each run of the owning node's stack.
 * A row is kept at most every {@link #interval} per connection, and at once whenever ssthresh, the state or
 * recovery changes or cwnd shrinks (so every loss response is visible). Written as CSV; plotted by
 * {@link SvgPlot}. Sampling only reads the stack: a traced run sends exactly the same frames as an untraced one.
 */
public final class Trace {
    /** CSV columns, in order. */
    public static final String HEADER = "time_s,flow,node,state,cwnd,ssthresh,srtt_us,rttvar_us,rto_us,"
            + "bytes_in_flight,delivery_rate_bps,retransmits,bytes_acked,bytes_received";

    private final Simulation sim;
    private final List<Series> series = new ArrayList<>();
    private final List<Node> sampled = new ArrayList<>();
    private final TcpInfo info = new TcpInfo();
    private long interval = Units.MILLISECOND;
    private long rateWindow = 100 * Units.MILLISECOND;

    public Trace(Simulation sim) {
        this.sim = sim;
    }

    /** Shortest spacing of ordinary rows of one connection (default 1 ms). */
    public Trace interval(long nanos) {
        this.interval = nanos;
        return this;
    }

    /** Window over which the delivery rate (acknowledged bytes per second) is measured (default 100 ms). */
    public Trace rateWindow(long nanos) {
        this.rateWindow = nanos;
        return this;
    }

    /** Starts recording connection {@code handle} of {@code node} under {@code label}. */
    public Series follow(Node node, int handle, String label) {
        Series s = new Series(node, handle, label);
        series.add(s);
        if (!sampled.contains(node)) {
            sampled.add(node);
            node.afterRun(() -> sample(node));
        }
        return s;
    }

    public List<Series> series() {
        return Collections.unmodifiableList(series);
    }

    private void sample(Node node) {
        long now = sim.now();
        for (Series s : series) {
            if (s.node == node && !s.closed) {
                s.sample(now, info);
            }
        }
    }

    /** Writes every row of every series, ordered by time then by series. */
    public void writeCsv(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeCsv(w);
        }
    }

    public void writeCsv(Writer w) throws IOException {
        w.write(HEADER);
        w.write('\n');
        int[] pos = new int[series.size()];
        StringBuilder sb = new StringBuilder(160);
        while (true) {
            int best = -1;
            for (int i = 0; i < series.size(); i++) {
                Series s = series.get(i);
                if (pos[i] < s.rows && (best < 0 || s.time[pos[i]] < series.get(best).time[pos[best]])) {
                    best = i;
                }
            }
            if (best < 0) {
                return;
            }
            Series s = series.get(best);
            int r = pos[best]++;
            sb.setLength(0);
            sb.append(String.format(Locale.ROOT, "%.6f", s.time[r] / 1e9)).append(',').append(s.label).append(',')
                    .append(s.node.name()).append(',').append(STATES[s.state[r]]).append(',').append(s.cwnd[r])
                    .append(',');
            if (s.ssthresh[r] < Integer.MAX_VALUE) {
                sb.append(s.ssthresh[r]);
            }
            sb.append(',').append(s.srtt[r] / 1000).append(',').append(s.rttvar[r] / 1000).append(',')
                    .append(s.rto[r] / 1000).append(',').append(s.inFlight[r]).append(',').append(s.rate[r])
                    .append(',').append(s.retransmits[r]).append(',').append(s.ackedAt[r]).append(',')
                    .append(s.receivedAt[r]).append('\n');
            w.write(sb.toString());
        }
    }

    private static final String[] STATES;

    static {
        TcpState[] v = TcpState.values();
        STATES = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            STATES[i] = v[i].name();
        }
    }

    /** The rows of one connection (columns as primitive arrays). */
    public final class Series {
        final Node node;
        final int handle;
        final String label;
        boolean closed;
        int rows;
        long[] time = new long[64];
        int[] state = new int[64];
        int[] cwnd = new int[64];
        int[] ssthresh = new int[64];
        long[] srtt = new long[64];
        long[] rttvar = new long[64];
        long[] rto = new long[64];
        int[] inFlight = new int[64];
        long[] rate = new long[64];
        long[] retransmits = new long[64];
        long[] ackedAt = new long[64];
        long[] receivedAt = new long[64];
        private long acked;
        private long received;
        private boolean lastRecovery;

        Series(Node node, int handle, String label) {
            this.node = node;
            this.handle = handle;
            this.label = label;
        }

        /** The application reports bytes the peer acknowledged (for the delivery rate). */
        public void acked(int bytes) {
            acked += bytes;
        }

        public void received(int bytes) {
            received += bytes;
        }

        void sample(long now, TcpInfo info) {
            if (node.stack().tcpInfo(handle, info) != Result.OK) {
                closed = true;
                return;
            }
            boolean force = rows == 0;
            if (rows > 0) {
                int last = rows - 1;
                force = info.ssthresh != ssthresh[last] || info.state.ordinal() != state[last]
                        || info.cwnd < cwnd[last] || info.inRecovery != lastRecovery;
                if (!force && (now - time[last] < interval || info.cwnd == cwnd[last]
                        && info.bytesInFlight == inFlight[last] && acked == ackedAt[last]
                        && received == receivedAt[last] && info.srttNanos == srtt[last])) {
                    return;
                }
                if (time[last] == now) {
                    rows--; // same instant: keep the newest values only
                }
            }
            lastRecovery = info.inRecovery;
            grow();
            int r = rows++;
            time[r] = now;
            state[r] = info.state.ordinal();
            cwnd[r] = info.cwnd;
            ssthresh[r] = info.ssthresh;
            srtt[r] = info.srttNanos;
            rttvar[r] = info.rttvarNanos;
            rto[r] = info.rtoNanos;
            inFlight[r] = info.bytesInFlight;
            retransmits[r] = info.retransmits;
            ackedAt[r] = acked;
            receivedAt[r] = received;
            rate[r] = deliveryRate(r, now);
        }

        private long deliveryRate(int r, long now) {
            long from = now - rateWindow;
            int i = Arrays.binarySearch(time, 0, r, from);
            int j = i >= 0 ? i : Math.max(0, -i - 2);
            long dt = now - time[j];
            if (dt <= 0) {
                return r > 0 ? rate[r - 1] : 0;
            }
            long bytes = ackedAt[r] - ackedAt[j];
            return bytes * 8L * Units.SECOND / Math.max(dt, rateWindow / 4);
        }

        private void grow() {
            if (rows < time.length) {
                return;
            }
            int n = time.length * 2;
            time = Arrays.copyOf(time, n);
            state = Arrays.copyOf(state, n);
            cwnd = Arrays.copyOf(cwnd, n);
            ssthresh = Arrays.copyOf(ssthresh, n);
            srtt = Arrays.copyOf(srtt, n);
            rttvar = Arrays.copyOf(rttvar, n);
            rto = Arrays.copyOf(rto, n);
            inFlight = Arrays.copyOf(inFlight, n);
            rate = Arrays.copyOf(rate, n);
            retransmits = Arrays.copyOf(retransmits, n);
            ackedAt = Arrays.copyOf(ackedAt, n);
            receivedAt = Arrays.copyOf(receivedAt, n);
        }

        public String label() {
            return label;
        }

        public int rows() {
            return rows;
        }

        public long time(int row) {
            return time[row];
        }

        public int cwnd(int row) {
            return cwnd[row];
        }

        /** {@link Integer#MAX_VALUE} while not set. */
        public int ssthresh(int row) {
            return ssthresh[row];
        }

        public long srtt(int row) {
            return srtt[row];
        }

        public long rto(int row) {
            return rto[row];
        }

        public int bytesInFlight(int row) {
            return inFlight[row];
        }

        /** Bits per second acknowledged over the rate window ending at this row. */
        public long deliveryRate(int row) {
            return rate[row];
        }

        public long bytesAcked(int row) {
            return ackedAt[row];
        }

        public long retransmits(int row) {
            return retransmits[row];
        }
    }
}
