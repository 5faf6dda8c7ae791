package io.celeriac.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadTest {

    @Test
    void inFlightKeepsAtMostItsPermitsOutstandingAndAwaitsTheLastOnes() throws Exception {
        ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger outstanding = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicInteger completed = new AtomicInteger();
            double rate = Load.inFlight(8, 0.3, n -> {
                most.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                CompletableFuture<Void> f = new CompletableFuture<>();
                completer.schedule(() -> {
                    outstanding.decrementAndGet();
                    completed.incrementAndGet();
                    f.complete(null);
                }, 1, TimeUnit.MILLISECONDS);
                return f;
            });
            assertThat(most.get()).isBetween(2, 8);
            assertThat(outstanding.get()).isZero(); // every call completed before it returned
            assertThat(rate).isPositive();
            assertThat(completed.get()).isPositive();
        } finally {
            completer.shutdownNow();
        }
    }

    @Test
    void inFlightReportsAFailedCall() {
        assertThatThrownBy(() -> Load.inFlight(4, 0.2,
                n -> n == 3 ? CompletableFuture.failedFuture(new IllegalStateException("boom")) : CompletableFuture.completedFuture(null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("boom");
    }

    @Test
    void redisBenchmarkSummariesAreReadPastItsProgressLines() {
        String out = "SET: rps=81234.0 (overall: 80000.0) avg_msec=0.2\rSET: 79872.20 requests per second, p50=0.191 msec\n"
                + "GET: rps=9000.0 (overall: 9000.0)\rGET: 85397.09 requests per second, p50=0.175 msec\n";
        assertThat(Yardsticks.setGetRates(out)).containsExactly(79872.20, 85397.09);
        assertThatThrownBy(() -> Yardsticks.setGetRates("SET: 1.0 requests per second\n"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void redisBenchmarkRequestsFollowTheExpectedRate() {
        assertThat(Yardsticks.requestsFor(100_000, 1.5, 16)).isEqualTo(150_000);
        assertThat(Yardsticks.requestsFor(10, 1, 1)).isEqualTo(5_000);
        assertThat(Yardsticks.requestsFor(10, 1, 64)).isEqualTo(6_400);
        assertThat(Yardsticks.requestsFor(1e9, 30, 1)).isEqualTo(10_000_000);
    }

    @Test
    void seriesNameTheirThreadCount() {
        Harness.Series s = new Harness.Series("redis-benchmark -c %d -P 16", "SET", "GET", 2, 3);
        s.putAll(1, new double[][] {{1, 2}, {3, 4}});
        assertThat(s.name(64)).isEqualTo("redis-benchmark -c 64 -P 16");
        assertThat(s.values[0][1][1]).isEqualTo(3);
        assertThat(s.values[1][0][1]).isEqualTo(2);
        assertThat(Harness.ratios(new double[] {2, 9}, new double[] {4, 3}).median()).isEqualTo(1.75);
    }
}
