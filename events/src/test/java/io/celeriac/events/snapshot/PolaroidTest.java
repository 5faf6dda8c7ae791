package io.celeriac.events.snapshot;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.events.Event;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.tck.MutableClock;
import io.celeriac.tck.Tck;
import io.celeriac.tck.ThreadLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PolaroidTest {

    private static final double T0 = 1_795_263_400.0;

    private final EventState state = new MemoryEventState(EventStateOptions.defaults());

    @AfterEach
    void close() {
        state.close();
    }

    private static Event task(String type, String uuid, double at, long clock) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("hostname", "w1@h");
        f.put("clock", clock);
        f.put("uuid", uuid);
        f.put("name", "proj.add");
        f.put("timestamp", at);
        f.put("type", type);
        f.put("local_received", at);
        return new Event(type, f);
    }

    /** A camera that keeps what it is given. */
    private static final class Film implements Camera {
        final List<EventStateSnapshot> shots = new CopyOnWriteArrayList<>();
        final AtomicInteger cleanups = new AtomicInteger();

        @Override
        public void onShutter(EventStateSnapshot snapshot) {
            shots.add(snapshot);
        }

        @Override
        public void onCleanup() {
            cleanups.incrementAndGet();
        }
    }

    @Test
    void theTimerCapturesEveryFreqAndCancelTakesOneLastSnapshot() {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        Film film = new Film();
        Polaroid polaroid = new Polaroid(state, film, PolaroidOptions.builder().freq(Duration.ofMillis(20))
                .cleanupFreq(Duration.ofMillis(30)).build()).install();
        state.event(task("task-received", "t1", T0, 1));
        await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() -> film.shots.size() >= 3);
        await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() -> film.cleanups.get() >= 2);
        state.event(task("task-succeeded", "t1", T0 + 1, 2));
        state.event(task("task-received", "t2", T0 + 2, 3));
        polaroid.cancel();
        int taken = film.shots.size();
        EventStateSnapshot last = film.shots.get(taken - 1);
        assertThat(last.eventCount()).as("the last snapshot has every event").isEqualTo(3);
        assertThat(last.tasks()).containsOnlyKeys("t1", "t2");
        for (int i = 1; i < taken; i++) {
            assertThat(film.shots.get(i).eventCount()).isGreaterThanOrEqualTo(film.shots.get(i - 1).eventCount());
        }
        assertThat(polaroid.shots()).isEqualTo(taken);
        assertThat(polaroid.cleanups()).isGreaterThanOrEqualTo(2);
        polaroid.cancel();
        assertThat(film.shots).as("cancelling twice takes no second last snapshot").hasSize(taken);
        threads.assertNoNewThreads(Tck.timeout(Duration.ofSeconds(10)), Set.of());
        assertThatThrownBy(polaroid::install).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theRateLimitIsATokenBucketOfOne() {
        MutableClock clock = MutableClock.atEpochSeconds(T0);
        Film film = new Film();
        Polaroid polaroid = new Polaroid(state, film, PolaroidOptions.builder().maxRate("2/m").clock(clock).build());
        assertThat(polaroid.capture()).isTrue();
        assertThat(polaroid.capture()).isFalse();
        clock.advanceSeconds(29.9);
        assertThat(polaroid.capture()).isFalse();
        clock.advanceSeconds(0.1);
        assertThat(polaroid.capture()).as("a token every 30 s").isTrue();
        clock.advanceSeconds(600);
        assertThat(polaroid.capture()).isTrue();
        assertThat(polaroid.capture()).as("the bucket holds one token, however long the wait").isFalse();
        assertThat(polaroid.shots()).isEqualTo(3);
        assertThat(polaroid.skipped()).isEqualTo(3);
        polaroid.cancel();
        assertThat(film.shots).as("the last snapshot ignores the rate limit").hasSize(4);
    }

    @Test
    void clearAfterClearsInTheSameFreezeButNotWhenTheRateLimitSkips() {
        MutableClock clock = MutableClock.atEpochSeconds(T0);
        Film film = new Film();
        Polaroid polaroid = new Polaroid(state, film, PolaroidOptions.builder().clearAfter(true).maxRate("1/s")
                .clock(clock).build());
        state.event(task("task-received", "t1", T0, 1));
        state.event(task("task-succeeded", "t1", T0 + 1, 2));
        state.event(task("task-received", "t2", T0 + 2, 3));
        assertThat(polaroid.capture()).isTrue();
        assertThat(film.shots.get(0).tasks()).containsOnlyKeys("t1", "t2");
        assertThat(state.tasks()).as("finished tasks cleared, unfinished kept").extracting(t -> t.uuid())
                .containsExactly("t2");
        assertThat(state.eventCount()).isZero();
        state.event(task("task-succeeded", "t2", T0 + 3, 4));
        assertThat(polaroid.capture()).isFalse();
        assertThat(state.eventCount()).as("a skipped capture does not clear").isEqualTo(1);
        clock.advanceSeconds(1);
        assertThat(polaroid.capture()).isTrue();
        assertThat(film.shots.get(1).task("t2").orElseThrow().ready()).isTrue();
        assertThat(state.tasks()).isEmpty();
    }

    @Test
    void aFailingCameraIsCountedAndTheTimerGoesOn() {
        AtomicInteger calls = new AtomicInteger();
        Polaroid polaroid = new Polaroid(state, snapshot -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("disk full");
            }
        }, PolaroidOptions.builder().freq(Duration.ofMillis(10)).build()).install();
        try {
            await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() -> polaroid.shots() >= 2);
            assertThat(polaroid.failures()).isEqualTo(1);
        } finally {
            polaroid.close();
        }
    }

    @Test
    void aCameraMayCancelItsOwnPolaroid() {
        Polaroid[] self = new Polaroid[1];
        AtomicInteger calls = new AtomicInteger();
        self[0] = new Polaroid(state, snapshot -> {
            if (calls.incrementAndGet() == 1) {
                self[0].cancel(); // on the timer thread; takes the last snapshot right away
            }
        }, PolaroidOptions.builder().freq(Duration.ofMillis(10)).build());
        ThreadLeaks threads = ThreadLeaks.snapshot();
        self[0].install();
        await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() -> self[0].shots() == 2);
        threads.assertNoNewThreads(Tck.timeout(Duration.ofSeconds(10)), Set.of());
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> PolaroidOptions.builder().freq(Duration.ZERO).cleanupFreq(Duration.ofSeconds(-1))
                .build()).isInstanceOf(InvalidConfigurationException.class)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).problems()).hasSize(2));
        assertThat(PolaroidOptions.defaults().freq()).isEqualTo(Duration.ofSeconds(1));
        assertThat(PolaroidOptions.defaults().cleanupFreq()).isEqualTo(Duration.ofHours(1));
        assertThat(PolaroidOptions.defaults().rateLimit()).isEmpty();
        assertThat(PolaroidOptions.defaults().clearAfter()).isFalse();
        Polaroid p = new Polaroid(state, s -> { }, PolaroidOptions.defaults()).install();
        assertThatThrownBy(p::install).isInstanceOf(IllegalStateException.class);
        p.close();
    }
}
