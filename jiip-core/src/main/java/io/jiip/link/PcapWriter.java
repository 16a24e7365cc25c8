package io.jiip.link;

import io.jiip.api.LinkType;
import io.jiip.api.PacketOps;
import io.jiip.wire.Bytes;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes frames to a classic libpcap file with nanosecond timestamps (magic {@code 0xa1b23c4d}), readable by
 * tcpdump, tshark and Wireshark. Frames are copied into one reusable staging buffer, so writing allocates nothing.
 * Not thread-safe.
 */
public final class PcapWriter implements Closeable {
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final int RECORD_HEADER = 16;

    private final FileChannel channel;
    private final ByteBuffer staging;
    private final int snapLength;
    private long frames;

    private PcapWriter(FileChannel channel, int linkType, int snapLength) throws IOException {
        this.channel = channel;
        this.snapLength = snapLength;
        this.staging = ByteBuffer.allocate(Math.max(1 << 16, RECORD_HEADER + snapLength) * 2)
                .order(ByteOrder.LITTLE_ENDIAN);
        staging.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snapLength)
                .putInt(linkType);
        drain();
    }

    /** Creates (or truncates) {@code file} for frames of the given link type, keeping up to 65,535 bytes each. */
    public static PcapWriter create(Path file, LinkType linkType) throws IOException {
        return create(file, linkType, 65535);
    }

    public static PcapWriter create(Path file, LinkType linkType, int snapLength) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            return new PcapWriter(ch, linkType == LinkType.ETHERNET ? LINKTYPE_ETHERNET : LINKTYPE_RAW, snapLength);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Records one frame {@code [index, index + length)} of {@code buf} at {@code timestampNanos}. */
    public void write(long timestampNanos, ByteBuffer buf, int index, int length) throws IOException {
        int captured = Math.min(length, snapLength);
        beginRecord(timestampNanos, captured, length);
        Bytes.copy(buf, index, staging, staging.position(), captured);
        staging.position(staging.position() + captured);
        endRecord();
    }

    /** Records a whole packet chain as one frame (what the NIC puts on the wire for a scatter-gather chain). */
    public <P> void write(long timestampNanos, PacketOps<P> ops, P frame) throws IOException {
        int length = 0;
        for (P p = frame; p != null; p = ops.chainNext(p)) {
            length += ops.length(p);
        }
        int remaining = Math.min(length, snapLength);
        beginRecord(timestampNanos, remaining, length);
        for (P p = frame; p != null && remaining > 0; p = ops.chainNext(p)) {
            int n = Math.min(ops.length(p), remaining);
            Bytes.copy(ops.buffer(p), ops.offset(p), staging, staging.position(), n);
            staging.position(staging.position() + n);
            remaining -= n;
        }
        endRecord();
    }

    private void beginRecord(long timestampNanos, int captured, int length) throws IOException {
        if (staging.remaining() < RECORD_HEADER + captured) {
            drain();
        }
        staging.putInt((int) (timestampNanos / 1_000_000_000L)).putInt((int) (timestampNanos % 1_000_000_000L))
                .putInt(captured).putInt(length);
    }

    private void endRecord() throws IOException {
        frames++;
        if (staging.remaining() < RECORD_HEADER + snapLength) {
            drain();
        }
    }

    private void drain() throws IOException {
        staging.flip();
        while (staging.hasRemaining()) {
            channel.write(staging);
        }
        staging.clear();
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    /** Writes buffered records to the file. */
    public void flush() throws IOException {
        drain();
    }

    @Override
    public void close() throws IOException {
        try {
            drain();
        } finally {
            channel.close();
        }
    }
}
