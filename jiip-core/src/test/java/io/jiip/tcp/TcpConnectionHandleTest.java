package io.jiip.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Connection handles: {@code generation << INDEX_BITS | index}, never negative (negative results are errors). */
class TcpConnectionHandleTest {

    @Test
    void shouldFillEveryBitBelowTheSignWithTheLargestGenerationAndIndex() {
        int largest = (TcpConnection.GENERATION_MASK << TcpConnection.INDEX_BITS) | TcpConnection.INDEX_MASK;
        assertEquals(Integer.MAX_VALUE, largest);
        assertEquals(0x7ff, TcpConnection.GENERATION_MASK, "11 generation bits beside 20 index bits");
    }

    @Test
    void shouldTakeAHandleApart() {
        int handle = (TcpConnection.GENERATION_MASK << TcpConnection.INDEX_BITS) | 12345;
        assertEquals(TcpConnection.GENERATION_MASK, TcpConnection.generationOf(handle));
        assertEquals(12345, TcpConnection.indexOf(handle));
    }
}
