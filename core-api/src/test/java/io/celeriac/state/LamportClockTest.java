package io.celeriac.state;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LamportClockTest {

    @Test
    void forwardAndAdjustAreKombus() {
        LamportClock c = new LamportClock(7);
        assertThat(c.adjust(0)).isEqualTo(8);
        assertThat(c.forward()).isEqualTo(9);
        assertThat(c.adjust(20)).isEqualTo(21);
        assertThat(c.adjust(3)).isEqualTo(22);
    }

    @Test
    void theValueStopsAtTheLargestLongInsteadOfWrapping() {
        LamportClock c = new LamportClock();
        assertThat(c.adjust(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(c.forward()).isEqualTo(Long.MAX_VALUE);
        assertThat(new LamportClock(Long.MAX_VALUE - 1).forward()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theGuardIsCalledOnlyWhenAStepPassesTheCeiling() {
        LamportClock c = new LamportClock();
        List<Long> asked = new ArrayList<>();
        Registration r = c.attachGuard(v -> {
            asked.add(v);
            return v + 100;
        }, 0);
        for (int i = 0; i < 250; i++) {
            c.forward();
        }
        assertThat(asked).containsExactly(1L, 102L, 203L);
        assertThat(c.adjust(1000)).isEqualTo(1001);
        assertThat(asked).endsWith(1001L);
        r.close();
        r.close();
        assertThat(c.isGuarded()).isFalse();
        c.adjust(5000);
        assertThat(asked).hasSize(4);
    }

    @Test
    void aFailingGuardFailsTheStepAndIsAskedAgainNextTime() {
        LamportClock c = new LamportClock();
        AtomicInteger calls = new AtomicInteger();
        c.attachGuard(v -> {
            if (calls.incrementAndGet() == 1) {
                throw new UnableToSaveStateException("/x", "disk full", null);
            }
            return v + 10;
        }, 0);
        assertThatThrownBy(c::forward).isInstanceOf(UnableToSaveStateException.class);
        assertThat(c.value()).as("the step is taken in memory").isEqualTo(1);
        assertThat(c.forward()).isEqualTo(2);
        assertThat(calls).hasValue(2);
    }

    @Test
    void oneGuardAtATimeAndItMustCoverTheStep() {
        LamportClock c = new LamportClock();
        Registration r = c.attachGuard(v -> v, 0);
        assertThatThrownBy(() -> c.attachGuard(v -> v, 0)).isInstanceOf(IllegalStateException.class);
        r.close();
        c.attachGuard(v -> v - 1, 0);
        assertThatThrownBy(c::forward).isInstanceOf(IllegalStateException.class).hasMessageContaining("below");
    }

    @Test
    void everyValueHandedOutUnderConcurrencyIsCovered() throws Exception {
        LamportClock c = new LamportClock();
        AtomicLong durable = new AtomicLong();
        c.attachGuard(v -> {
            long ceiling = v + 50;
            durable.set(ceiling);
            return ceiling;
        }, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        long v = i % 5 == 0 ? c.adjust(c.value() + 7) : c.forward();
                        if (v > durable.get()) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : fs) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("a value above the durable ceiling was handed out").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
