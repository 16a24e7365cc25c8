package io.jiip.ip;

import static io.jiip.api.Counter.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiip.api.Counter;
import io.jiip.api.Result;
import io.jiip.api.StackConfig;
import io.jiip.testkit.Accounting;
import io.jiip.testkit.Frames;
import io.jiip.testkit.TestNet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IPv4 reassembly through the whole stack: hand-cut fragments from A are injected into B, whose UDP port
 * {@value #PORT} records what is delivered. Time is TestNet's virtual clock. After every test the receive counters
 * balance and every packet is back in its pool.
 */
class ReassemblyTest {
    private static final int PORT = 7;
    private static final byte[] PAYLOAD = Frames.pattern(3000);
    /** Fragment payload on a 1500-byte MTU. A 3000-byte UDP payload (3008 IP payload bytes) makes 3 fragments. */
    private static final int PIECE = 1480;

    private TestNet net;
    private TestNet.Node b;
    private final List<byte[]> delivered = new ArrayList<>();

    private void start(Consumer<StackConfig.Builder> limits) {
        net = TestNet.twoNodes(limits, 0);
        b = net.b();
        assertEquals(Result.OK, b.stack.udpBind(PORT, (stack, packet, srcIp, srcPort, dstIp, dstPort, off, len) -> {
            byte[] data = new byte[len];
            packet.buffer().get(off, data);
            delivered.add(data);
        }));
    }

    private void start() {
        start(c -> { });
    }

    @AfterEach
    void countersBalanceAndNothingLeaked() {
        net.pump();
        Accounting.assertEveryFrameAccounted(b.stack.stats());
        Accounting.assertEveryFrameAccounted(net.a().stack.stats());
        net.assertNoLeaks();
    }

    private static Frames.Ip datagram(int id) {
        return Frames.udp(1000, PORT, PAYLOAD).id(id);
    }

    private void inject(byte[] frame) {
        Frames.inject(b, frame);
    }

    private void injectAll(List<byte[]> frames) {
        frames.forEach(this::inject);
    }

    private long timeout() {
        return b.stack.config().reassemblyTimeoutNanos();
    }

    private long count(Counter c) {
        return b.stack.stats().get(c);
    }

    private void assertDeliveredOnce(byte[] payload) {
        assertEquals(1, delivered.size(), "datagrams delivered");
        assertArrayEquals(payload, delivered.get(0));
    }

    /** Nothing of the datagram is held any more: every fragment went back to the pool. */
    private void assertNothingHeld() {
        assertEquals(0, b.pool.inUse(), "packets held by reassembly");
    }

    // ---- complete datagrams ----

    enum Order { IN_ORDER, REVERSED, SHUFFLED }

    static Stream<Arguments> orders() {
        return Stream.of(Order.values()).flatMap(o -> Stream.of(Arguments.of(o, PIECE), Arguments.of(o, 8)));
    }

    @ParameterizedTest(name = "{0}, {1}-byte fragments")
    @MethodSource("orders")
    void shouldReassembleUdpDatagramWhateverTheOrder(Order order, int piece) {
        start(c -> c.reassemblyFragments((PAYLOAD.length + 8) / 8));
        List<byte[]> fragments = new ArrayList<>(datagram(1).fragments(piece));
        if (order == Order.REVERSED) {
            Collections.reverse(fragments);
        } else if (order == Order.SHUFFLED) {
            Collections.shuffle(fragments, new Random(42));
        }
        injectAll(fragments.subList(0, fragments.size() - 1));
        assertEquals(List.of(), delivered, "delivered before the last fragment");
        inject(fragments.get(fragments.size() - 1));

        assertDeliveredOnce(PAYLOAD);
        assertEquals(fragments.size(), count(REASM_FRAGMENTS_RX));
        assertEquals(1, count(REASM_OK));
        assertEquals(0, b.stack.stats().totalDrops());
        assertNothingHeld();
    }

    @Test
    void shouldAcceptLastFragmentOfAnyLength() {
        start();
        byte[] odd = Frames.pattern(2999);
        injectAll(Frames.udp(1000, PORT, odd).fragments(PIECE)); // last fragment: 47 bytes
        assertDeliveredOnce(odd);
    }

    @Test
    void shouldAnswerFragmentedEchoRequestWithFullDataWhenTheReplyFitsThePath() {
        start(c -> c.mtu(9000));
        injectAll(Frames.echoRequest(0x99, 5, PAYLOAD).id(9).fragments(PIECE));
        net.pump();

        TestNet.RecordingEvents a = net.a().events;
        assertEquals(1, a.echoReplies.size());
        assertArrayEquals(new int[] {Frames.B_IP, 0x99, 5, PAYLOAD.length}, a.echoReplies.get(0));
        assertArrayEquals(PAYLOAD, a.echoData.get(0));
    }

    @Test
    void shouldNotAnswerAnEchoRequestWhoseReplyExceedsThePathMtu() {
        start(); // MTU 1500: we never fragment what we send
        injectAll(Frames.echoRequest(0x99, 5, PAYLOAD).id(9).fragments(PIECE));
        net.pump();
        assertEquals(1, count(REASM_OK));
        assertEquals(1, count(ICMP_ECHO_TOO_BIG));
        assertEquals(0, net.a().events.echoReplies.size());
    }

    @Test
    void shouldReassembleTheLargestLegalDatagram() {
        start(c -> c.mtu(65535));
        byte[] data = new byte[65535 - 20 - 8];
        injectAll(Frames.echoRequest(1, 1, data).fragments(PIECE));
        net.pump();
        assertEquals(1, count(REASM_OK));
        assertEquals(1, net.a().events.echoData.size());
        assertArrayEquals(data, net.a().events.echoData.get(0));
    }

    // ---- duplicates, overlaps, conflicts ----

    @Test
    void shouldDropExactDuplicateAloneAndStillComplete() {
        start();
        List<byte[]> f = datagram(1).fragments(PIECE);
        injectAll(List.of(f.get(0), f.get(0), f.get(2), f.get(2), f.get(1)));

        assertEquals(2, count(DROP_REASM_DUPLICATE));
        assertEquals(2, b.stack.stats().totalDrops());
        assertDeliveredOnce(PAYLOAD);
    }

    @Test
    void shouldDropWholeDatagramOnOverlapThenAcceptRetransmission() {
        start();
        Frames.Ip d = datagram(1);
        inject(d.fragment(0, PIECE, true));
        inject(d.fragment(2960, 48, false));
        assertEquals(2, b.pool.inUse());
        inject(d.fragment(1000, PIECE, true)); // same bytes, but overlapping: RFC 5722 drops the datagram

        assertEquals(1, count(DROP_REASM_OVERLAP));
        assertEquals(List.of(), delivered);
        assertNothingHeld();

        injectAll(d.fragments(PIECE));
        assertDeliveredOnce(PAYLOAD);
    }

    static Stream<Arguments> conflictingEnds() {
        Frames.Ip d = datagram(1);
        return Stream.of(
                Arguments.of("two last fragments with different ends",
                        List.of(d.fragment(0, PIECE, true), d.fragment(2960, 48, false), d.fragment(3008, 8, false))),
                Arguments.of("data beyond the known end",
                        List.of(d.fragment(2960, 48, false), d.fragment(3008, 8, true))),
                Arguments.of("last fragment ending before data already held",
                        List.of(d.fragment(PIECE, PIECE, true), d.fragment(8, 8, false))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conflictingEnds")
    void shouldDropDatagramWithConflictingEnds(String name, List<byte[]> fragments) {
        start();
        injectAll(fragments);
        assertEquals(1, count(DROP_REASM_OVERLAP));
        assertEquals(List.of(), delivered);
        assertNothingHeld();

        injectAll(datagram(1).fragments(PIECE));
        assertDeliveredOnce(PAYLOAD);
    }

    @Test
    void shouldDropMoreFragmentsWhoseLengthIsNotAMultipleOf8() {
        start();
        Frames.Ip d = datagram(1);
        inject(d.fragment(0, 1001, true));
        inject(d.fragment(0, 0, true));
        assertEquals(2, count(DROP_REASM_BAD_FRAGMENT));
        assertNothingHeld();
    }

    // ---- ping of death ----

    @Test
    void shouldDropFragmentsBeyond65535AndNeverAnswerThePingOfDeath() {
        start();
        List<byte[]> fragments = Frames.echoRequest(1, 1, new byte[65600]).fragments(PIECE);
        injectAll(fragments); // the last fragment ends at 65608 + 20 header bytes

        assertEquals(1, count(DROP_REASM_TOO_BIG));
        assertEquals(0, count(REASM_OK));
        assertEquals(fragments.size() - 1, b.pool.inUse());
        net.advance(timeout());
        assertEquals(1, count(DROP_REASM_TIMEOUT));
        assertEquals(0, count(ICMP_ECHO_REPLIES_TX));
        assertNothingHeld();
    }

    @Test
    void shouldNotLetOptionsOfTheFirstFragmentPushTheDatagramBeyond65535() {
        start();
        // Every fragment fits in 65535 with its own 20-byte header, but the first one carries 40 bytes of options,
        // and its header is the reassembled datagram's: 60 + 65515 bytes.
        Frames.Ip d = Frames.echoRequest(1, 1, new byte[65535 - 20 - 8]);
        List<byte[]> fragments = new ArrayList<>(d.fragments(PIECE));
        fragments.set(0, d.copy().options(new int[40]).fragment(0, PIECE, true));
        injectAll(fragments);

        assertEquals(1, count(DROP_REASM_TOO_BIG));
        assertEquals(0, count(REASM_OK));
        assertEquals(0, count(IP_DELIVERED));
        assertNothingHeld();
    }

    // ---- time ----

    @Test
    void shouldFreeIncompleteDatagramAfterTimeout() {
        start();
        List<byte[]> f = datagram(1).fragments(PIECE);
        long start = net.clock.nanoTime();
        long deadline = Frames.inject(b, f.get(0));
        assertTrue(deadline > start && deadline <= start + timeout(), "run asks to be called by the timeout");

        net.advance(timeout() - 1);
        assertEquals(0, count(DROP_REASM_TIMEOUT));
        assertEquals(1, b.pool.inUse());
        net.advance(1);
        assertEquals(1, count(DROP_REASM_TIMEOUT));
        assertNothingHeld();
        assertEquals(Long.MAX_VALUE, b.nextDeadline);

        injectAll(f.subList(1, 3)); // too late: they start a new datagram that never completes
        assertEquals(List.of(), delivered);
        net.advance(timeout());
        assertEquals(2, count(DROP_REASM_TIMEOUT));
    }

    // ---- limits ----

    @Test
    void shouldDropFragmentsOfDatagramsBeyondTheSlotLimit() {
        start(c -> c.reassemblyDatagrams(2));
        List<byte[]> d1 = datagram(1).fragments(PIECE);
        List<byte[]> d2 = datagram(2).fragments(PIECE);
        List<byte[]> d3 = datagram(3).fragments(PIECE);
        injectAll(List.of(d1.get(0), d2.get(0), d3.get(0)));
        assertEquals(1, count(DROP_REASM_NO_SLOT));

        injectAll(d1.subList(1, 3)); // completes and frees a slot
        injectAll(d3);
        injectAll(d2.subList(1, 3));
        assertEquals(3, delivered.size());
        assertEquals(1, b.stack.stats().totalDrops());
    }

    @Test
    void shouldDropDatagramWithTooManyFragments() {
        start(c -> c.reassemblyFragments(4));
        List<byte[]> six = datagram(1).fragments(512);
        injectAll(six.subList(0, 4));
        assertEquals(4, b.pool.inUse());
        inject(six.get(4));
        assertEquals(1, count(DROP_REASM_TOO_MANY_FRAGMENTS));
        assertEquals(List.of(), delivered);
        assertNothingHeld();

        injectAll(datagram(2).fragments(760)); // exactly 4 fragments
        assertDeliveredOnce(PAYLOAD);
    }

    @Test
    void shouldKeepHeldFragmentsWithinTheMemoryBudget() {
        List<byte[]> d1 = datagram(1).fragments(PIECE);
        List<byte[]> d2 = datagram(2).fragments(PIECE);
        int oneDatagram = d1.stream().mapToInt(f -> f.length).sum();
        start(c -> c.reassemblyMemory(oneDatagram));

        injectAll(d1.subList(0, 2));
        inject(d2.get(0)); // would exceed the budget
        assertEquals(1, count(DROP_REASM_MEMORY));
        inject(d1.get(2)); // fits exactly; completing d1 gives its memory back
        injectAll(d2);

        assertEquals(2, delivered.size());
        assertEquals(1, b.stack.stats().totalDrops());
    }

    @Test
    void shouldLeaveNothingBehindAfterAStormOfNeverCompletingFragments() {
        start();
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            int offset = random.nextInt(300) * 8;
            int length = 8 * (1 + random.nextInt(100));
            inject(datagram(random.nextInt(64)).fragment(offset, length, true)); // MF always: never a last one
        }
        assertEquals(2000, count(REASM_FRAGMENTS_RX));
        assertEquals(0, count(REASM_OK));
        assertTrue(count(DROP_REASM_NO_SLOT) > 0);
        assertTrue(b.pool.inUse() > 0);

        net.advance(timeout());
        assertTrue(count(DROP_REASM_TIMEOUT) > 0);
        assertNothingHeld();

        injectAll(datagram(1).fragments(PIECE));
        assertDeliveredOnce(PAYLOAD);
    }
}
