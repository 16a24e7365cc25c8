package io.jiip.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MinimalIntegrationTest {
    @Test
    void shouldRunTheReadmeExample() {
        assertEquals("hello", MinimalIntegration.run());
    }
}
