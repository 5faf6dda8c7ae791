package io.celeriac.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, ordered map of revoked task ids to their wall-clock timestamps (epoch seconds), as
 * {@link RevokedSet#asMap()} returns it and as state stores load it.
 *
 * <p>It is backed by two arrays, so copying a set of 50,000 ids, iterating it and handing it to
 * {@link RevokedSet#restore} cost no per-entry map nodes or boxing; {@link #get} and
 * {@link #containsKey} build a hash index on their first use. The timestamps are kept in microseconds
 * ({@link #micros(int)}), the precision of {@link RevokedSet}. Immutable and thread-safe; ids are never null
 * and never repeated.
 */
public final class RevokedEntries extends AbstractMap<String, Double> {

    private static final RevokedEntries EMPTY = new RevokedEntries(new String[0], new long[0]);

    private final String[] ids;
    private final long[] micros;
    private volatile Map<String, Integer> index;

    private RevokedEntries(String[] ids, long[] micros) {
        this.ids = ids;
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
     * A map of the given ids and timestamps, in the given order; the arrays are copied.
     *
     * @param ids the task ids, each at most once
     * @param micros each id's wall-clock epoch microseconds
     * @return the map
     * @throws IllegalArgumentException when the arrays differ in length or an id repeats
     * @throws NullPointerException when an id is null
     */
    public static RevokedEntries of(String[] ids, long[] micros) {
        return wrap(ids.clone(), micros.clone(), true);
    }

    /**
     * A map of the given ids and timestamps, in the given order, trusting the caller that the ids are
     * distinct (for example decoded from a checksummed store that wrote them from a set): the arrays are
     * taken as they are, not copied, and repeats are not looked for. <b>The caller must not change the
     * arrays afterwards.</b> This is the fast path state stores use when loading; others use {@link #of}.
     *
     * @param ids the task ids, distinct and not null
     * @param micros each id's wall-clock epoch microseconds
     * @return the map
     * @throws IllegalArgumentException when the arrays differ in length
     */
    public static RevokedEntries ofDistinct(String[] ids, long[] micros) {
        return wrap(ids, micros, false);
    }

    /** Takes ownership of the arrays (no copy); used by {@link RevokedSet} and by {@link #of}. */
    static RevokedEntries wrap(String[] ids, long[] micros, boolean check) {
        if (ids.length != micros.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + micros.length + " timestamps");
        }
        if (ids.length == 0) {
            return EMPTY;
        }
        RevokedEntries e = new RevokedEntries(ids, micros);
        if (check) {
            Map<String, Integer> idx = new HashMap<>(ids.length * 4 / 3 + 1);
            for (int i = 0; i < ids.length; i++) {
                if (idx.put(Objects.requireNonNull(ids[i], "id"), i) != null) {
                    throw new IllegalArgumentException("the id " + ids[i] + " appears twice");
                }
            }
            e.index = idx;
        }
        return e;
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
        String[] ids = new String[entries.size()];
        long[] micros = new long[ids.length];
        int i = 0;
        for (Map.Entry<String, Double> e : entries.entrySet()) {
            ids[i] = Objects.requireNonNull(e.getKey(), "id");
            micros[i] = RevokedSet.toMicros(Objects.requireNonNull(e.getValue(), "timestamp"));
            i++;
        }
        return wrap(ids, micros, false);
    }

    @Override
    public int size() {
        return ids.length;
    }

    /**
     * The id at a position (0 is the first, normally the oldest).
     *
     * @param i the position
     * @return the task id
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public String id(int i) {
        return ids[i];
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

    private Map<String, Integer> index() {
        Map<String, Integer> idx = index;
        if (idx == null) {
            idx = new HashMap<>(ids.length * 4 / 3 + 1);
            for (int i = 0; i < ids.length; i++) {
                idx.put(ids[i], i);
            }
            index = idx;
        }
        return idx;
    }

    @Override
    public boolean containsKey(Object key) {
        return index().containsKey(key);
    }

    @Override
    public Double get(Object key) {
        Integer i = index().get(key);
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
                        return next < ids.length;
                    }

                    @Override
                    public Map.Entry<String, Double> next() {
                        if (next >= ids.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(ids[i], micros[i] / 1e6);
                    }
                };
            }

            @Override
            public int size() {
                return ids.length;
            }
        };
    }

    @Override
    public String toString() {
        if (ids.length > 20) {
            return "RevokedEntries[" + ids.length + " ids, first " + ids[0] + "=" + timestamp(0) + "]";
        }
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(ids[i]).append('=').append(timestamp(i));
        }
        return sb.append('}').toString();
    }
}
