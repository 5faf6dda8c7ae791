package io.celeriac.statedb.file;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test, a few rounds (a child JVM SIGKILLed at a random moment; every acknowledged revoke and
 * clock value must survive). {@code CrashRecoveryReliabilityTest} runs 50 rounds on purpose.
 */
class CrashRecoveryTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-crash-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    @Test
    void aSigkilledWorkerLosesNoAcknowledgedRevokeAndNoClockValue() throws Exception {
        long seed = Long.getLong("celeriac.crash.seed", System.nanoTime());
        int checked = CrashRounds.run(dir.resolve("worker.state"), 3, seed);
        assertThat(checked).isGreaterThanOrEqualTo(3 * 20);
    }
}
