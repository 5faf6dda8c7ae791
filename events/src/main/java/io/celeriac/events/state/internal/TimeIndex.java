package io.celeriac.events.state.internal;

import java.util.Arrays;

/**
 * Celery's task heap ({@code State._taskheap}): one entry per task event, kept sorted by kombu's
 * {@code timetuple} order and bounded. Entries compare by Lamport clock when both clocks are non-zero
 * (equal clocks by origin text), otherwise by timestamp. A new entry is appended when it is later than the
 * last one and otherwise inserted after its equals ({@code bisect.insort}); when full, the first (oldest)
 * entry is dropped before inserting, as Celery does.
 *
 * <p>Stored as a growable ring of parallel primitive arrays, so that appending and dropping the oldest are
 * O(1) and allocation-free; an out-of-order insert moves only the entries on the shorter side. Not
 * thread-safe: the owning state guards it.
 */
public final class TimeIndex {

    private static final int INITIAL_CAPACITY = 256;

    private final int max;
    private long[] clocks;
    private double[] stamps;
    private String[] origins;
    private TaskNode[] nodes;
    private int head;
    private int size;

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
        allocate(Math.min(max, INITIAL_CAPACITY));
    }

    private void allocate(int capacity) {
        clocks = new long[capacity];
        stamps = new double[capacity];
        origins = new String[capacity];
        nodes = new TaskNode[capacity];
        head = 0;
        size = 0;
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

    /**
     * kombu's {@code timetuple.__lt__}.
     */
    static boolean less(long c1, double t1, String o1, long c2, double t2, String o2) {
        if (c1 != 0 && c2 != 0) {
            if (c1 == c2) {
                return o1.compareTo(o2) < 0;
            }
            return c1 < c2;
        }
        return t1 < t2;
    }

    private int phys(int i) {
        int p = head + i;
        int cap = clocks.length;
        return p >= cap ? p - cap : p;
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
        if (size == clocks.length) {
            grow();
        }
        if (size > 0) {
            int last = phys(size - 1);
            if (less(clocks[last], stamps[last], origins[last], clock, timestamp, origin)) {
                put(phys(size), clock, timestamp, origin, node);
                size++;
                return;
            }
        }
        // bisect.insort (bisect_right): after every entry the new one is not less than
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int p = phys(mid);
            if (less(clock, timestamp, origin, clocks[p], stamps[p], origins[p])) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        insertAt(lo, clock, timestamp, origin, node);
    }

    private void put(int p, long clock, double timestamp, String origin, TaskNode node) {
        clocks[p] = clock;
        stamps[p] = timestamp;
        origins[p] = origin;
        nodes[p] = node;
    }

    private void copy(int from, int to) {
        clocks[to] = clocks[from];
        stamps[to] = stamps[from];
        origins[to] = origins[from];
        nodes[to] = nodes[from];
    }

    private void insertAt(int index, long clock, double timestamp, String origin, TaskNode node) {
        int cap = clocks.length;
        if (index < size - index) {
            // shift the entries before it one place towards the front
            head = head == 0 ? cap - 1 : head - 1;
            for (int i = 0; i < index; i++) {
                copy(phys(i + 1), phys(i));
            }
        } else {
            for (int i = size; i > index; i--) {
                copy(phys(i - 1), phys(i));
            }
        }
        put(phys(index), clock, timestamp, origin, node);
        size++;
    }

    private void removeFirst() {
        origins[head] = null;
        nodes[head] = null;
        head = phys(1);
        size--;
    }

    private void grow() {
        int cap = clocks.length;
        int newCap = (int) Math.min(max, Math.max(cap * 2L, INITIAL_CAPACITY));
        long[] c = new long[newCap];
        double[] s = new double[newCap];
        String[] o = new String[newCap];
        TaskNode[] n = new TaskNode[newCap];
        for (int i = 0; i < size; i++) {
            int p = phys(i);
            c[i] = clocks[p];
            s[i] = stamps[p];
            o[i] = origins[p];
            n[i] = nodes[p];
        }
        clocks = c;
        stamps = s;
        origins = o;
        nodes = n;
        head = 0;
    }

    /**
     * The task of the entry at {@code i} from the newest: 0 is the newest entry.
     *
     * @param i the position from the newest, below {@link #size()}
     * @return the task node (possibly evicted since)
     */
    public TaskNode fromNewest(int i) {
        return nodes[phys(size - 1 - i)];
    }

    /** Drops every entry and shrinks back. */
    public void clear() {
        Arrays.fill(origins, null);
        Arrays.fill(nodes, null);
        allocate(Math.min(max, INITIAL_CAPACITY));
    }
}
