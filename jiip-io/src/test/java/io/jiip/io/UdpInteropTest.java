package io.jiip.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiip.api.Result;
import io.jiip.io.app.EchoServer;
import io.jiip.io.app.Pattern;
import io.jiip.link.Packet;
import io.jiip.wire.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** UDP echo with socat, in both directions. */
class UdpInteropTest {
    static final int[] SIZES = {1, 100, 1000, 1472};

    @Test
    void socatToJiipEcho() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            EchoServer echo = new EchoServer();
            assertEquals(Result.OK, (int) peer.node.call(s -> s.udpBind(7, echo)));
            NetNs.Result r = peer.exec("bash", "-c", "printf 'hello over udp' | socat -t 1 - UDP4:"
                    + KernelPeer.JIIP_IP + ":7");
            assertEquals(0, r.exit(), r.output());
            assertEquals("hello over udp", r.output());
            Path dir = Files.createTempDirectory("jiip-udp");
            try {
                for (int size : SIZES) {
                    Path f = dir.resolve("d" + size);
                    Transfers.writePattern(f, size);
                    NetNs.Result big = peer.exec("bash", "-c", "socat -b 65536 -t 1 - UDP4:" + KernelPeer.JIIP_IP
                            + ":7 < " + f + " | cmp - " + f);
                    assertEquals(0, big.exit(), size + " bytes: " + big.output());
                    Files.delete(f);
                }
            } finally {
                Files.deleteIfExists(dir);
            }
        }
    }

    @Test
    void jiipToSocatEcho() throws Exception {
        try (KernelPeer peer = KernelPeer.start()) {
            peer.ns.start(null, "socat", "-T", "20", "UDP4-LISTEN:9002,bind=" + KernelPeer.KERNEL_IP
                    + ",reuseaddr", "PIPE");
            Transfers.waitForUdp(peer.ns, 9002);
            Map<Integer, byte[]> echoes = new ConcurrentHashMap<>();
            assertEquals(Result.OK, (int) peer.node.call(s -> s.udpBind(5000,
                    (stack, packet, src, sport, dst, dport, off, len) -> {
                        byte[] b = new byte[len];
                        packet.buffer().get(off, b);
                        echoes.put(len, b);
                    })));
            int kernel = Ipv4Address.parse(KernelPeer.KERNEL_IP);
            // One datagram at a time: socat's PIPE is a byte stream, and two datagrams waiting in it together come
            // back as one (a 101-byte echo of the 1- and 100-byte ones).
            for (int size : SIZES) {
                for (int attempt = 0; attempt < 20 && !echoes.containsKey(size); attempt++) {
                    int r = peer.node.call(s -> {
                        Packet p = s.packetOps().alloc(size);
                        Pattern.fill(p.buffer(), p.offset(), size, 0);
                        s.packetOps().length(p, size);
                        int res = s.udpSend(p, 5000, kernel, 9002);
                        if (res != Result.OK) {
                            s.packetOps().free(p);
                        }
                        return res;
                    });
                    assertEquals(Result.OK, r, Result.name(r));
                    for (int wait = 0; wait < 20 && !echoes.containsKey(size); wait++) {
                        Thread.sleep(10); // the first datagram may wait for ARP
                    }
                }
            }
            for (int size : SIZES) {
                byte[] expected = new byte[size];
                for (int i = 0; i < size; i++) {
                    expected[i] = Pattern.at(i);
                }
                assertArrayEquals(expected, echoes.get(size), size + " bytes");
            }
        }
    }
}
