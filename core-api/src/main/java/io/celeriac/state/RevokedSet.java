package io.celeriac.state;

import io.celeriac.spi.SettingsReader;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A worker's revoked task ids with the semantics of Celery's {@code LimitedSet}: at most {@code maxlen}
 * ids (the oldest evicted first), each kept for {@code expires} after it was last added, re-adding an id
 * refreshes its time, and the set is purged on add and on merge and sync.
 *
 * <p><b>Wall-clock time.</b> Celery stamps entries with {@code time.monotonic()}, seconds since boot that
 * mean nothing after a reboot or on another host. Here a timestamp is wall-clock time in epoch seconds
 * (a {@code double}, as Celery's floats) with microsecond precision, so stored entries expire at the right
 * moment after any restart. Timestamps never lie in the future: a given or stored timestamp later than now
 * is taken as now, and a wall clock stepped backwards makes {@link #add(String)} reuse the newest
 * timestamp until the clock catches up, so ids stay in the order they were revoked.
 *
 * <p><b>Limits.</b> Celery's defaults, 50,000 ids and 10,800 s, overridable by the environment variables
 * {@code CELERY_WORKER_REVOKES_MAX} and {@code CELERY_WORKER_REVOKE_EXPIRES} as Celery 5.3+ reads them
 * ({@link #withCeleryDefaults()}). {@link #contains} never reports an expired id, even before a purge has
 * removed it (Celery's does, until the set fills up or the worker restarts).
 *
 * <p><b>Listeners</b> ({@link #addListener}, {@link #addOrderedListener}) hear every change; a state store
 * uses an ordered one to journal each change, in the order the changes took effect, before the call that
 * made it returns.
 *
 * <p>Thread-safe: the state is guarded by the set's monitor; listeners run on the calling thread outside
 * it. Ids are never null. Adding is O(1); an explicit timestamp older than the newest entry costs one
 * sort at the next purge.
 */
public final class RevokedSet implements Iterable<String> {

    /** Celery's default {@code maxlen} of the revoked set. */
    public static final int DEFAULT_MAXLEN = 50_000;
    /** Celery's default {@code expires} of the revoked set, in seconds. */
    public static final double DEFAULT_EXPIRES_SECONDS = 10_800;
    /** The environment variable Celery 5.3+ reads the maximum number of revoked ids from. */
    public static final String ENV_REVOKES_MAX = "CELERY_WORKER_REVOKES_MAX";
    /** The environment variable Celery 5.3+ reads the expiry of revoked ids (seconds) from. */
    public static final String ENV_REVOKE_EXPIRES = "CELERY_WORKER_REVOKE_EXPIRES";

    private final int maxlen;
    private final long expiresMicros;
    private final Clock clock;
    /**
     * Task ids ({@link TaskIdKeys} parts: a canonical UUID id as its halves, else the string) to wall-clock
     * epoch microseconds, in the order they were added; in ascending time order while {@link #ordered}.
     */
    private RevokedTable data = new RevokedTable(16);
    private boolean ordered = true;
    private long newest = Long.MIN_VALUE;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<OrderedListener> orderedListeners = new CopyOnWriteArrayList<>();

    /**
     * Told about every change of a {@link RevokedSet}, e.g. so that a state store can journal it.
     *
     * <p>Methods run on the thread that changed the set, after the change and outside the set's lock; the
     * change returns only when every listener has returned, so a listener may block until the change is
     * durable. An exception a listener throws reaches the caller of the change (after the other listeners
     * ran); the change itself stays made in memory. Evictions and expiry are not reported: they follow from
     * the limits and the timestamps.
     */
    public interface Listener {
        /**
         * An id was added or re-added (refreshed).
         *
         * @param id the task id
         * @param timestamp its wall-clock epoch seconds
         */
        void added(String id, double timestamp);

        /**
         * Several ids were added by {@link RevokedSet#update(Map)}, as by mingle. The default reports each
         * with {@link #added}.
         *
         * @param entries the ids added or refreshed, to their wall-clock epoch seconds, oldest first
         */
        default void addedAll(Map<String, Double> entries) {
            entries.forEach(this::added);
        }

        /**
         * An id was removed by {@link RevokedSet#discard}. The default does nothing.
         *
         * @param id the task id
         */
        default void discarded(String id) {
        }

        /** Every id was removed by {@link RevokedSet#clear}. The default does nothing. */
        default void cleared() {
        }
    }

    /**
     * Told about every change of a {@link RevokedSet} <em>in the order the changes were made</em>, in two
     * steps, so that a journal records concurrent changes in the order they took effect: the first step runs
     * while the set's lock is held, right after the change (it must not block: e.g. it queues a journal
     * record), and returns the second step, which runs on the same thread after the lock is released and
     * before the change returns (it may block, e.g. until the record is durable). A state store uses one.
     *
     * <p>An exception from either step reaches the caller of the change, after every other listener ran;
     * the change stays made in memory. Evictions and expiry are not reported.
     */
    public interface OrderedListener {
        /**
         * An id was added or re-added (refreshed).
         *
         * @param id the task id
         * @param timestamp its wall-clock epoch seconds
         * @return what to run once the lock is released, or {@code null} for nothing
         */
        Runnable added(String id, double timestamp);

        /**
         * Several ids were added by {@link RevokedSet#update(Map)}.
         *
         * @param entries the ids added or refreshed, to their wall-clock epoch seconds, oldest first
         * @return what to run once the lock is released, or {@code null} for nothing
         */
        Runnable addedAll(RevokedEntries entries);

        /**
         * An id was removed by {@link RevokedSet#discard}.
         *
         * @param id the task id
         * @return what to run once the lock is released, or {@code null} for nothing
         */
        Runnable discarded(String id);

        /**
         * Every id was removed by {@link RevokedSet#clear}.
         *
         * @return what to run once the lock is released, or {@code null} for nothing
         */
        Runnable cleared();
    }

    /**
     * Creates a set.
     *
     * @param maxlen the most ids kept; 0 means unlimited
     * @param expires how long an id is kept after it was added; {@code null} or zero means forever
     * @param clock the wall clock timestamps come from
     * @throws IllegalArgumentException when a limit is negative
     * @throws NullPointerException when {@code clock} is null
     */
    public RevokedSet(int maxlen, Duration expires, Clock clock) {
        if (maxlen < 0) {
            throw new IllegalArgumentException("maxlen cannot be negative: " + maxlen);
        }
        if (expires != null && expires.isNegative()) {
            throw new IllegalArgumentException("expires cannot be negative: " + expires);
        }
        this.maxlen = maxlen;
        this.expiresMicros = expires == null ? 0 : saturatedMicros(expires);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A set with Celery's worker defaults, or the limits from {@code CELERY_WORKER_REVOKES_MAX} (an
     * integer) and {@code CELERY_WORKER_REVOKE_EXPIRES} (seconds, may be fractional) when they are set, and
     * the system's UTC clock.
     *
     * @return the set
     * @throws IllegalArgumentException when a variable holds a value that is not a non-negative number (read as
     *         every celeriac setting is, see {@link SettingsReader}; the expiry at most
     *         {@link SettingsReader#MAX_SECONDS})
     */
    public static RevokedSet withCeleryDefaults() {
        return withCeleryDefaults(System.getenv(), Clock.systemUTC());
    }

    /**
     * A set with Celery's worker defaults, overridden by the given environment.
     *
     * @param env the environment variables
     * @param clock the wall clock
     * @return the set
     * @throws IllegalArgumentException listing every variable that holds a value that is not a non-negative
     *         number, in {@link SettingsReader}'s wording
     */
    public static RevokedSet withCeleryDefaults(Map<String, String> env, Clock clock) {
        Map<String, String> settings = new HashMap<>();
        for (String name : List.of(ENV_REVOKES_MAX, ENV_REVOKE_EXPIRES)) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                settings.put(name, v);
            }
        }
        SettingsReader r = new SettingsReader(settings);
        int max = r.integer(ENV_REVOKES_MAX, DEFAULT_MAXLEN, 0, Integer.MAX_VALUE);
        Duration expires = r.seconds(ENV_REVOKE_EXPIRES, Duration.ofNanos(Math.round(DEFAULT_EXPIRES_SECONDS * 1e9)), true);
        if (!r.problems().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", r.problems()));
        }
        return new RevokedSet(max, expires, clock);
    }

    /**
     * The most ids kept.
     *
     * @return the limit, 0 for unlimited
     */
    public int maxlen() {
        return maxlen;
    }

    /**
     * How long ids are kept after they were added.
     *
     * @return the expiry, {@link Duration#ZERO} for forever
     */
    public Duration expires() {
        return Duration.of(expiresMicros, ChronoUnit.MICROS);
    }

    /**
     * The wall clock timestamps come from.
     *
     * @return the clock
     */
    public Clock clock() {
        return clock;
    }

    /**
     * The current wall-clock time in epoch seconds, with microsecond precision.
     *
     * @return the time
     */
    public double now() {
        return toSeconds(nowMicros());
    }

    /**
     * Registers a listener for changes.
     *
     * @param listener the listener
     * @return a registration that removes it when closed
     * @throws NullPointerException when {@code listener} is null
     */
    public Registration addListener(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Registers a listener told of changes in their exact order (see {@link OrderedListener}).
     *
     * @param listener the listener
     * @return a registration that removes it when closed
     * @throws NullPointerException when {@code listener} is null
     */
    public Registration addOrderedListener(OrderedListener listener) {
        Objects.requireNonNull(listener, "listener");
        orderedListeners.add(listener);
        return () -> orderedListeners.remove(listener);
    }

    /**
     * Adds (or refreshes) an id at the current time.
     *
     * @param id the task id
     * @throws NullPointerException when {@code id} is null
     * @throws RuntimeException what a listener throws, e.g. a state store's
     *         {@link UnableToSaveStateException} when the revoke could not be made durable (the id is
     *         revoked in memory regardless)
     */
    public void add(String id) {
        Objects.requireNonNull(id, "id");
        Pending p;
        double seconds;
        synchronized (this) {
            long ts = Math.max(nowMicros(), newest);
            put(id, ts);
            purgeAfterAdd();
            seconds = toSeconds(ts);
            p = tellOrdered(l -> l.added(id, seconds));
        }
        finish(p, l -> l.added(id, seconds));
    }

    /**
     * Adds (or refreshes) an id with a timestamp, as Celery's {@code add(item, now)}; a timestamp in the
     * future is taken as now.
     *
     * @param id the task id
     * @param timestamp wall-clock epoch seconds
     * @throws NullPointerException when {@code id} is null
     * @throws IllegalArgumentException when the timestamp is not a finite number
     * @throws RuntimeException what a listener throws (see {@link #add(String)})
     */
    public void add(String id, double timestamp) {
        Objects.requireNonNull(id, "id");
        Pending p;
        double seconds;
        synchronized (this) {
            long ts = Math.min(toMicros(timestamp), Math.max(nowMicros(), newest));
            put(id, ts);
            purgeAfterAdd();
            seconds = toSeconds(ts);
            p = tellOrdered(l -> l.added(id, seconds));
        }
        finish(p, l -> l.added(id, seconds));
    }

    /** The ordered listeners' second steps, and the first failure of their first steps. */
    private record Pending(List<Runnable> then, RuntimeException failure) {
        static final Pending NONE = new Pending(List.of(), null);
    }

    /** Under the lock: runs the ordered listeners' first steps, never throwing. */
    private Pending tellOrdered(java.util.function.Function<OrderedListener, Runnable> step) {
        if (orderedListeners.isEmpty()) {
            return Pending.NONE;
        }
        List<Runnable> then = new ArrayList<>(orderedListeners.size());
        RuntimeException failure = null;
        for (OrderedListener l : orderedListeners) {
            try {
                Runnable r = step.apply(l);
                if (r != null) {
                    then.add(r);
                }
            } catch (RuntimeException e) {
                failure = keep(failure, e);
            }
        }
        return new Pending(then, failure);
    }

    /** Outside the lock: runs the second steps, then the plain listeners; throws the first failure. */
    private void finish(Pending p, java.util.function.Consumer<Listener> call) {
        RuntimeException first = p.failure();
        for (Runnable r : p.then()) {
            try {
                r.run();
            } catch (RuntimeException e) {
                first = keep(first, e);
            }
        }
        for (Listener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                first = keep(first, e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Merges entries from elsewhere, as Celery's {@code update} with a dict (mingle): each id is added with
     * its timestamp unless the set holds it with a newer one, then the set is purged with this set's limits.
     * Listeners hear the ids actually added or refreshed, in one {@link Listener#addedAll} call.
     *
     * @param entries ids to their wall-clock epoch seconds
     * @throws NullPointerException when an id or timestamp is null
     * @throws IllegalArgumentException when a timestamp is not a finite number
     * @throws RuntimeException what a listener throws (see {@link #add(String)})
     */
    public void update(Map<String, Double> entries) {
        RevokedEntries accepted;
        Pending p;
        synchronized (this) {
            accepted = merge(entries, !listeners.isEmpty() || !orderedListeners.isEmpty());
            if (accepted == null || accepted.isEmpty()) {
                return;
            }
            RevokedEntries told = accepted;
            p = tellOrdered(l -> l.addedAll(told));
        }
        RevokedEntries told = accepted;
        finish(p, l -> l.addedAll(told));
    }

    /**
     * Merges entries loaded from storage: the same as {@link #update(Map)} except that listeners are not
     * told, since the entries are stored already. This is what a state store's {@code merge} calls.
     *
     * @param entries ids to their wall-clock epoch seconds
     * @throws NullPointerException when an id or timestamp is null
     * @throws IllegalArgumentException when a timestamp is not a finite number
     */
    public void restore(Map<String, Double> entries) {
        merge(entries, false);
    }

    private synchronized RevokedEntries merge(Map<String, Double> entries, boolean collect) {
        Objects.requireNonNull(entries, "entries");
        RevokedEntries in = RevokedEntries.copyOf(entries);
        int n = in.size();
        data.ensureRoom(n); // one allocation for a bulk load, however large
        int[] acceptedAt = collect ? new int[n] : null;
        long[] acceptedMicros = collect ? new long[n] : null;
        int accepted = 0;
        long limit = Math.max(nowMicros(), newest);
        for (int i = 0; i < n; i++) {
            long hi = in.msb(i);
            long lo = in.lsb(i);
            String str = in.string(i);
            long ts = Math.min(in.micros(i), limit);
            int slot = data.appendIfAbsent(hi, lo, str, ts);
            if (slot >= 0) {
                if (data.micros(slot) >= ts) {
                    continue;
                }
                data.remove(slot);
                data.append(hi, lo, str, ts);
            }
            track(ts);
            if (collect) {
                acceptedAt[accepted] = i;
                acceptedMicros[accepted] = ts;
                accepted++;
            }
        }
        purge(nowMicros());
        if (!collect) {
            return null;
        }
        long[] hi = new long[accepted];
        long[] lo = new long[accepted];
        String[] str = new String[accepted];
        for (int k = 0; k < accepted; k++) {
            int i = acceptedAt[k];
            hi[k] = in.msb(i);
            lo[k] = in.lsb(i);
            str[k] = in.string(i);
        }
        return RevokedEntries.wrap(hi, lo, str, Arrays.copyOf(acceptedMicros, accepted));
    }

    private void track(long ts) {
        if (ts < newest) {
            ordered = false;
        } else {
            newest = ts;
        }
    }

    private void put(String id, long ts) {
        boolean uuid = TaskIdKeys.isUuid(id);
        long hi = uuid ? TaskIdKeys.msb(id) : 0;
        long lo = uuid ? TaskIdKeys.lsb(id) : 0;
        String str = uuid ? null : id;
        int slot = data.find(hi, lo, str);
        if (slot >= 0) {
            data.remove(slot);
            if (data.size() == 0) {
                newest = Long.MIN_VALUE;
                ordered = true;
            }
        }
        data.append(hi, lo, str, ts);
        if (ts < newest) {
            ordered = false;
        } else {
            newest = ts;
        }
    }

    private void purgeAfterAdd() {
        // Celery purges on add once the set is full; purging while ordered is O(1) amortized, so do it on
        // every add then (expired ids do not pile up), and only when needed while a sort is pending.
        if (ordered || (maxlen > 0 && data.size() > maxlen)) {
            purge(nowMicros());
        }
    }

    /**
     * Whether an id is revoked: in the set and not expired.
     *
     * @param id the task id
     * @return {@code true} when revoked
     */
    public synchronized boolean contains(String id) {
        int slot = find(Objects.requireNonNull(id, "id"));
        if (slot < 0) {
            return false;
        }
        return expiresMicros <= 0 || data.micros(slot) + expiresMicros > nowMicros();
    }

    private int find(String id) {
        return TaskIdKeys.isUuid(id) ? data.find(TaskIdKeys.msb(id), TaskIdKeys.lsb(id), null) : data.find(0, 0, id);
    }

    /**
     * Removes an id (Celery's {@code discard}); listeners hear it when the id was present.
     *
     * @param id the task id
     * @return whether it was present
     * @throws RuntimeException what a listener throws (the id is removed regardless)
     */
    public boolean discard(String id) {
        Pending p;
        synchronized (this) {
            int slot = find(Objects.requireNonNull(id, "id"));
            if (slot < 0) {
                return false;
            }
            data.remove(slot);
            if (data.size() == 0) {
                ordered = true;
                newest = Long.MIN_VALUE;
            }
            p = tellOrdered(l -> l.discarded(id));
        }
        finish(p, l -> l.discarded(id));
        return true;
    }

    /**
     * Removes every id; listeners hear it.
     *
     * @throws RuntimeException what a listener throws (the set is cleared regardless)
     */
    public void clear() {
        Pending p;
        synchronized (this) {
            data.clear();
            ordered = true;
            newest = Long.MIN_VALUE;
            p = tellOrdered(OrderedListener::cleared);
        }
        finish(p, Listener::cleared);
    }

    /** Purges at the current time: evicts the oldest beyond {@code maxlen}, then drops expired ids. */
    public void purge() {
        purge(nowMicros());
    }

    /**
     * Celery's {@code purge(now)}: evict the oldest while over {@code maxlen}, then drop the oldest while it
     * has expired at {@code now}.
     *
     * @param now wall-clock epoch seconds
     * @throws IllegalArgumentException when {@code now} is not a finite number
     */
    public void purge(double now) {
        purge(toMicros(now));
    }

    private synchronized void purge(long now) {
        boolean overfull = maxlen > 0 && data.size() > maxlen;
        if (!overfull && expiresMicros <= 0) {
            return;
        }
        sortIfNeeded();
        if (overfull) {
            int excess = data.size() - maxlen;
            while (excess-- > 0 && data.size() > 0) {
                data.remove(data.first());
            }
        }
        if (expiresMicros > 0) {
            while (data.size() > 0) {
                int oldest = data.first();
                if (data.micros(oldest) + expiresMicros > now) {
                    break;
                }
                data.remove(oldest);
            }
        }
        if (data.size() == 0) {
            newest = Long.MIN_VALUE;
        }
    }

    private void sortIfNeeded() {
        if (ordered) {
            return;
        }
        newest = data.sortByMicros(); // stable: equal times keep their insertion order
        ordered = true;
    }

    /**
     * How many ids the set holds; expired ids count until the next purge, as in Celery.
     *
     * @return the size
     */
    public synchronized int size() {
        return data.size();
    }

    /**
     * Whether the set holds no id.
     *
     * @return {@code true} when empty
     */
    public synchronized boolean isEmpty() {
        return data.size() == 0;
    }

    /**
     * The ids and their timestamps (wall-clock epoch seconds), oldest first: Celery's {@code as_dict}.
     *
     * @return an immutable copy (cheap: two arrays)
     */
    public synchronized RevokedEntries asMap() {
        sortIfNeeded();
        return data.toEntries();
    }

    /**
     * Iterates over a snapshot of the ids, oldest first.
     *
     * @return an iterator over a copy
     */
    @Override
    public Iterator<String> iterator() {
        List<String> ids;
        synchronized (this) {
            sortIfNeeded();
            ids = new ArrayList<>(data.size());
            for (int slot = data.first(); slot >= 0; slot = data.next(slot)) {
                ids.add(data.id(slot));
            }
        }
        return Collections.unmodifiableList(ids).iterator();
    }

    @Override
    public synchronized String toString() {
        return "RevokedSet[" + data.size() + " ids, maxlen=" + maxlen + ", expires=" + expires().toSeconds() + "s]";
    }

    private long nowMicros() {
        Instant i = clock.instant();
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    static long toMicros(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("a timestamp must be a finite number of epoch seconds, not " + seconds);
        }
        return Math.round(seconds * 1e6);
    }

    private static double toSeconds(long micros) {
        return micros / 1e6;
    }

    private static long saturatedMicros(Duration d) {
        try {
            return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.getNano() / 1000;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static RuntimeException keep(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }
}
