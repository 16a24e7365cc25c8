package io.jiip.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the frames of a classic pcap file written by {@code PcapWriter} (nanosecond, little-endian). */
final class PcapFile {
    final List<Long> times = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();

    static PcapFile read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0xa1b23c4d) {
            throw new IOException("not a nanosecond pcap: " + file);
        }
        PcapFile p = new PcapFile();
        int at = 24;
        while (at + 16 <= b.limit()) {
            long t = (b.getInt(at) & 0xffffffffL) * 1_000_000_000L + (b.getInt(at + 4) & 0xffffffffL);
            int captured = b.getInt(at + 8);
            byte[] f = new byte[captured];
            b.get(at + 16, f);
            p.times.add(t);
            p.frames.add(f);
            at += 16 + captured;
        }
        if (at != b.limit()) {
            throw new IOException("trailing bytes in " + file);
        }
        return p;
    }
}
