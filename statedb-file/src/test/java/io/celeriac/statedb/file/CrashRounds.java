package io.celeriac.statedb.file;

import io.celeriac.testing.ChildJvm;
import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rounds of the crash test: a child JVM revokes ids on two threads and acknowledges each on its standard
 * output once {@code add} returned; the test SIGKILLs it after a random number of acknowledgements (while it
 * keeps revoking, journaling and syncing); then a new store on the same file must hold every acknowledged
 * id and a clock above every acknowledged clock value. Every round reuses the file, so each also recovers
 * what the rounds before it left.
 */
final class CrashRounds {
    private CrashRounds() {
    }

    /** Runs the rounds; returns the number of acknowledged ids checked in total. */
    static int run(Path file, int rounds, long seed) throws Exception {
        Random random = new Random(seed);
        Celeriac celeriac = Celeriac.discover();
        int checked = 0;
        Map<String, Long> everAcked = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            int target = 20 + random.nextInt(400);
            Map<String, Long> acked = new LinkedHashMap<>();
            long highestClock;
            try (ChildJvm child = ChildJvm.start(StateChild.class, "crash", file.toString(), "2")) {
                child.awaitLine(l -> l.startsWith("READY"), Tck.timeout(Duration.ofSeconds(60)));
                await().atMost(Tck.timeout(Duration.ofSeconds(60))).pollInterval(Duration.ofMillis(2))
                        .until(() -> child.lines().size() > target);
                child.kill();
                highestClock = Long.MIN_VALUE;
                for (String line : child.lines()) {
                    if (line.startsWith("READY ")) {
                        highestClock = Math.max(highestClock, Long.parseLong(line.substring(6)));
                    } else if (line.startsWith("ACK ")) {
                        String[] parts = line.split(" ");
                        assertThat(parts).as("an acknowledgement line: %s", line).hasSize(3);
                        long clock = Long.parseLong(parts[2]);
                        acked.put(parts[1], clock);
                        highestClock = Math.max(highestClock, clock);
                    }
                }
                assertThat(acked).as("round %d (seed %d): acknowledgements before the kill", round, seed).isNotEmpty();
            }
            everAcked.putAll(acked);

            WorkerState w = WorkerState.withCeleryDefaults();
            try (StateStore s = celeriac.openStateStore(file.toString(), StateStoreOptions.defaults())) {
                s.merge(w);
                List<String> missing = acked.keySet().stream().filter(id -> !w.revoked().contains(id)).toList();
                assertThat(missing).as("round %d (seed %d): acknowledged ids lost after SIGKILL (of %d)", round, seed, acked.size())
                        .isEmpty();
                List<String> missingEver = everAcked.keySet().stream().filter(id -> !w.revoked().contains(id)).toList();
                assertThat(missingEver).as("round %d (seed %d): ids acknowledged in earlier rounds", round, seed).isEmpty();
                assertThat(w.clock().value()).as("round %d (seed %d): the clock after merge", round, seed)
                        .isGreaterThan(highestClock);
            }
            checked += acked.size();
        }
        return checked;
    }
}
