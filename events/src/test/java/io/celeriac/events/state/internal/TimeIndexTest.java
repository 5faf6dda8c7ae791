package io.celeriac.events.state.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunked time index against a flat list managed exactly as Celery manages its heap (append when later
 * than the last entry, else {@code bisect.insort}; drop index 0 when full).
 */
class TimeIndexTest {

    private record Entry(long clock, double stamp, String origin, TaskNode node) {
    }

    /** Celery's algorithm on a Python-like list. */
    private static void celeryAdd(List<Entry> heap, int max, Entry x) {
        int n = heap.size();
        if (n + 1 > max) {
            heap.remove(0);
        }
        if (n > 0 && !heap.isEmpty()) { // (Celery's bound is at least 4, so its heap never empties here)
            Entry last = heap.get(heap.size() - 1);
            if (TimeIndex.less(last.clock, last.stamp, last.origin, x.clock, x.stamp, x.origin)) {
                heap.add(x);
                return;
            }
        }
        int lo = 0;
        int hi = heap.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Entry m = heap.get(mid);
            if (TimeIndex.less(x.clock, x.stamp, x.origin, m.clock, m.stamp, m.origin)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        heap.add(lo, x);
    }

    private static List<TaskNode> newestFirst(TimeIndex index) {
        List<TaskNode> out = new ArrayList<>();
        index.forEachNewestFirst(t -> {
            out.add(t);
            return true;
        });
        return out;
    }

    @Test
    void matchesCeleryOrderUnderRandomInsertsAndEviction() {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            int max = 1 + rnd.nextInt(seed % 3 == 0 ? 50 : 2000);
            TimeIndex index = new TimeIndex(max);
            List<Entry> heap = new ArrayList<>();
            long[] clocks = new long[6];
            int ops = 200 + rnd.nextInt(6000);
            for (int i = 0; i < ops; i++) {
                int origin = rnd.nextInt(clocks.length);
                // senders' clocks drift apart; some events are delivered late with old clocks
                long clock = rnd.nextInt(10) == 0 ? clocks[origin] - rnd.nextInt(500)
                        : (clocks[origin] += 1 + rnd.nextInt(origin + 1));
                clock = Math.max(1, clock);
                Entry e = new Entry(clock, 1000 + i * 0.001, "host" + origin + ".1" + origin, new TaskNode("t" + i));
                index.add(e.clock, e.stamp, e.origin, e.node);
                celeryAdd(heap, max, e);
                assertThat(index.size()).isEqualTo(heap.size());
            }
            List<TaskNode> expected = new ArrayList<>();
            for (int i = heap.size() - 1; i >= 0; i--) {
                expected.add(heap.get(i).node);
            }
            assertThat(newestFirst(index)).as("seed %d, max %d", seed, max).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void equalEntriesKeepArrivalOrderAndTheOldestIsDroppedFirst() {
        TimeIndex index = new TimeIndex(3);
        TaskNode a = new TaskNode("a");
        TaskNode b = new TaskNode("b");
        TaskNode c = new TaskNode("c");
        TaskNode d = new TaskNode("d");
        index.add(5, 1.0, "w.1", a);
        index.add(5, 1.0, "w.1", b); // equal: after a
        index.add(4, 2.0, "w.1", c); // older clock: first
        assertThat(newestFirst(index)).containsExactly(b, a, c);
        index.add(6, 0.5, "w.1", d); // full: c, the oldest, goes
        assertThat(newestFirst(index)).containsExactly(d, b, a);
    }

    @Test
    void visitingStopsWhenTheVisitorSaysSo() {
        TimeIndex index = new TimeIndex(1000);
        for (int i = 1; i <= 500; i++) {
            index.add(i, i, "w.1", new TaskNode("t" + i));
        }
        List<String> seen = new ArrayList<>();
        index.forEachNewestFirst(t -> {
            seen.add(t.uuid());
            return seen.size() < 3;
        });
        assertThat(seen).containsExactly("t500", "t499", "t498");
        index.clear();
        assertThat(index.size()).isZero();
        assertThat(newestFirst(index)).isEmpty();
    }

    @Test
    void zeroClocksCompareByTimestamp() {
        TimeIndex index = new TimeIndex(10);
        TaskNode early = new TaskNode("early");
        TaskNode late = new TaskNode("late");
        index.add(0, 20.0, "w.1", late);
        index.add(0, 10.0, "w.1", early);
        assertThat(newestFirst(index)).containsExactly(late, early);
        assertThat(TimeIndex.less(0, 1.0, "b", 7, 2.0, "a")).isTrue();
        assertThat(TimeIndex.less(7, 1.0, "a", 7, 0.0, "b")).as("equal clocks: origin decides").isTrue();
    }
}
