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

    @Test
    void timestampsNeverLieInTheFuture() {
        RevokedSet s = new RevokedSet(10, Duration.ofHours(1), clock);
        double now = s.now();
        s.add("explicit", now + 100);
        s.update(Map.of("peer", now + 50));
        s.restore(Map.of("stored", now + 10));
        assertThat(s.asMap()).containsEntry("explicit", now).containsEntry("peer", now).containsEntry("stored", now);
    }

    @Test
    void aWallClockSteppedBackKeepsTheRevokeOrder() {
        RevokedSet s = new RevokedSet(2, Duration.ofHours(1), clock);
        s.add("a");
        double t = s.now();
        now.set(now.get().minusSeconds(60)); // NTP steps the clock back
        s.add("b");
        s.add("c"); // over maxlen: the oldest revoke, a, goes
        assertThat(s.asMap().keySet()).containsExactly("b", "c");
        assertThat(s.asMap().get("c")).isEqualTo(t);
    }

    @Test
    void timestampsHaveMicrosecondPrecisionAndRoundTripExactly() {
        RevokedSet s = new RevokedSet(10, Duration.ZERO, clock);
        s.add("x", 1_763_726_000.123_456_7);
        assertThat(s.asMap().get("x")).isEqualTo(1_763_726_000.123_457);
        now.set(Instant.parse("2026-11-21T12:00:00.000001999Z"));
        s.add("y");
        assertThat(s.asMap().get("y")).isEqualTo(Instant.parse("2026-11-21T12:00:00Z").getEpochSecond() + 0.000_001);
        RevokedSet copy = new RevokedSet(10, Duration.ZERO, clock);
        copy.restore(s.asMap());
        assertThat(copy.asMap()).isEqualTo(s.asMap());
    }

    @Test
    void aListenerFailureReachesTheCallerAndTheIdStaysRevoked() {
        RevokedSet s = new RevokedSet(10, Duration.ofHours(1), clock);
        List<String> second = new ArrayList<>();
        s.addListener((id, ts) -> {
            throw new IllegalStateException("disk full");
        });
        s.addListener((id, ts) -> second.add(id));
        assertThatThrownBy(() -> s.add("a")).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
        assertThat(s.contains("a")).isTrue();
        assertThat(second).as("the other listeners still ran").containsExactly("a");
    }

    @Test
    void listenersHearUpdatesDiscardsAndClearsButNotRestores() {
        RevokedSet s = new RevokedSet(10, Duration.ofHours(1), clock);
        double t = s.now();
        s.add("known", t);
        List<String> heard = new ArrayList<>();
        s.addListener(new RevokedSet.Listener() {
            @Override
            public void added(String id, double timestamp) {
                heard.add("added " + id);
            }

            @Override
            public void addedAll(Map<String, Double> entries) {
                heard.add("addedAll " + entries.keySet());
            }

            @Override
            public void discarded(String id) {
                heard.add("discarded " + id);
            }

            @Override
            public void cleared() {
                heard.add("cleared");
            }
        });
        Map<String, Double> peer = new LinkedHashMap<>();
        peer.put("known", t - 10); // older than what the set holds: not a change
        peer.put("new", t - 5);
        s.update(peer);
        s.restore(Map.of("from-storage", t - 1));
        s.discard("nothing");
        s.discard("new");
        s.clear();
        assertThat(heard).containsExactly("addedAll [new]", "discarded new", "cleared");
    }

    @Test
    void evictionFollowsTimestampsEvenForOutOfOrderAdds() {
        RevokedSet s = new RevokedSet(3, Duration.ofHours(1), clock);
        double t = s.now();
        s.add("newest", t);
        s.add("oldest", t - 30);
        s.add("middle", t - 20);
        s.add("recent", t - 10); // over maxlen: the oldest by time goes, not the first added
        assertThat(s.asMap().keySet()).containsExactly("middle", "recent", "newest");
    }

    @Test
    void asMapIsAnImmutableOrderedCopyWithLookups() {
        RevokedSet s = new RevokedSet(0, Duration.ZERO, clock);
        for (int i = 0; i < 1000; i++) {
            s.add("id-" + i, 1_763_726_000 + i);
        }
        RevokedEntries m = s.asMap();
        s.add("later");
        assertThat(m).hasSize(1000).containsEntry("id-500", 1_763_726_500.0).doesNotContainKey("later");
        assertThat(m.id(0)).isEqualTo("id-0");
        assertThat(m.micros(999)).isEqualTo(1_763_726_999_000_000L);
        assertThatThrownBy(() -> m.put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> RevokedEntries.of(new String[] {"a", "a"}, new long[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThat(RevokedEntries.copyOf(new LinkedHashMap<>(m))).isEqualTo(m);
    }

    @Test
    void environmentProblemsAreReportedTogether() {
        assertThatThrownBy(() -> RevokedSet.withCeleryDefaults(Map.of("CELERY_WORKER_REVOKES_MAX", "-1",
                "CELERY_WORKER_REVOKE_EXPIRES", "soon"), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CELERY_WORKER_REVOKES_MAX").hasMessageContaining("CELERY_WORKER_REVOKE_EXPIRES")
                .hasMessage("CELERY_WORKER_REVOKES_MAX must be an integer from 0 to 2147483647, not '-1'; "
                        + "CELERY_WORKER_REVOKE_EXPIRES must be a number of seconds from 0 to 31536000, not 'soon'");
        assertThat(RevokedSet.withCeleryDefaults(Map.of("CELERY_WORKER_REVOKES_MAX", " ", "CELERY_WORKER_REVOKE_EXPIRES", "1e1"),
                clock).expires()).as("a blank variable is unset").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void orderedListenersSeeChangesInTheOrderTheyTookEffect() throws Exception {
        RevokedSet s = new RevokedSet(0, Duration.ZERO, Clock.systemUTC());
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger secondSteps = new java.util.concurrent.atomic.AtomicInteger();
        s.addOrderedListener(new RevokedSet.OrderedListener() {
            @Override
            public Runnable added(String id, double timestamp) {
                log.add("+" + id);
                return secondSteps::incrementAndGet;
            }

            @Override
            public Runnable addedAll(RevokedEntries entries) {
                entries.keySet().forEach(id -> log.add("+" + id));
                return null;
            }

            @Override
            public Runnable discarded(String id) {
                log.add("-" + id);
                return secondSteps::incrementAndGet;
            }

            @Override
            public Runnable cleared() {
                log.add("0");
                return null;
            }
        });
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int k = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    String id = "id-" + ((i + k) % 3);
                    if ((i + k) % 2 == 0) {
                        s.add(id);
                    } else {
                        s.discard(id);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).isFalse();
        }
        java.util.Set<String> replayed = new java.util.HashSet<>();
        synchronized (log) {
            for (String op : log) {
                if (op.startsWith("+")) {
                    replayed.add(op.substring(1));
                } else if (op.startsWith("-")) {
                    replayed.remove(op.substring(1));
                } else {
                    replayed.clear();
                }
            }
        }
        assertThat(replayed).isEqualTo(s.asMap().keySet());
        assertThat(secondSteps.get()).as("every second step ran").isEqualTo(log.size());
    }
}
