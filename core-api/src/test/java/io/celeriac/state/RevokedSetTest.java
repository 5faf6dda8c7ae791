package io.celeriac.state;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RevokedSetTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-21T12:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void evictsTheOldestBeyondMaxlenAndRefreshesOnReAdd() {
        RevokedSet s = new RevokedSet(3, Duration.ofHours(3), clock);
        for (String id : List.of("a", "b", "c")) {
            s.add(id);
            now.set(now.get().plusSeconds(1));
        }
        s.add("a"); // refresh a: now the newest
        now.set(now.get().plusSeconds(1));
        s.add("d"); // over maxlen: the oldest (b) goes
        assertThat(s.asMap().keySet()).containsExactly("c", "a", "d");
        assertThat(s.contains("b")).isFalse();
    }

    @Test
    void expiresOnPurgeAndContainsIgnoresExpiredIds() {
        RevokedSet s = new RevokedSet(0, Duration.ofSeconds(10), clock);
        s.add("old");
        now.set(now.get().plusSeconds(5));
        s.add("new");
        now.set(now.get().plusSeconds(6));
        assertThat(s.contains("old")).isFalse();
        assertThat(s.contains("new")).isTrue();
        assertThat(s.size()).isEqualTo(2);
        s.purge();
        assertThat(s.asMap().keySet()).containsExactly("new");
    }

    @Test
    void mergingOlderEntriesKeepsTimeOrder() {
        RevokedSet s = new RevokedSet(2, Duration.ZERO, clock);
        double t = s.now();
        s.add("x", t);
        Map<String, Double> stored = new LinkedHashMap<>();
        stored.put("y", t - 100);
        stored.put("z", t - 50);
        s.update(stored);
        assertThat(s.asMap().keySet()).containsExactly("z", "x");
    }

    @Test
    void listenersHearEveryAdd() throws Exception {
        RevokedSet s = new RevokedSet(10, Duration.ofHours(1), clock);
        List<String> heard = new ArrayList<>();
        try (AutoCloseable handle = s.addListener((id, ts) -> heard.add(id))) {
            s.add("a");
            s.add("b");
        }
        s.add("c");
        assertThat(heard).containsExactly("a", "b");
    }

    @Test
    void environmentOverridesAsCelery53() {
        RevokedSet s = RevokedSet.withCeleryDefaults(Map.of("CELERY_WORKER_REVOKES_MAX", "7", "CELERY_WORKER_REVOKE_EXPIRES", "1.5"), clock);
        assertThat(s.maxlen()).isEqualTo(7);
        assertThat(s.expires()).isEqualTo(Duration.ofMillis(1500));
        RevokedSet d = RevokedSet.withCeleryDefaults(Map.of(), clock);
        assertThat(d.maxlen()).isEqualTo(50_000);
        assertThat(d.expires()).isEqualTo(Duration.ofSeconds(10_800));
        assertThatThrownBy(() -> RevokedSet.withCeleryDefaults(Map.of("CELERY_WORKER_REVOKES_MAX", "lots"), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CELERY_WORKER_REVOKES_MAX");
    }

    @Test
    void lamportClockForwardsAndAdjusts() {
        LamportClock c = new LamportClock();
        assertThat(c.forward()).isEqualTo(1);
        assertThat(c.adjust(7)).isEqualTo(8);
        assertThat(c.adjust(3)).isEqualTo(9);
        assertThat(c.value()).isEqualTo(9);
    }
}
