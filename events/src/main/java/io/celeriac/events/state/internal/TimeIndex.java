package io.celeriac.events.state.internal;

import java.util.function.Predicate;

/**
 * Celery's task heap ({@code State._taskheap}): one entry per task event, kept sorted by kombu's
 * {@code timetuple} order and bounded. Entries compare by Lamport clock when both clocks are non-zero
 * (equal clocks by origin text), otherwise by timestamp. A new entry is appended when it is later than the
 * last one and otherwise inserted after its equals ({@code bisect.insort}); when full, the first (oldest)
 * entry is dropped before inserting, as Celery does.
 *
 * <p>Celery keeps a Python list and pays a memmove of up to the whole list for every event that is not the
 * latest, which is most of them once several senders' Lamport clocks drift apart. This index is a sorted
 * list of chunks of at most {@value #CHUNK} entries (a primitive and a reference array): an insert costs two binary
 * searches and a shift within one chunk, appending and dropping the oldest are O(1), and nothing is
 * allocated but a chunk now and then. The order is the same as Celery's whenever clocks are non-zero (a
 * receiver always sets them); with zero clocks the order falls back to timestamps as Celery's does, but
 * kombu's comparison is then not transitive and ties may land differently. Not thread-safe: the owning
 * state guards it.
 */
public final class TimeIndex {

    static final int CHUNK = 128;

    /**
     * Up to {@value #CHUNK} entries, in two arrays: {@code keys} holds each entry's clock and the raw bits of
     * its timestamp, {@code refs} its origin and task, side by side, so one entry is two adjacent pairs.
     */
    private static final class Chunk {
        final long[] keys = new long[CHUNK * 2];
        final Object[] refs = new Object[CHUNK * 2];
        int start;
        int end;

        int size() {
            return end - start;
        }

        long clock(int i) {
            return keys[i << 1];
        }

        double stamp(int i) {
            return Double.longBitsToDouble(keys[(i << 1) + 1]);
        }

        String origin(int i) {
            return (String) refs[i << 1];
        }

        TaskNode node(int i) {
            return (TaskNode) refs[(i << 1) + 1];
        }

        void put(int p, long clock, double stamp, String origin, TaskNode node) {
            int k = p << 1;
            keys[k] = clock;
            keys[k + 1] = Double.doubleToRawLongBits(stamp);
            refs[k] = origin;
            refs[k + 1] = node;
        }

        /** Moves entries [from, to) by {@code delta} places. */
        void shift(int from, int to, int delta) {
            int n = to - from;
            if (n > 0) {
                System.arraycopy(keys, from << 1, keys, (from + delta) << 1, n << 1);
                System.arraycopy(refs, from << 1, refs, (from + delta) << 1, n << 1);
            }
        }

        void clearRefs(int from, int to) {
            java.util.Arrays.fill(refs, from << 1, to << 1, null);
        }

        /** Copies entries [from, from + n) of {@code src} to position {@code to}. */
        void copyFrom(Chunk src, int from, int to, int n) {
            System.arraycopy(src.keys, from << 1, keys, to << 1, n << 1);
            System.arraycopy(src.refs, from << 1, refs, to << 1, n << 1);
        }
    }

    private final int max;
    private Chunk[] chunks = new Chunk[8];
    private int chunkCount;
    private int size;
    /** The chunk the last out-of-order entry went to. */
    private int finger;

    /**
     * Creates an empty index.
     *
     * @param max the most entries kept (Celery: 4 × {@code max_tasks_in_memory})
     */
    public TimeIndex(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive");
        }
        this.max = max;
    }

    /**
     * How many entries are kept.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * The most entries kept.
     *
     * @return the bound
     */
    public int max() {
        return max;
    }

    /** kombu's {@code timetuple.__lt__}. */
    static boolean less(long c1, double t1, String o1, long c2, double t2, String o2) {
        if (c1 != 0 && c2 != 0) {
            if (c1 == c2) {
                return o1.compareTo(o2) < 0;
            }
            return c1 < c2;
        }
        return t1 < t2;
    }

    /**
     * Adds one event's entry.
     *
     * @param clock the event's clock (0 when it had none)
     * @param timestamp the event's timestamp
     * @param origin the client hostname for {@code task-sent}, else the worker's id {@code hostname.pid}
     * @param node the task
     */
    public void add(long clock, double timestamp, String origin, TaskNode node) {
        if (size + 1 > max) {
            removeFirst();
        }
        if (chunkCount == 0) {
            Chunk c = newChunkAt(0);
            c.put(0, clock, timestamp, origin, node);
            c.end = 1;
            size = 1;
            return;
        }
        Chunk last = chunks[chunkCount - 1];
        int li = last.end - 1;
        if (less(last.clock(li), last.stamp(li), last.origin(li), clock, timestamp, origin)) {
            append(clock, timestamp, origin, node);
            return;
        }
        if (!less(clock, timestamp, origin, last.clock(li), last.stamp(li), last.origin(li))) {
            append(clock, timestamp, origin, node); // equal to the last entry: it goes after it
            return;
        }
        // bisect.insort (bisect_right): the first chunk whose last entry is greater than the new one ...
        // Inserts cluster: most go to the chunk the previous one went to, or next to it.
        int lo;
        int f = finger;
        if (f < chunkCount && isFirstGreater(f, clock, timestamp, origin)) {
            lo = f;
        } else if (f > 0 && f - 1 < chunkCount && isFirstGreater(f - 1, clock, timestamp, origin)) {
            lo = f - 1;
            finger = lo;
        } else if (f + 1 < chunkCount && isFirstGreater(f + 1, clock, timestamp, origin)) {
            lo = f + 1;
            finger = lo;
        } else {
            lo = locate(clock, timestamp, origin);
            finger = lo;
        }
        // ... and in it, the first entry greater than the new one
        int ci = lo;
        Chunk c = chunks[ci];
        int a = c.start;
        int b = c.end;
        long[] keys = c.keys;
        while (a < b) {
            int mid = (a + b) >>> 1;
            long other = keys[mid << 1];
            boolean less;
            if (clock != 0 && other != 0 && clock != other) {
                less = clock < other; // the usual case: decided by the clocks alone
            } else {
                less = less(clock, timestamp, origin, other, c.stamp(mid), c.origin(mid));
            }
            if (less) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        if (a == c.start && ci > 0) {
            // between the previous chunk's last entry and this chunk's first: where Celery's clock rules put
            // most worker events (just before the task-sent entries, which carry the receiver's faster clock),
            // so keep it O(1): append to the previous chunk, or start a chunk between the two
            Chunk prev = chunks[ci - 1];
            if (prev.end < CHUNK) {
                prev.put(prev.end++, clock, timestamp, origin, node);
                size++;
                return;
            }
            if (c.start == 0 && c.end == CHUNK) {
                Chunk between = newChunkAt(ci);
                between.put(0, clock, timestamp, origin, node);
                between.end = 1;
                size++;
                return;
            }
        }
        insert(ci, a, clock, timestamp, origin, node);
    }

    /** Whether chunk {@code i} is the first whose last entry is greater than the given one. */
    private boolean isFirstGreater(int i, long clock, double timestamp, String origin) {
        Chunk c = chunks[i];
        int e = c.end - 1;
        if (!less(clock, timestamp, origin, c.clock(e), c.stamp(e), c.origin(e))) {
            return false;
        }
        if (i == 0) {
            return true;
        }
        Chunk p = chunks[i - 1];
        int pe = p.end - 1;
        return !less(clock, timestamp, origin, p.clock(pe), p.stamp(pe), p.origin(pe));
    }

    /**
     * The first chunk whose last entry is greater than the given one, which the last chunk's is: late
     * entries nearly always belong near the end, in chunks that are in the CPU cache, so gallop back from
     * the last chunk to bracket it, then bisect within the bracket.
     */
    private int locate(long clock, double timestamp, String origin) {
        int hi = chunkCount - 1;
        int lo = hi;
        int step = 1;
        while (true) {
            int probe = hi - step;
            if (probe < 0) {
                lo = 0;
                break;
            }
            Chunk c = chunks[probe];
            int e = c.end - 1;
            if (less(clock, timestamp, origin, c.clock(e), c.stamp(e), c.origin(e))) {
                hi = probe;
                step <<= 1;
            } else {
                lo = probe + 1;
                break;
            }
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Chunk c = chunks[mid];
            int e = c.end - 1;
            if (less(clock, timestamp, origin, c.clock(e), c.stamp(e), c.origin(e))) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private void append(long clock, double timestamp, String origin, TaskNode node) {
        Chunk c = chunks[chunkCount - 1];
        if (c.end == CHUNK) {
            if (c.start > CHUNK / 4) {
                compact(c);
            } else {
                c = newChunkAt(chunkCount);
            }
        }
        c.put(c.end++, clock, timestamp, origin, node);
        size++;
    }

    private static void compact(Chunk c) {
        int n = c.size();
        c.shift(c.start, c.end, -c.start);
        c.clearRefs(n, c.end);
        c.start = 0;
        c.end = n;
    }

    /** Inserts at array position {@code p} of chunk {@code ci} (before the entry now there). */
    private void insert(int ci, int p, long clock, double timestamp, String origin, TaskNode node) {
        Chunk c = chunks[ci];
        if (c.end < CHUNK) {
            c.shift(p, c.end, 1);
            c.end++;
            c.put(p, clock, timestamp, origin, node);
        } else if (c.start > 0) {
            c.shift(c.start, p, -1);
            c.start--;
            c.put(p - 1, clock, timestamp, origin, node);
        } else {
            // full: move the upper half to a new chunk after this one, then insert into the right half
            int half = CHUNK / 2;
            Chunk upper = newChunkAt(ci + 1);
            upper.copyFrom(c, half, 0, CHUNK - half);
            upper.end = CHUNK - half;
            c.clearRefs(half, CHUNK);
            c.end = half;
            if (p <= half) {
                c.shift(p, c.end, 1);
                c.end++;
                c.put(p, clock, timestamp, origin, node);
            } else {
                int q = p - half;
                upper.shift(q, upper.end, 1);
                upper.end++;
                upper.put(q, clock, timestamp, origin, node);
            }
        }
        size++;
    }

    private Chunk newChunkAt(int index) {
        if (chunkCount == chunks.length) {
            Chunk[] bigger = new Chunk[chunks.length * 2];
            System.arraycopy(chunks, 0, bigger, 0, chunkCount);
            chunks = bigger;
        }
        System.arraycopy(chunks, index, chunks, index + 1, chunkCount - index);
        if (index <= finger && index < chunkCount) {
            finger++;
        }
        Chunk c = new Chunk();
        chunks[index] = c;
        chunkCount++;
        return c;
    }

    private void removeFirst() {
        Chunk c = chunks[0];
        c.refs[c.start << 1] = null;
        c.refs[(c.start << 1) + 1] = null;
        c.start++;
        size--;
        if (c.start == c.end) {
            System.arraycopy(chunks, 1, chunks, 0, chunkCount - 1);
            chunks[--chunkCount] = null;
            if (finger > 0) {
                finger--;
            }
        }
    }

    /**
     * Visits the tasks of the entries from the newest to the oldest, until the visitor returns
     * {@code false}. A task appears once per event entry, and entries may name evicted tasks.
     *
     * @param visitor receives each entry's task; returns whether to go on
     */
    public void forEachNewestFirst(Predicate<TaskNode> visitor) {
        for (int ci = chunkCount - 1; ci >= 0; ci--) {
            Chunk c = chunks[ci];
            for (int i = c.end - 1; i >= c.start; i--) {
                if (!visitor.test(c.node(i))) {
                    return;
                }
            }
        }
    }

    /** Drops every entry. */
    public void clear() {
        chunks = new Chunk[8];
        chunkCount = 0;
        size = 0;
        finger = 0;
    }
}
