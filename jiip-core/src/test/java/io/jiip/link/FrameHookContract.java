package io.jiip.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What each {@link FrameHook} action means, as its Javadoc says, checked against one way of carrying frames that
 * consults a hook: a subclass supplies the {@link Wire}. Expectations are taken from what the same wire delivers
 * for {@link FrameHook#PASS}, so a wire may rewrite frames (complete checksums, cut segments) as it always does.
 */
abstract class FrameHookContract {
    /** Frames from one sender, through the hook, to one receiver. */
    interface Wire {
        /** Sends the test's frame number {@code n} (different numbers, different frames). */
        void send(int n);

        /** What the receiver got since the last call, in order (the packets freed). */
        List<byte[]> received();

        /** Asserts that every packet went back to its pool. */
        void assertNoLeaks();
    }

    /** A new wire whose frames pass {@code hook}. */
    abstract Wire wire(FrameHook hook);

    /** A hook answering {@code actions} to the first frames, in order, then PASS; it records the sending ports. */
    static final class Script implements FrameHook {
        final int[] actions;
        final List<Integer> from = new ArrayList<>();
        int next;
        int corruptBit;
        int corruptAskedFor = -1;

        Script(int... actions) {
            this.actions = actions;
        }

        @Override
        public int onFrame(int from, ByteBuffer buf, int off, int len) {
            this.from.add(from);
            return next < actions.length ? actions[next++] : PASS;
        }

        @Override
        public int corruptBit(int len) {
            corruptAskedFor = len;
            return corruptBit;
        }
    }

    /** Frame {@code n} as the wire delivers it when the hook passes it. */
    private byte[] passed(int n) {
        Wire wire = wire(new Script());
        wire.send(n);
        List<byte[]> got = wire.received();
        assertEquals(1, got.size(), "PASS delivers the frame once");
        wire.assertNoLeaks();
        return got.get(0);
    }

    private static void assertFrames(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frames delivered");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }

    @Test
    void shouldAskTheHookOnceForEveryFrameWithItsSendersPort() {
        Script hook = new Script();
        Wire wire = wire(hook);
        wire.send(1);
        wire.send(2);
        assertFrames(List.of(passed(1), passed(2)), wire.received());
        assertEquals(List.of(0, 0), hook.from, "port 0 sent both");
        wire.assertNoLeaks();
    }

    @Test
    void shouldDeliverNothingOfADroppedFrameAndTheNextFrameAsUsual() {
        Wire wire = wire(new Script(FrameHook.DROP));
        wire.send(1);
        wire.send(2);
        assertFrames(List.of(passed(2)), wire.received());
        wire.assertNoLeaks();
    }

    @Test
    void shouldDeliverADuplicatedFrameTwice() {
        Wire wire = wire(new Script(FrameHook.DUPLICATE));
        wire.send(1);
        wire.send(2);
        assertFrames(List.of(passed(1), passed(1), passed(2)), wire.received());
        wire.assertNoLeaks();
    }

    @Test
    void shouldDeliverAReorderedFrameAheadOfTheOneQueuedBeforeIt() {
        Wire wire = wire(new Script(FrameHook.PASS, FrameHook.REORDER, FrameHook.PASS));
        wire.send(1);
        wire.send(2);
        wire.send(3);
        assertFrames(List.of(passed(2), passed(1), passed(3)), wire.received());
        wire.assertNoLeaks();
    }

    @Test
    void shouldFlipTheOneBitTheHookChoosesOfACorruptedFrame() {
        byte[] clean = passed(1);
        Script hook = new Script(FrameHook.CORRUPT);
        hook.corruptBit = 8 * 20 + 3;
        Wire wire = wire(hook);
        wire.send(1);
        wire.send(2);
        List<byte[]> got = wire.received();
        assertEquals(clean.length, hook.corruptAskedFor, "corruptBit is asked with the frame's length");
        byte[] expected = clean.clone();
        expected[20] ^= 1 << 3;
        assertFrames(List.of(expected, passed(2)), got);
        wire.assertNoLeaks();
    }
}
