package io.celeriac.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * An immutable, ordered map of revoked task ids to their wall-clock timestamps (epoch seconds), as
 * {@link RevokedSet#asMap()} returns it and as state stores load it.
 *
 * <p>It is backed by arrays, so copying a set of 50,000 ids, iterating it and handing it to
 * {@link RevokedSet#restore} cost no per-entry map nodes. An id that is a canonical UUID string (what
 * Celery's {@code uuid()} makes) is held as its {@link UUID} and turned back into the identical string when
 * asked; stores read and write those 16 bytes directly ({@link #uuid(int)}, {@link Builder#addUuid}).
 * {@link #get} and {@link #containsKey} build a hash index on their first use. Timestamps are kept in
 * microseconds ({@link #micros(int)}), the precision of {@link RevokedSet}. Immutable and thread-safe; ids
 * are never null and never repeated.
 */
public final class RevokedEntries extends AbstractMap<String, Double> {

    private static final RevokedEntries EMPTY = new RevokedEntries(new Object[0], new long[0]);

    private final Object[] keys;
    private final long[] micros;
    private volatile Map<Object, Integer> index;

    private RevokedEntries(Object[] keys, long[] micros) {
        this.keys = keys;
        this.micros = micros;
    }

    /**
     * The empty map.
     *
     * @return an empty instance
     */
    public static RevokedEntries empty() {
        return EMPTY;
    }

    /**
     * A map of the given ids and timestamps, in the given order.
     *
     * @param ids the task ids, each at most once
     * @param micros each id's wall-clock epoch microseconds
     * @return the map
     * @throws IllegalArgumentException when the arrays differ in length or an id repeats
     * @throws NullPointerException when an id is null
     */
    public static RevokedEntries of(String[] ids, long[] micros) {
        RevokedEntries e = ofDistinct(ids, micros.clone());
        Map<Object, Integer> idx = new HashMap<>(e.keys.length * 4 / 3 + 1);
        for (int i = 0; i < e.keys.length; i++) {
            if (idx.put(e.keys[i], i) != null) {
                throw new IllegalArgumentException("the id " + ids[i] + " appears twice");
            }
        }
        e.index = idx;
        return e;
    }

    /**
     * A map of the given ids and timestamps, in the given order, trusting the caller that the ids are
     * distinct (for example decoded from a checksummed store that wrote them from a set): repeats are not
     * looked for, and the {@code micros} array is taken as it is. <b>The caller must not change it
     * afterwards.</b> This is a fast path for state stores; others use {@link #of}.
     *
     * @param ids the task ids, distinct and not null
     * @param micros each id's wall-clock epoch microseconds
     * @return the map
     * @throws IllegalArgumentException when the arrays differ in length
     * @throws NullPointerException when an id is null
     */
    public static RevokedEntries ofDistinct(String[] ids, long[] micros) {
        if (ids.length != micros.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + micros.length + " timestamps");
        }
        Object[] keys = new Object[ids.length];
        for (int i = 0; i < ids.length; i++) {
            keys[i] = TaskIdKeys.keyOf(Objects.requireNonNull(ids[i], "id"));
        }
        return wrap(keys, micros);
    }

    /** Takes ownership of the arrays (no copy, no check). */
    static RevokedEntries wrap(Object[] keys, long[] micros) {
        return keys.length == 0 ? EMPTY : new RevokedEntries(keys, micros);
    }

    /**
     * A builder that state stores fill while decoding, without creating a string per UUID id.
     *
     * @param expected how many ids will be added (a hint)
     * @return a builder
     */
    public static Builder builder(int expected) {
        return new Builder(expected);
    }

    /**
     * A map with the contents of any map of ids to epoch seconds, in its iteration order.
     *
     * @param entries ids to wall-clock epoch seconds
     * @return the map ({@code entries} itself when it is a {@code RevokedEntries})
     * @throws NullPointerException when an id or timestamp is null
     * @throws IllegalArgumentException when a timestamp is not a finite number
     */
    public static RevokedEntries copyOf(Map<String, Double> entries) {
        if (entries instanceof RevokedEntries) {
            return (RevokedEntries) entries;
        }
        Object[] keys = new Object[entries.size()];
        long[] micros = new long[keys.length];
        int i = 0;
        for (Map.Entry<String, Double> e : entries.entrySet()) {
            keys[i] = TaskIdKeys.keyOf(Objects.requireNonNull(e.getKey(), "id"));
            micros[i] = RevokedSet.toMicros(Objects.requireNonNull(e.getValue(), "timestamp"));
            i++;
        }
        return wrap(keys, micros);
    }

    @Override
    public int size() {
        return keys.length;
    }

    /**
     * The id at a position (0 is the first, normally the oldest).
     *
     * @param i the position
     * @return the task id
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public String id(int i) {
        return TaskIdKeys.idOf(keys[i]);
    }

    /**
     * The id at a position as a {@link UUID}, when it is a canonical lower-case UUID string (whose
     * {@code toString()} is exactly the id).
     *
     * @param i the position
     * @return the UUID, or {@code null} for any other id
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public UUID uuid(int i) {
        return keys[i] instanceof UUID u ? u : null;
    }

    /**
     * The timestamp of the id at a position, in wall-clock epoch microseconds.
     *
     * @param i the position
     * @return the timestamp
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public long micros(int i) {
        return micros[i];
    }

    /**
     * The timestamp of the id at a position, in wall-clock epoch seconds.
     *
     * @param i the position
     * @return the timestamp
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public double timestamp(int i) {
        return micros[i] / 1e6;
    }

    /** The key (a UUID or a string) at a position, for {@link RevokedSet}. */
    Object key(int i) {
        return keys[i];
    }

    private Map<Object, Integer> index() {
        Map<Object, Integer> idx = index;
        if (idx == null) {
            idx = new HashMap<>(keys.length * 4 / 3 + 1);
            for (int i = 0; i < keys.length; i++) {
                idx.put(keys[i], i);
            }
            index = idx;
        }
        return idx;
    }

    private static Object lookupKey(Object key) {
        return key instanceof String s ? TaskIdKeys.keyOf(s) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        Object k = lookupKey(key);
        return k != null && index().containsKey(k);
    }

    @Override
    public Double get(Object key) {
        Object k = lookupKey(key);
        Integer i = k == null ? null : index().get(k);
        return i == null ? null : micros[i] / 1e6;
    }

    @Override
    public Set<Map.Entry<String, Double>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Double>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keys.length;
                    }

                    @Override
                    public Map.Entry<String, Double> next() {
                        if (next >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(id(i), micros[i] / 1e6);
                    }
                };
            }

            @Override
            public int size() {
                return keys.length;
            }
        };
    }

    @Override
    public String toString() {
        if (keys.length > 20) {
            return "RevokedEntries[" + keys.length + " ids, first " + id(0) + "=" + timestamp(0) + "]";
        }
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(id(i)).append('=').append(timestamp(i));
        }
        return sb.append('}').toString();
    }

    /**
     * Builds a {@link RevokedEntries} entry by entry, for state stores decoding what they stored. Not
     * thread-safe.
     */
    public static final class Builder {
        private Object[] keys;
        private long[] micros;
        private int size;

        private Builder(int expected) {
            keys = new Object[Math.max(4, expected)];
            micros = new long[keys.length];
        }

        private void grow() {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, keys.length * 2);
                micros = Arrays.copyOf(micros, keys.length);
            }
        }

        /**
         * Adds an id.
         *
         * @param id the task id
         * @param timestampMicros its wall-clock epoch microseconds
         * @return this builder
         * @throws NullPointerException when {@code id} is null
         */
        public Builder add(String id, long timestampMicros) {
            grow();
            keys[size] = TaskIdKeys.keyOf(Objects.requireNonNull(id, "id"));
            micros[size++] = timestampMicros;
            return this;
        }

        /**
         * Adds an id that is the canonical lower-case string of a UUID, given as the UUID's two halves.
         *
         * @param mostSignificantBits the UUID's first 8 bytes
         * @param leastSignificantBits the UUID's last 8 bytes
         * @param timestampMicros its wall-clock epoch microseconds
         * @return this builder
         */
        public Builder addUuid(long mostSignificantBits, long leastSignificantBits, long timestampMicros) {
            grow();
            keys[size] = new UUID(mostSignificantBits, leastSignificantBits);
            micros[size++] = timestampMicros;
            return this;
        }

        /**
         * Builds the map, trusting that no id was added twice (not checked; see {@link #ofDistinct}).
         *
         * @return the map
         */
        public RevokedEntries buildDistinct() {
            return wrap(Arrays.copyOf(keys, size), Arrays.copyOf(micros, size));
        }
    }
}
