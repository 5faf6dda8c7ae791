package io.celeriac.state;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RevokedTable} against a {@link LinkedHashMap} doing the same, and bulk loads against adds one by one. */
class RevokedTableTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
    private static final long NOW = CLOCK.millis() * 1000;

    private static String uuid(Random r) {
        return new UUID(r.nextLong(), r.nextLong()).toString();
    }

    private static long[] parts(String id) {
        return TaskIdKeys.isUuid(id) ? new long[] {TaskIdKeys.msb(id), TaskIdKeys.lsb(id)} : new long[2];
    }

    private static String str(String id) {
        return TaskIdKeys.isUuid(id) ? null : id;
    }

    private static int find(RevokedTable t, String id) {
        long[] p = parts(id);
        return t.find(p[0], p[1], str(id));
    }

    private static void assertSame(RevokedTable t, LinkedHashMap<String, Long> model, List<String> pool) {
        assertThat(t.size()).isEqualTo(model.size());
        List<String> ids = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int s = t.first(); s >= 0; s = t.next(s)) {
            ids.add(t.id(s));
            times.add(t.micros(s));
        }
        assertThat(ids).containsExactlyElementsOf(model.keySet());
        assertThat(times).containsExactlyElementsOf(model.values());
        RevokedEntries e = t.toEntries();
        assertThat(e.keySet()).containsExactlyElementsOf(model.keySet());
        for (String id : pool) {
            int slot = find(t, id);
            Long expected = model.get(id);
            if (expected == null) {
                assertThat(slot).as(id).isEqualTo(-1);
            } else {
                assertThat(slot).as(id).isNotNegative();
                assertThat(t.micros(slot)).as(id).isEqualTo(expected);
            }
        }
    }

    @Test
    void behavesAsAnInsertionOrderedMapThroughAddsRemovalsCompactionsAndSorts() {
        Random r = new Random(42);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pool.add(i % 3 == 0 ? "task-" + i : uuid(r));
        }
        pool.add("3F2504E0-4F89-11D3-9A0C-0305E82C3301"); // upper case: kept as a string, not a UUID
        pool.add("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        RevokedTable t = new RevokedTable(4);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String id = pool.get(r.nextInt(pool.size()));
            long[] p = parts(id);
            int op = r.nextInt(100);
            if (op < 60) { // add or refresh
                long ts = r.nextInt(1000);
                int slot = t.find(p[0], p[1], str(id));
                if (slot >= 0) {
                    t.remove(slot);
                }
                t.append(p[0], p[1], str(id), ts);
                model.remove(id);
                model.put(id, ts);
            } else if (op < 75) { // bulk-load path: kept when present
                long ts = r.nextInt(1000);
                int slot = t.appendIfAbsent(p[0], p[1], str(id), ts);
                if (slot >= 0) {
                    assertThat(t.micros(slot)).isEqualTo(model.get(id));
                } else {
                    assertThat(model.put(id, ts)).isNull();
                }
            } else if (op < 85) { // discard
                int slot = t.find(p[0], p[1], str(id));
                assertThat(slot >= 0).isEqualTo(model.remove(id) != null);
                if (slot >= 0) {
                    t.remove(slot);
                }
            } else if (op < 97) { // purge the oldest
                if (!model.isEmpty()) {
                    Iterator<String> it = model.keySet().iterator();
                    it.next();
                    it.remove();
                    t.remove(t.first());
                } else {
                    assertThat(t.first()).isEqualTo(-1);
                }
            } else if (op < 99) { // sort by time, stable
                List<Map.Entry<String, Long>> entries = new ArrayList<>(model.entrySet());
                entries.sort(Map.Entry.comparingByValue());
                model.clear();
                entries.forEach(e -> model.put(e.getKey(), e.getValue()));
                long newest = t.sortByMicros();
                assertThat(newest).isEqualTo(entries.isEmpty() ? Long.MIN_VALUE : entries.get(entries.size() - 1).getValue());
            } else {
                t.clear();
                model.clear();
            }
            if (step % 97 == 0) {
                assertSame(t, model, pool);
            }
        }
        assertSame(t, model, pool);
    }

    @Test
    void stringIdsWithEqualHashCodesAreKeptApart() {
        // "Aa" and "BB" have the same String.hashCode, so do all 2^10 strings made of 10 such pairs
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            StringBuilder b = new StringBuilder();
            for (int bit = 0; bit < 10; bit++) {
                b.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            ids.add(b.toString());
        }
        assertThat(ids.get(0).hashCode()).isEqualTo(ids.get(1023).hashCode());
        RevokedTable t = new RevokedTable(8);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            t.append(0, 0, ids.get(i), i);
            model.put(ids.get(i), (long) i);
        }
        for (int i = 0; i < ids.size(); i += 3) {
            t.remove(find(t, ids.get(i)));
            model.remove(ids.get(i));
        }
        assertSame(t, model, ids);
    }

    @Test
    void aBulkRestoreEqualsAddingTheEntriesOneByOne() {
        Random r = new Random(7);
        int n = 6_000; // beyond maxlen: the oldest are evicted
        String[] ids = new String[n];
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i % 50 == 0 ? "celery-task-" + i : uuid(r);
            micros[i] = NOW - 3_600_000_000L + i * 1000L - (i % 7 == 0 ? 500_000_000L : 0); // partly out of order
        }
        micros[5] = NOW - 20_000_000_000L; // expired: purged by both
        RevokedEntries entries = RevokedEntries.ofDistinct(ids, micros);

        RevokedSet bulk = new RevokedSet(5_000, Duration.ofHours(3), CLOCK);
        bulk.add("present-newer", NOW / 1e6);
        bulk.add(ids[10], (NOW - 1) / 1e6); // newer than the loaded one: kept
        bulk.add(ids[n - 20], (micros[n - 20] - 1) / 1e6); // older than the loaded one: refreshed
        RevokedSet one = new RevokedSet(5_000, Duration.ofHours(3), CLOCK);
        one.add("present-newer", NOW / 1e6);
        one.add(ids[10], (NOW - 1) / 1e6);
        one.add(ids[n - 20], (micros[n - 20] - 1) / 1e6);

        bulk.restore(entries);
        RevokedEntries before = one.asMap();
        for (int i = 0; i < n; i++) {
            Double held = before.get(ids[i]);
            if (held == null || RevokedSet.toMicros(held) < micros[i]) {
                one.add(ids[i], micros[i] / 1e6);
            }
        }
        one.purge();

        RevokedEntries a = bulk.asMap();
        RevokedEntries b = one.asMap();
        assertThat(a.size()).isEqualTo(5_000).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.id(i)).isEqualTo(b.id(i));
            assertThat(a.micros(i)).isEqualTo(b.micros(i));
        }
        assertThat(a.get(ids[10])).isEqualTo((NOW - 1) / 1e6);
        assertThat(a.get(ids[n - 20])).isEqualTo(micros[n - 20] / 1e6);
        assertThat(bulk.contains(ids[n - 2])).isTrue();
        assertThat(bulk.contains(ids[5])).isFalse();
        assertThat(bulk.contains("celery-task-" + (n - 100))).isTrue();
        assertThat(bulk.discard(ids[n - 2])).isTrue();
        assertThat(bulk.contains(ids[n - 2])).isFalse();
        assertThat(bulk.size()).isEqualTo(4_999);
    }

    @Test
    void entriesExposeUuidIdsAsTheirHalvesAndKeepOtherIdsAsStrings() {
        String upper = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
        String lower = upper.toLowerCase(java.util.Locale.ROOT);
        RevokedEntries e = RevokedEntries.of(new String[] {lower, upper, "task-1"}, new long[] {1, 2, 3});
        UUID u = UUID.fromString(lower);
        assertThat(e.isUuid(0)).isTrue();
        assertThat(e.msb(0)).isEqualTo(u.getMostSignificantBits());
        assertThat(e.lsb(0)).isEqualTo(u.getLeastSignificantBits());
        assertThat(e.uuid(0)).isEqualTo(u);
        assertThat(e.isUuid(1)).isFalse();
        assertThat(e.uuid(1)).isNull();
        assertThat(e.isUuid(2)).isFalse();
        assertThat(e.keySet()).containsExactly(lower, upper, "task-1");
        assertThat(e.get(upper)).isEqualTo(2e-6);
        RevokedEntries built = RevokedEntries.builder(1).addUuid(u.getMostSignificantBits(), u.getLeastSignificantBits(), 1)
                .add(upper, 2).add("task-1", 3).buildDistinct();
        assertThat(built).isEqualTo(e);
        assertThat(built.id(0)).isEqualTo(lower);
    }
}
