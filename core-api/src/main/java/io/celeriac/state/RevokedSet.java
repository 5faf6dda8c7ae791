package io.celeriac.state;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's revoked task ids with Celery's {@code LimitedSet} semantics: at most {@code maxlen} ids
 * (oldest evicted first), each kept for {@code expires} after it was added, re-adding refreshes an id's
 * time, and purging happens on add (when full) and on merge and sync.
 *
 * <p>Unlike Celery, whose timestamps are {@code time.monotonic()} seconds that mean nothing after a
 * reboot or on another host, the timestamps here are wall-clock epoch seconds, so they stay meaningful
 * across restarts. Defaults are Celery's: 50,000 ids, 10,800 s, overridable by the environment variables
 * {@code CELERY_WORKER_REVOKES_MAX} and {@code CELERY_WORKER_REVOKE_EXPIRES} as Celery 5.3+ reads them
 * (see {@link #withCeleryDefaults()}).
 *
 * <p>Thread-safe: every method synchronizes on the set.
 */
public final class RevokedSet implements Iterable<String> {

    /** Celery's default {@code maxlen} of the revoked set. */
    public static final int DEFAULT_MAXLEN = 50_000;
    /** Celery's default {@code expires} of the revoked set, in seconds. */
    public static final double DEFAULT_EXPIRES_SECONDS = 10_800;

    private final int maxlen;
    private final double expires;
    private final int minlen;
    private final Clock clock;
    private final LinkedHashMap<String, Double> data = new LinkedHashMap<>();
    private boolean ordered = true;
    private double newest = Double.NEGATIVE_INFINITY;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told about every id added, e.g. so that a state store can journal it. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Called after an id was added (or re-added), on the adding thread, outside the set's lock.
         *
         * @param id the task id
         * @param timestamp its wall-clock epoch seconds
         */
        void added(String id, double timestamp);
    }

    /**
     * Creates a set.
     *
     * @param maxlen the most ids kept; 0 means unlimited
     * @param expires how long an id is kept; {@code null} or zero means forever
     * @param clock the wall clock timestamps come from
     */
    public RevokedSet(int maxlen, Duration expires, Clock clock) {
        if (maxlen < 0) {
            throw new IllegalArgumentException("maxlen cannot be negative: " + maxlen);
        }
        this.maxlen = maxlen;
        this.expires = expires == null ? 0 : expires.toNanos() / 1e9;
        if (this.expires < 0) {
            throw new IllegalArgumentException("expires cannot be negative: " + expires);
        }
        this.minlen = 0;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A set with Celery's worker defaults, or the limits from {@code CELERY_WORKER_REVOKES_MAX} (an
     * integer) and {@code CELERY_WORKER_REVOKE_EXPIRES} (seconds, may be fractional) when they are set.
     *
     * @return the set
     * @throws IllegalArgumentException when a variable holds a value that is not a number
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
     * @throws IllegalArgumentException when a variable holds a value that is not a number
     */
    public static RevokedSet withCeleryDefaults(Map<String, String> env, Clock clock) {
        int max = DEFAULT_MAXLEN;
        double exp = DEFAULT_EXPIRES_SECONDS;
        String m = env.get("CELERY_WORKER_REVOKES_MAX");
        if (m != null && !m.isBlank()) {
            try {
                max = Integer.parseInt(m.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CELERY_WORKER_REVOKES_MAX must be an integer, not '" + m + "'");
            }
        }
        String x = env.get("CELERY_WORKER_REVOKE_EXPIRES");
        if (x != null && !x.isBlank()) {
            try {
                exp = Double.parseDouble(x.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CELERY_WORKER_REVOKE_EXPIRES must be a number of seconds, not '" + x + "'");
            }
        }
        return new RevokedSet(max, Duration.ofNanos((long) (exp * 1e9)), clock);
    }

    /** @return the most ids kept (0 = unlimited) */
    public int maxlen() {
        return maxlen;
    }

    /** @return how long ids are kept (zero = forever) */
    public Duration expires() {
        return Duration.ofNanos((long) (expires * 1e9));
    }

    /** @return the clock timestamps come from */
    public Clock clock() {
        return clock;
    }

    /** @return the current wall-clock time in epoch seconds */
    public double now() {
        return clock.millis() / 1000.0;
    }

    /**
     * Registers a listener for added ids.
     *
     * @param listener the listener
     * @return a handle that removes it when closed
     */
    public AutoCloseable addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /**
     * Adds (or refreshes) an id at the current time.
     *
     * @param id the task id
     */
    public void add(String id) {
        add(id, now());
    }

    /**
     * Adds (or refreshes) an id with a timestamp; purges when the set is full, as Celery's {@code add}.
     *
     * @param id the task id
     * @param timestamp wall-clock epoch seconds
     */
    public void add(String id, double timestamp) {
        Objects.requireNonNull(id, "id");
        synchronized (this) {
            put(id, timestamp);
            if (maxlen > 0 && data.size() >= maxlen) {
                purge(now());
            }
        }
        for (Listener l : listeners) {
            l.added(id, timestamp);
        }
    }

    private void put(String id, double timestamp) {
        data.remove(id);
        data.put(id, timestamp);
        if (timestamp < newest) {
            ordered = false;
        } else {
            newest = timestamp;
        }
    }

    /**
     * Merges stored ids into this set, as Celery's {@code update} with a dict: each id is added with its
     * timestamp (a newer stored timestamp refreshes an id), then the set is purged with this set's limits.
     * Listeners are not told (the ids come from storage).
     *
     * @param entries ids to their wall-clock epoch seconds
     */
    public synchronized void update(Map<String, Double> entries) {
        for (Map.Entry<String, Double> e : entries.entrySet()) {
            Double existing = data.get(e.getKey());
            if (existing == null || existing < e.getValue()) {
                put(e.getKey(), e.getValue());
            }
        }
        purge(now());
    }

    /**
     * Whether an id is in the set (and not expired).
     *
     * @param id the task id
     * @return {@code true} when revoked
     */
    public synchronized boolean contains(String id) {
        Double ts = data.get(id);
        if (ts == null) {
            return false;
        }
        return expires <= 0 || ts + expires > now();
    }

    /**
     * Removes an id.
     *
     * @param id the task id
     * @return whether it was present
     */
    public synchronized boolean discard(String id) {
        return data.remove(id) != null;
    }

    /** Removes every id. */
    public synchronized void clear() {
        data.clear();
        ordered = true;
        newest = Double.NEGATIVE_INFINITY;
    }

    /** Purges at the current time. */
    public void purge() {
        purge(now());
    }

    /**
     * Celery's {@code purge}: evict the oldest while over {@code maxlen}, then drop the oldest while it has
     * expired at {@code now}.
     *
     * @param now wall-clock epoch seconds
     */
    public synchronized void purge(double now) {
        sortIfNeeded();
        Iterator<Map.Entry<String, Double>> it = data.entrySet().iterator();
        if (maxlen > 0) {
            int excess = data.size() - maxlen;
            while (excess-- > 0 && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        if (expires > 0) {
            while (data.size() > minlen && it.hasNext()) {
                Map.Entry<String, Double> e = it.next();
                if (e.getValue() + expires > now) {
                    break;
                }
                it.remove();
            }
        }
        if (data.isEmpty()) {
            newest = Double.NEGATIVE_INFINITY;
        }
    }

    private void sortIfNeeded() {
        if (ordered) {
            return;
        }
        List<Map.Entry<String, Double>> entries = new ArrayList<>(data.entrySet());
        entries.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        data.clear();
        for (Map.Entry<String, Double> e : entries) {
            data.put(e.getKey(), e.getValue());
        }
        ordered = true;
        newest = entries.isEmpty() ? Double.NEGATIVE_INFINITY : entries.get(entries.size() - 1).getValue();
    }

    /**
     * How many ids the set holds (expired ones count until the next purge, as in Celery).
     *
     * @return the size
     */
    public synchronized int size() {
        return data.size();
    }

    /**
     * The ids and their timestamps, oldest first (Celery's {@code as_dict}).
     *
     * @return an unmodifiable copy
     */
    public synchronized Map<String, Double> asMap() {
        sortIfNeeded();
        return Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /**
     * Iterates over a snapshot of the ids, oldest first.
     *
     * @return an iterator
     */
    @Override
    public Iterator<String> iterator() {
        return asMap().keySet().iterator();
    }

    @Override
    public synchronized String toString() {
        return "RevokedSet[" + data.size() + " ids, maxlen=" + maxlen + ", expires=" + expires + "s]";
    }
}
