package io.celeriac.statedb.file;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test, 50 rounds of a child JVM SIGKILLed at a random moment (every acknowledged revoke and clock
 * value must survive), in the default build: it takes about half a minute. It keeps the tag
 * {@code reliability}, so {@code -Dgroups=reliability} runs it alone. The seed is printed in every assertion
 * message; set {@code -Dceleriac.crash.seed=N} to replay one.
 */
@Tag("reliability")
class CrashRecoveryReliabilityTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-crash50-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    @Test
    void fiftySigkilledRoundsLoseNoAcknowledgedRevokeAndNoClockValue() throws Exception {
        long seed = Long.getLong("celeriac.crash.seed", System.nanoTime());
        int checked = CrashRounds.run(dir.resolve("worker.state"), 50, seed);
        assertThat(checked).isGreaterThanOrEqualTo(50 * 20);
    }
}
