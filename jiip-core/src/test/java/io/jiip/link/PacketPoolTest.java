package io.jiip.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.wire.Bytes;
import io.jiip.wire.Checksum;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketPoolTest {

    private static PacketPool small() {
        return PacketPool.builder().packets(16).small(4, 128).large(2, 1024).build();
    }

    private static void assertBalanced(PacketPool pool) {
        assertEquals(0, pool.inUse(), "descriptors in use");
        assertEquals(0, pool.buffersInUse(), "buffers in use");
    }

    @Test
    void shouldBalanceAllocAndFree() {
        PacketPool pool = small();
        assertBalanced(pool);
        Packet a = pool.alloc(10);
        Packet b = pool.alloc(100);
        assertEquals(2, pool.inUse());
        assertEquals(2, pool.buffersInUse());
        assertEquals(0, a.length());
        assertTrue(a.capacity() >= 10);
        pool.free(a);
        assertEquals(1, pool.inUse());
        assertEquals(1, pool.buffersInUse());
        pool.free(b);
        assertBalanced(pool);
        // Everything can be allocated again after being freed, many times over.
        for (int round = 0; round < 100; round++) {
            Packet p = pool.alloc(round);
            assertNotNull(p);
            pool.free(p);
        }
        assertBalanced(pool);
        assertEquals(0, pool.allocFailures());
    }

    @Test
    void shouldPickSizeClassAndRefuseTooBig() {
        PacketPool pool = small();
        Packet s = pool.alloc(128);
        assertEquals(128, s.capacity(), "fits the small class exactly");
        Packet l = pool.alloc(129);
        assertNotNull(l);
        assertEquals(1024, l.capacity(), "one byte more needs a large slot");
        Packet l2 = pool.alloc(1024);
        assertNotNull(l2);
        assertNull(pool.alloc(1025), "larger than the large class");
        assertEquals(1, pool.allocFailures());
        assertEquals(3, pool.inUse());
        pool.free(s);
        pool.free(l);
        pool.free(l2);
        assertBalanced(pool);
    }

    @Test
    void shouldReturnNullWhenAClassOrTheDescriptorsRunOut() {
        PacketPool pool = small();
        List<Packet> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(pool.alloc(64));
        }
        assertNull(pool.alloc(64), "small class exhausted");
        assertEquals(1, pool.allocFailures());
        // A small request does not spill into the large class.
        Packet big = pool.alloc(500);
        assertNotNull(big, "large class still has room");
        held.add(big);
        held.add(pool.alloc(500));
        assertNull(pool.alloc(500), "large class exhausted");
        assertEquals(2, pool.allocFailures());
        held.forEach(pool::free);
        assertBalanced(pool);

        PacketPool fewDescriptors = PacketPool.builder().packets(2).small(8, 128).large(0, 128).build();
        Packet a = fewDescriptors.alloc(1);
        Packet b = fewDescriptors.alloc(1);
        assertNull(fewDescriptors.alloc(1), "descriptors exhausted although slots are free");
        assertNull(fewDescriptors.clone(a), "clone needs a descriptor too");
        assertEquals(2, fewDescriptors.allocFailures());
        assertEquals(2, fewDescriptors.buffersInUse(), "failed alloc must not leak a slot");
        fewDescriptors.free(a);
        fewDescriptors.free(b);
        assertBalanced(fewDescriptors);
    }

    @Test
    void shouldShareBytesInCloneAndKeepBufferUntilLastReferenceIsFreed() {
        PacketPool pool = PacketPool.builder().packets(16).small(1, 128).large(0, 128).build();
        Packet p = pool.alloc(10);
        pool.length(p, 10);
        p.buffer().put(p.offset() + 3, (byte) 42);
        Packet c = pool.clone(p);
        assertNotSame(p, c);
        assertSame(p.buffer(), c.buffer());
        assertEquals(p.offset(), c.offset());
        assertEquals(10, c.length());
        assertNull(c.next());
        assertEquals(42, c.buffer().get(c.offset() + 3));
        // Writes through one are seen through the other: same bytes.
        c.buffer().put(c.offset() + 4, (byte) 7);
        assertEquals(7, p.buffer().get(p.offset() + 4));
        // Trimming a clone moves only its own window.
        pool.trimHead(c, 3);
        assertEquals(p.offset() + 3, c.offset());
        assertEquals(10, p.length());
        assertEquals(2, pool.inUse());
        assertEquals(1, pool.buffersInUse());

        pool.free(p);
        assertEquals(1, pool.inUse());
        assertEquals(1, pool.buffersInUse(), "the clone still holds the slot");
        assertNull(pool.alloc(10), "the only slot is still referenced");
        assertEquals(42, c.buffer().get(c.offset()));
        Packet c2 = pool.clone(c);
        pool.free(c);
        assertEquals(1, pool.buffersInUse());
        pool.free(c2);
        assertBalanced(pool);
        assertNotNull(pool.alloc(10), "slot reusable once the last reference is gone");
    }

    /** Counts are kept only for shared slots: a slot's later owners, shared or not, never see a stale count. */
    @Test
    void shouldCountReferencesAfreshEachTimeASlotIsShared() {
        PacketPool pool = PacketPool.builder().packets(16).small(1, 128).large(0, 128).build();
        for (int round = 0; round < 3; round++) {
            Packet sole = pool.alloc(10);
            pool.free(sole);
            assertBalanced(pool);
            Packet p = pool.alloc(10);
            Packet c1 = pool.clone(p);
            Packet c2 = pool.clone(c1);
            pool.free(c1);
            pool.free(p);
            assertEquals(1, pool.buffersInUse(), "round " + round + ": the second clone still holds the slot");
            pool.free(c2);
            assertBalanced(pool);
        }
    }

    @Test
    void shouldCloneLargeSlots() {
        PacketPool pool = small();
        Packet p = pool.alloc(900);
        Packet c = pool.clone(p);
        pool.free(p);
        assertEquals(1, pool.buffersInUse());
        pool.free(c);
        assertBalanced(pool);
    }

    @Test
    void shouldFreeAWholeChain() {
        PacketPool pool = small();
        Packet head = pool.alloc(10);
        Packet mid = pool.alloc(500);
        Packet tail = pool.alloc(20);
        Packet tailClone = pool.clone(head);
        pool.chainAppend(head, mid);
        pool.chainAppend(head, tail); // appends after mid
        pool.chainAppend(head, tailClone);
        assertSame(mid, pool.chainNext(head));
        assertSame(tail, pool.chainNext(mid));
        assertSame(tailClone, pool.chainNext(tail));
        assertNull(pool.chainNext(tailClone));
        assertEquals(4, pool.inUse());
        assertEquals(3, pool.buffersInUse());
        pool.free(head);
        assertBalanced(pool);
    }

    @Test
    void shouldThrowOnDoubleFree() {
        PacketPool pool = small();
        Packet p = pool.alloc(10);
        pool.free(p);
        assertThrows(IllegalStateException.class, () -> pool.free(p));
        assertBalanced(pool);

        Packet c = pool.alloc(10);
        Packet d = pool.clone(c);
        pool.free(d);
        assertThrows(IllegalStateException.class, () -> pool.free(d));
        assertEquals(1, pool.buffersInUse(), "a refused double free must not drop the other reference");
        pool.free(c);
        assertBalanced(pool);
    }

    @Test
    void shouldRefuseAPacketOfAnotherPool() {
        PacketPool one = small();
        PacketPool two = small();
        Packet p = one.alloc(1);
        assertThrows(IllegalStateException.class, () -> two.free(p));
        one.free(p);
        assertBalanced(one);
        assertBalanced(two);
    }

    @Test
    void shouldCheckTrimAndLengthBounds() {
        PacketPool pool = small();
        Packet p = pool.alloc(100);
        int start = p.offset();
        assertThrows(IllegalArgumentException.class, () -> pool.length(p, -1));
        assertThrows(IllegalArgumentException.class, () -> pool.length(p, p.capacity() + 1));
        pool.length(p, p.capacity());
        assertEquals(128, p.length());
        pool.length(p, 50);
        assertThrows(IllegalArgumentException.class, () -> pool.trimHead(p, 51));
        assertThrows(IllegalArgumentException.class, () -> pool.trimHead(p, -1));
        assertThrows(IllegalArgumentException.class, () -> pool.trimTail(p, 51));
        assertThrows(IllegalArgumentException.class, () -> pool.trimTail(p, -1));
        assertEquals(50, p.length(), "refused trims change nothing");
        assertEquals(start, p.offset());

        pool.trimHead(p, 10);
        assertEquals(start + 10, p.offset());
        assertEquals(40, p.length());
        assertEquals(118, p.capacity(), "capacity counts from the new offset");
        pool.trimTail(p, 15);
        assertEquals(start + 10, p.offset());
        assertEquals(25, p.length());
        pool.trimHead(p, 25);
        assertEquals(0, p.length());
        pool.trimTail(p, 0);
        assertThrows(IllegalArgumentException.class, () -> pool.length(p, 119),
                "after trimHead the window cannot grow into the next slot");
        pool.free(p);
        assertBalanced(pool);
    }

    @Test
    void shouldPlaceSharedBufferPacketsAtDistinctOffsetsOfOneBuffer() {
        PacketPool pool = PacketPool.builder().packets(16).small(4, 128).large(2, 1024).sharedBuffer(true).build();
        List<Packet> ps = new ArrayList<>();
        Set<Integer> offsets = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Packet p = pool.alloc(128);
            ps.add(p);
            assertSame(ps.get(0).buffer(), p.buffer(), "one buffer per class");
            assertTrue(offsets.add(p.offset()));
            assertEquals(0, p.offset() % 128);
            pool.length(p, 128);
            for (int k = 0; k < 128; k++) {
                p.buffer().put(p.offset() + k, (byte) i);
            }
        }
        assertEquals(512, ps.get(0).buffer().capacity());
        // Writing one packet's whole window never touches another's.
        for (int i = 0; i < 4; i++) {
            Packet p = ps.get(i);
            for (int k = 0; k < 128; k++) {
                assertEquals(i, p.buffer().get(p.offset() + k));
            }
        }
        Packet l1 = pool.alloc(1000);
        Packet l2 = pool.alloc(1000);
        assertSame(l1.buffer(), l2.buffer());
        assertNotSame(ps.get(0).buffer(), l1.buffer());
        assertEquals(1024, Math.abs(l1.offset() - l2.offset()));
        ps.forEach(pool::free);
        pool.free(l1);
        pool.free(l2);
        assertBalanced(pool);
    }

    @Test
    void shouldUseOneBufferPerSlotWithoutSharing() {
        PacketPool pool = PacketPool.builder().packets(16).small(4, 128).large(2, 1024).sharedBuffer(false).build();
        Packet a = pool.alloc(128);
        Packet b = pool.alloc(128);
        Packet l = pool.alloc(1024);
        assertNotSame(a.buffer(), b.buffer());
        assertEquals(0, a.offset());
        assertEquals(0, b.offset());
        assertEquals(128, a.buffer().capacity());
        assertEquals(1024, l.buffer().capacity());
        assertEquals(0, l.offset());
        assertEquals(128, a.capacity());
        pool.free(a);
        pool.free(b);
        pool.free(l);
        assertBalanced(pool);
    }

    @Test
    void shouldAllocateDirectBuffers() {
        PacketPool direct = PacketPool.builder().packets(4).small(2, 128).large(1, 1024).direct(true).build();
        PacketPool heap = PacketPool.builder().packets(4).small(2, 128).large(1, 1024).build();
        Packet d = direct.alloc(60);
        Packet h = heap.alloc(60);
        assertTrue(d.buffer().isDirect());
        assertFalse(h.buffer().isDirect());
        assertTrue(direct.alloc(600).buffer().isDirect());
        // The wire helpers work the same on both (absolute big-endian access).
        for (Packet p : new Packet[] {d, h}) {
            Bytes.u16(p.buffer(), p.offset(), 0x1234);
            Bytes.i32(p.buffer(), p.offset() + 3, 0xcafebabe);
        }
        assertEquals(0x1234, Bytes.u16(d.buffer(), d.offset()));
        assertEquals(0xcafebabe, Bytes.i32(d.buffer(), d.offset() + 3));
        assertEquals(Checksum.compute(h.buffer(), h.offset(), 7), Checksum.compute(d.buffer(), d.offset(), 7));
        heap.free(h);
        assertBalanced(heap);
    }

    @Test
    void shouldSetBufferOrderWithoutAffectingWireAccess() {
        PacketPool le = PacketPool.builder().packets(4).small(2, 128).large(1, 1024).order(ByteOrder.LITTLE_ENDIAN)
                .build();
        Packet p = le.alloc(10);
        Packet l = le.alloc(500);
        assertEquals(ByteOrder.LITTLE_ENDIAN, p.buffer().order());
        assertEquals(ByteOrder.LITTLE_ENDIAN, l.buffer().order());
        Bytes.u16(p.buffer(), p.offset(), 0x0800);
        assertEquals(0x08, p.buffer().get(p.offset()), "network order whatever the buffer's order");
        assertEquals(0x0800, Bytes.u16(p.buffer(), p.offset()));
        Packet c = le.clone(p);
        assertEquals(ByteOrder.LITTLE_ENDIAN, c.buffer().order());
        le.free(p);
        le.free(c);
        le.free(l);
        assertBalanced(le);

        PacketPool direct = PacketPool.builder().packets(4).small(2, 128).large(0, 128).direct(true)
                .order(ByteOrder.LITTLE_ENDIAN).sharedBuffer(false).build();
        Packet q = direct.alloc(8);
        assertTrue(q.buffer().isDirect());
        assertEquals(ByteOrder.LITTLE_ENDIAN, q.buffer().order());
        direct.free(q);
        assertBalanced(direct);
    }

    @Test
    void shouldLeaveHeadroomInFrontOfEveryPacket() {
        PacketPool pool = PacketPool.builder().packets(8).small(2, 128).large(1, 1024).headroom(32).build();
        Packet a = pool.alloc(96);
        assertEquals(32, a.offset() % 128, "data starts after the headroom of its slot");
        assertEquals(96, a.capacity());
        Packet b = pool.alloc(96);
        assertNotEquals(a.offset(), b.offset());
        assertEquals(32, b.offset() % 128);
        pool.free(b);
        Packet big = pool.alloc(97);
        assertNotNull(big, "97 bytes + 32 headroom need a large slot");
        assertEquals(1024 - 32, big.capacity());
        assertNull(pool.alloc(1024 - 31), "headroom counts against the large class too");
        pool.free(a);
        pool.free(big);
        assertBalanced(pool);

        PacketPool unshared = PacketPool.builder().packets(8).small(2, 128).large(0, 128).headroom(16)
                .sharedBuffer(false).build();
        Packet u = unshared.alloc(10);
        assertEquals(16, u.offset());
        unshared.free(u);
        assertBalanced(unshared);
    }

    @Test
    void shouldResetMetadataOnReuse() {
        PacketPool pool = PacketPool.builder().packets(1).small(2, 128).large(0, 128).build();
        Packet p = pool.alloc(10);
        p.txOffload(5, 14, 34, 1000);
        p.rxChecksum(3);
        pool.free(p);
        Packet q = pool.alloc(10);
        assertSame(p, q, "the only descriptor is recycled");
        assertEquals(0, q.txOffloads());
        assertEquals(0, q.l3Offset());
        assertEquals(0, q.l4Offset());
        assertEquals(0, q.segmentSize());
        assertEquals(0, q.rxChecksum());
        assertEquals(0, q.length());
        assertNull(q.next());
        pool.free(q);
        assertBalanced(pool);
    }

    @Test
    void shouldRejectInvalidSizes() {
        assertThrows(IllegalArgumentException.class, () -> PacketPool.builder().packets(0).build());
        assertThrows(IllegalArgumentException.class, () -> PacketPool.builder().small(4, 32).build());
        assertThrows(IllegalArgumentException.class, () -> PacketPool.builder().small(4, 2048).large(1, 1024).build());
        assertThrows(IllegalArgumentException.class, () -> PacketPool.builder().headroom(2048).build());
        PacketPool std = PacketPool.standard();
        assertEquals(2048, std.smallSlotSize());
        assertNotNull(std.alloc(65536));
        assertNull(std.alloc(65536 + 257));
    }
}
