package io.celeriac.benchmarks.micro;

import io.celeriac.state.RevokedSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@link RevokedSet} with Celery's default limits (50,000 ids, 3 hours): adding to a full set (each add
 * evicts the oldest), and purging a full set of which half has expired.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RevokedSetBenchmark {

    private static final int FULL = RevokedSet.DEFAULT_MAXLEN;

    /** A full set and a supply of fresh ids. */
    @State(Scope.Thread)
    public static class Full {
        RevokedSet set;
        String[] ids;
        int next;

        /** Fills the set. */
        @Setup(Level.Trial)
        public void setUp() {
            set = new RevokedSet(FULL, Duration.ofSeconds(10_800), Clock.systemUTC());
            ids = new String[1 << 16];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = UUID.randomUUID().toString();
            }
            for (int i = 0; i < FULL; i++) {
                set.add(ids[i % ids.length] + "-" + i);
            }
        }
    }

    /** A full set, half of it expired, rebuilt before every purge. */
    @State(Scope.Thread)
    public static class HalfExpired {
        RevokedSet set;
        double now;
        private final String[] ids = new String[FULL];

        /** Makes the ids once. */
        @Setup(Level.Trial)
        public void ids() {
            for (int i = 0; i < FULL; i++) {
                ids[i] = UUID.randomUUID().toString();
            }
        }

        /** Fills the set: the first half is four hours old. */
        @Setup(Level.Invocation)
        public void fill() {
            set = new RevokedSet(FULL, Duration.ofSeconds(10_800), Clock.systemUTC());
            now = System.currentTimeMillis() / 1000.0;
            for (int i = 0; i < FULL; i++) {
                set.add(ids[i], i < FULL / 2 ? now - 14_400 + i * 1e-3 : now - 60 + i * 1e-3);
            }
        }
    }

    /**
     * @param s the full set
     * @return the set's size
     */
    @Benchmark
    public int addToFull(Full s) {
        s.set.add(s.ids[s.next++ & (s.ids.length - 1)]);
        return s.set.size();
    }

    /**
     * @param s the half-expired set
     * @return the set's size after the purge
     */
    @Benchmark
    public int purgeHalfExpired(HalfExpired s) {
        s.set.purge(s.now);
        return s.set.size();
    }
}
