package io.jiip.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal classic-pcap reader for the tests (independent of {@link io.jiip.link.PcapWriter}): header fields and
 * records, in either byte order, microsecond or nanosecond magic.
 */
public final class Pcap {
    public final int magic;
    public final boolean nanos;
    public final int versionMajor;
    public final int versionMinor;
    public final int snapLength;
    public final int linkType;
    public final List<Record> records = new ArrayList<>();

    /** One captured frame. */
    public static final class Record {
        public final long seconds;
        public final long fraction;
        public final int originalLength;
        public final byte[] data;

        Record(long seconds, long fraction, int originalLength, byte[] data) {
            this.seconds = seconds;
            this.fraction = fraction;
            this.originalLength = originalLength;
            this.data = data;
        }

        public ByteBuffer buffer() {
            return ByteBuffer.wrap(data);
        }
    }

    private Pcap(ByteBuffer b) {
        int m = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (m != 0xa1b2c3d4 && m != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
            m = b.getInt(0);
        }
        if (m != 0xa1b2c3d4 && m != 0xa1b23c4d) {
            throw new IllegalArgumentException("not a pcap file: magic " + Integer.toHexString(m));
        }
        this.magic = m;
        this.nanos = m == 0xa1b23c4d;
        this.versionMajor = b.getShort(4) & 0xffff;
        this.versionMinor = b.getShort(6) & 0xffff;
        this.snapLength = b.getInt(16);
        this.linkType = b.getInt(20);
        int at = 24;
        while (at < b.limit()) {
            if (b.limit() - at < 16) {
                throw new IllegalArgumentException("truncated record header at " + at);
            }
            long sec = b.getInt(at) & 0xffffffffL;
            long frac = b.getInt(at + 4) & 0xffffffffL;
            int incl = b.getInt(at + 8);
            int orig = b.getInt(at + 12);
            at += 16;
            if (incl < 0 || incl > b.limit() - at) {
                throw new IllegalArgumentException("truncated record at " + at);
            }
            byte[] data = new byte[incl];
            b.get(at, data);
            at += incl;
            records.add(new Record(sec, frac, orig, data));
        }
    }

    public static Pcap read(Path file) throws IOException {
        return new Pcap(ByteBuffer.wrap(Files.readAllBytes(file)));
    }
}
