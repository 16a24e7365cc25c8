package io.jiip.sim;

import io.jiip.api.LinkType;
import io.jiip.link.PcapWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** An optional pcap sink of a link or node, stamped with simulated time; I/O errors become unchecked. */
final class Capture {
    private PcapWriter writer;

    /** Starts capturing to {@code file}, closing any earlier capture. */
    void open(Path file) {
        close();
        try {
            writer = PcapWriter.create(file, LinkType.ETHERNET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(long now, Frame f) {
        if (writer != null) {
            try {
                writer.write(now, f.buffer, 0, f.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writer = null;
            }
        }
    }
}
