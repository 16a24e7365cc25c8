package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.StackConfig;
import io.jiip.api.TcpEvents;
import io.jiip.api.TcpState;
import io.jiip.iface.NetInterface;
import io.jiip.link.MemoryLink;
import io.jiip.link.Packet;
import io.jiip.link.PacketPool;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The batch warm-up: when it runs, that it loads every line of the hot fields, and that any input is harmless. */
class BatchWarmerTest {

    @Test
    void shouldWarmOnlyBatchesOfSeveralFramesFromTheThreshold() {
        assertFalse(BatchWarmer.pays(64, BatchWarmer.MIN_CONNECTIONS - 1));
        assertTrue(BatchWarmer.pays(64, BatchWarmer.MIN_CONNECTIONS));
        assertTrue(BatchWarmer.pays(2, 10_000));
        assertFalse(BatchWarmer.pays(1, 10_000), "a single frame has no misses to overlap");
        assertFalse(BatchWarmer.pays(0, 10_000));
    }

    /**
     * Every cache line that holds a hot field must hold a field that {@code touchHotLines} reads, wherever the object
     * starts (8-byte aligned, so a line can begin at any multiple of 8 into it). The fields read are found by changing
     * each hot field and seeing whether the sum changes; their offsets come from {@code sun.misc.Unsafe}, which the
     * test skips without. A field added to {@link TcpConnectionHotFields} or {@link CongestionWindow} that pushes
     * others into a line not read fails here.
     */
    @Test
    void shouldReadEveryCacheLineOfTheHotFields() throws ReflectiveOperationException {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = TcpConnectionHotFields.class; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    fields.add(f);
                }
            }
        }
        assertTrue(fields.size() > 70, fields.size() + " hot fields: the class walk went wrong");
        List<Field> read = new ArrayList<>();
        for (Field f : fields) {
            TcpConnection<Object> c = TcpConnection.<Object>table(1)[0];
            long before = c.touchHotLines();
            f.set(c, another(f.getType(), f.get(c)));
            if (c.touchHotLines() != before) {
                read.add(f);
            }
        }
        assertTrue(read.size() >= 5, "touchHotLines reads " + read);
        Map<Field, Long> offsets = offsets(fields);
        for (int phase = 0; phase < LINE; phase += 8) {
            Set<Long> linesRead = new HashSet<>();
            for (Field f : read) {
                linesRead.add((offsets.get(f) + phase) / LINE);
            }
            for (Field f : fields) {
                assertTrue(linesRead.contains((offsets.get(f) + phase) / LINE), () -> f.getName() + " (offset "
                        + offsets.get(f) + ") is in a cache line that touchHotLines does not read: read a field of it");
            }
        }
    }

    private static final int LINE = 64;

    private static Map<Field, Long> offsets(List<Field> fields) {
        Map<Field, Long> offsets = new HashMap<>();
        try {
            Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Method offset = unsafe.getClass().getMethod("objectFieldOffset", Field.class);
            for (Field f : fields) {
                offsets.put(f, (Long) offset.invoke(unsafe, f));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Assumptions.abort("no field offsets on this JVM: " + e);
        }
        return offsets;
    }

    private static Object another(Class<?> type, Object value) {
        if (type == int.class) {
            return (int) value + 1;
        } else if (type == long.class) {
            return (long) value + 1;
        } else if (type == boolean.class) {
            return !(boolean) value;
        } else if (type == TcpState.class) {
            return value == TcpState.ESTABLISHED ? TcpState.CLOSED : TcpState.ESTABLISHED;
        } else if (type == TcpEvents.class) {
            return value == null ? new TcpEvents<Object>() { } : null;
        } else if (type == CongestionControl.class || type == Object.class) {
            return value == null ? new Object() : null;
        }
        throw new AssertionError("a hot field of a type the test does not know: " + type);
    }

    /** Random bytes and truncated headers name any slot or none: the warm-up reads only what it may, and no more. */
    @Test
    void shouldReadGarbageHarmlessly() {
        PacketPool pool = PacketPool.standard();
        StackConfig config = StackConfig.builder().mac("02:00:00:00:00:01").ipv4("10.0.0.1", 24).build();
        NetInterface<Packet> nif = new NetInterface<>(null, config, pool,
                new MemoryLink(() -> 0L).attach(pool, 0, 64), () -> 0L, null);
        BatchWarmer<Packet> warmer = new BatchWarmer<>(nif);
        Random random = new Random(14);
        Packet[] frames = new Packet[100];
        for (int i = 0; i < frames.length; i++) {
            byte[] bytes = new byte[1 + random.nextInt(120)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length > 34) {
                bytes[12] = 0x08; // IPv4 over Ethernet, TCP, no IP options: the flow key is read
                bytes[13] = 0x00;
                bytes[14] = 0x45;
                bytes[23] = 6;
            }
            frames[i] = pool.alloc(bytes.length);
            pool.buffer(frames[i]).put(pool.offset(frames[i]), bytes);
            pool.length(frames[i], bytes.length);
        }
        assertEquals(BatchWarmer.BATCH, warmer.warmBatch(frames, 0, frames.length));
        assertEquals(frames.length, warmer.warmBatch(frames, BatchWarmer.BATCH, frames.length));
        assertEquals(0, nif.tcp.connectionCount());
        for (Packet p : frames) {
            pool.free(p);
        }
    }
}
