package io.jiip.io;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The FFM layouts of the kernel structures against the sizes and offsets of the x86-64/AArch64 Linux ABI (what
 * {@code sizeof} and {@code offsetof} give there), and the accessors writing where those offsets say.
 */
class StructLayoutsTest {

    private static long offset(GroupLayout layout, String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    @Test
    void shouldLayOutIovecPollfdAndTimespecAsTheAbi() {
        assertEquals(16, LinuxStructs.IOVEC.byteSize());
        assertEquals(8, LinuxStructs.IOVEC.byteAlignment());
        assertEquals(0, offset(LinuxStructs.IOVEC, "iov_base"));
        assertEquals(8, offset(LinuxStructs.IOVEC, "iov_len"));

        assertEquals(8, LinuxStructs.POLLFD.byteSize());
        assertEquals(0, offset(LinuxStructs.POLLFD, "fd"));
        assertEquals(4, offset(LinuxStructs.POLLFD, "events"));
        assertEquals(6, offset(LinuxStructs.POLLFD, "revents"));

        assertEquals(16, LinuxStructs.TIMESPEC.byteSize());
        assertEquals(0, offset(LinuxStructs.TIMESPEC, "tv_sec"));
        assertEquals(8, offset(LinuxStructs.TIMESPEC, "tv_nsec"));
    }

    @Test
    void shouldLayOutIfreqAsTheAbi() {
        assertEquals(40, LinuxStructs.IFREQ.byteSize());
        assertEquals(8, LinuxStructs.IFREQ.byteAlignment());
        assertEquals(0, offset(LinuxStructs.IFREQ, "ifr_name"));
        assertEquals(16, LinuxStructs.IFREQ.select(groupElement("ifr_name")).byteSize());
        assertEquals(24, LinuxStructs.IFREQ.select(groupElement("ifr_ifru")).byteSize());
        assertEquals(16, offset(LinuxStructs.IFREQ, "ifr_ifru", "ifru_flags"));
        assertEquals(16, offset(LinuxStructs.IFREQ, "ifr_ifru", "ifru_mtu"));
        assertEquals(16, offset(LinuxStructs.IFREQ, "ifr_ifru", "ifru_hwaddr"));
        assertEquals(16, LinuxStructs.SOCKADDR.byteSize());
        assertEquals(18, LinuxStructs.IFR_HWADDR_DATA);
    }

    @Test
    void shouldLayOutVirtioNetHeaderAsTheAbi() {
        assertEquals(10, VirtioNetHeader.BASE_LAYOUT.byteSize());
        assertEquals(12, VirtioNetHeader.LAYOUT.byteSize());
        assertEquals(12, VirtioNetHeader.LENGTH);
        assertEquals(0, VirtioNetHeader.FLAGS);
        assertEquals(1, VirtioNetHeader.GSO_TYPE);
        assertEquals(2, VirtioNetHeader.HDR_LEN);
        assertEquals(4, VirtioNetHeader.GSO_SIZE);
        assertEquals(6, VirtioNetHeader.CSUM_START);
        assertEquals(8, VirtioNetHeader.CSUM_OFFSET);
        assertEquals(10, VirtioNetHeader.NUM_BUFFERS);
        for (String field : new String[] {"hdr_len", "gso_size", "csum_start", "csum_offset"}) {
            assertEquals(ByteOrder.LITTLE_ENDIAN,
                    ((ValueLayout) VirtioNetHeader.BASE_LAYOUT.select(groupElement(field))).order(), field);
        }
    }

    @Test
    void shouldWriteStructsWhereTheAbiPutsTheirFields() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment iov = a.allocate(LinuxStructs.IOVEC, 2);
            LinuxStructs.iovec(iov, 1, 0x1122334455667788L, 1500);
            assertEquals(0x1122334455667788L, iov.get(ValueLayout.JAVA_LONG, 16));
            assertEquals(1500, iov.get(ValueLayout.JAVA_LONG, 24));

            MemorySegment fds = a.allocate(LinuxStructs.POLLFD, 2);
            fds.fill((byte) 0x7f);
            LinuxStructs.pollfd(fds, 1, 42, Native.POLLIN);
            assertEquals(42, fds.get(ValueLayout.JAVA_INT, 8));
            assertEquals(Native.POLLIN, fds.get(ValueLayout.JAVA_SHORT, 12));
            assertEquals(0, fds.get(ValueLayout.JAVA_SHORT, 14));
            fds.set(ValueLayout.JAVA_SHORT, 14, (short) 5);
            assertEquals(5, LinuxStructs.revents(fds, 1));

            MemorySegment ts = a.allocate(LinuxStructs.TIMESPEC);
            LinuxStructs.timespec(ts, 2_500_000_001L);
            assertEquals(2, ts.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(500_000_001, ts.get(ValueLayout.JAVA_LONG, 8));

            MemorySegment ifr = a.allocate(LinuxStructs.IFREQ);
            LinuxStructs.ifreq(ifr, "jiip0");
            LinuxStructs.ifrFlags(ifr, (short) 0x1043);
            assertEquals("jiip0", LinuxStructs.ifrName(ifr));
            assertEquals(0x1043, ifr.get(ValueLayout.JAVA_SHORT, 16));
            LinuxStructs.ifrMtu(ifr, 9000);
            assertEquals(9000, ifr.get(ValueLayout.JAVA_INT, 16));
            byte[] mac = {0x02, 0x00, 0x5e, 0x10, 0x20, (byte) 0xff};
            MemorySegment.copy(mac, 0, ifr, ValueLayout.JAVA_BYTE, 18, 6);
            assertEquals(0x02005e1020ffL, LinuxStructs.ifrHwaddr(ifr));
        }
    }
}
