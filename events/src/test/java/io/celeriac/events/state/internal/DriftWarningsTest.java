package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The drift warning: only beyond the limit, once per worker, with a bounded memory. */
class DriftWarningsTest {

    private static final double T0 = 1_795_263_400.0;

    @Test
    void warnsBeyondTheLimitOncePerWorker() {
        DriftWarnings warnings = new DriftWarnings();
        assertThat(warnings.check("a", -1, T0, T0)).isFalse();
        assertThat(warnings.check("a", DriftWarnings.HEARTBEAT_DRIFT_MAX, T0 + 16, T0)).isFalse();
        assertThat(warnings.check("a", DriftWarnings.HEARTBEAT_DRIFT_MAX + 1, T0 + 17, T0)).isTrue();
        assertThat(warnings.check("a", 100, T0 + 100, T0)).isFalse();
        assertThat(warnings.check("b", 100, T0 + 100, T0)).isTrue();
    }

    @Test
    void theMemoryIsBounded() {
        DriftWarnings warnings = new DriftWarnings();
        for (int i = 0; i < DriftWarnings.MAX_WARNED; i++) {
            assertThat(warnings.check("w" + i, 100, T0 + 100, T0)).isTrue();
        }
        assertThat(warnings.check("w0", 100, T0 + 100, T0)).as("forgotten once the memory was full").isTrue();
        assertThat(warnings.check("w1", 100, T0 + 100, T0)).isTrue();
        assertThat(warnings.check("w1", 100, T0 + 100, T0)).isFalse();
    }
}
