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

    private static final RevokedEntries EMPTY = new RevokedEntries(new long[0], new long[0], new String[0], new long[0]);

    /** A canonical UUID id as its two halves with a null string; any other id as its string (halves 0). */
    private final long[] msb;
    private final long[] lsb;
    private final String[] strings;
    private final long[] micros;
    private volatile Map<Object, Integer> index;

    private RevokedEntries(long[] msb, long[] lsb, String[] strings, long[] micros) {
        this.msb = msb;
        this.lsb = lsb;
        this.strings = strings;
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
        Map<Object, Integer> idx = new HashMap<>(e.size() * 4 / 3 + 1);
        for (int i = 0; i < e.size(); i++) {
            if (idx.put(e.key(i), i) != null) {
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
        int n = ids.length;
        long[] hi = new long[n];
        long[] lo = new long[n];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            split(Objects.requireNonNull(ids[i], "id"), i, hi, lo, s);
        }
        return wrap(hi, lo, s, micros);
    }

    /** Stores an id's {@link TaskIdKeys} parts at a position of the three arrays. */
    private static void split(String id, int i, long[] hi, long[] lo, String[] s) {
        if (TaskIdKeys.isUuid(id)) {
            hi[i] = TaskIdKeys.msb(id);
            lo[i] = TaskIdKeys.lsb(id);
        } else {
            s[i] = id;
        }
    }

    /** Takes ownership of the arrays (no copy, no check): the ids as UUID halves or strings, and the timestamps. */
    static RevokedEntries wrap(long[] msb, long[] lsb, String[] strings, long[] micros) {
        return micros.length == 0 ? EMPTY : new RevokedEntries(msb, lsb, strings, micros);
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
        int n = entries.size();
        long[] hi = new long[n];
        long[] lo = new long[n];
        String[] s = new String[n];
        long[] micros = new long[n];
        int i = 0;
        for (Map.Entry<String, Double> e : entries.entrySet()) {
            split(Objects.requireNonNull(e.getKey(), "id"), i, hi, lo, s);
            micros[i] = RevokedSet.toMicros(Objects.requireNonNull(e.getValue(), "timestamp"));
            i++;
        }
        return wrap(hi, lo, s, micros);
    }

    @Override
    public int size() {
        return micros.length;
    }

    /**
     * The id at a position (0 is the first, normally the oldest).
     *
     * @param i the position
     * @return the task id
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public String id(int i) {
        String s = strings[i];
        return s != null ? s : new UUID(msb[i], lsb[i]).toString();
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
        return strings[i] == null ? new UUID(msb[i], lsb[i]) : null;
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

    /** The key ({@link TaskIdKeys}: a UUID or a string) at a position. */
    private Object key(int i) {
        String s = strings[i];
        return s != null ? s : new UUID(msb[i], lsb[i]);
    }

    /**
     * Whether the id at a position is a canonical lower-case UUID string, held as its two halves
     * ({@link #msb(int)}, {@link #lsb(int)}): what {@link #uuid(int)} returns without creating it.
     *
     * @param i the position
     * @return {@code true} for a UUID id
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public boolean isUuid(int i) {
        return strings[i] == null;
    }

    /**
     * The first 8 bytes of the UUID id at a position (its {@link UUID#getMostSignificantBits()}).
     *
     * @param i the position
     * @return the bits; 0 for an id that is not a UUID ({@link #isUuid(int)})
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public long msb(int i) {
        return msb[i];
    }

    /**
     * The last 8 bytes of the UUID id at a position (its {@link UUID#getLeastSignificantBits()}).
     *
     * @param i the position
     * @return the bits; 0 for an id that is not a UUID ({@link #isUuid(int)})
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public long lsb(int i) {
        return lsb[i];
    }

    /** The string id at a position, or {@code null} for a UUID id, for {@link RevokedSet}. */
    String string(int i) {
        return strings[i];
    }

    private Map<Object, Integer> index() {
        Map<Object, Integer> idx = index;
        if (idx == null) {
            idx = new HashMap<>(size() * 4 / 3 + 1);
            for (int i = 0; i < size(); i++) {
                idx.put(key(i), i);
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
                        return next < micros.length;
                    }

                    @Override
                    public Map.Entry<String, Double> next() {
                        if (next >= micros.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(id(i), micros[i] / 1e6);
                    }
                };
            }

            @Override
            public int size() {
                return micros.length;
            }
        };
    }

    @Override
    public String toString() {
        if (size() > 20) {
            return "RevokedEntries[" + size() + " ids, first " + id(0) + "=" + timestamp(0) + "]";
        }
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size(); i++) {
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
        private long[] msb;
        private long[] lsb;
        private String[] strings;
        private long[] micros;
        private int size;

        private Builder(int expected) {
            int n = Math.max(4, expected);
            msb = new long[n];
            lsb = new long[n];
            strings = new String[n];
            micros = new long[n];
        }

        private void grow() {
            if (size == micros.length) {
                int n = micros.length * 2;
                msb = Arrays.copyOf(msb, n);
                lsb = Arrays.copyOf(lsb, n);
                strings = Arrays.copyOf(strings, n);
                micros = Arrays.copyOf(micros, n);
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
            split(Objects.requireNonNull(id, "id"), size, msb, lsb, strings);
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
            msb[size] = mostSignificantBits;
            lsb[size] = leastSignificantBits;
            micros[size++] = timestampMicros;
            return this;
        }

        /**
         * Builds the map, trusting that no id was added twice (not checked; see {@link #ofDistinct}).
         *
         * @return the map
         */
        public RevokedEntries buildDistinct() {
            if (size == micros.length) { // presized exactly, as decoders do: no copies
                return wrap(msb, lsb, strings, micros);
            }
            return wrap(Arrays.copyOf(msb, size), Arrays.copyOf(lsb, size), Arrays.copyOf(strings, size), Arrays.copyOf(micros, size));
        }
    }
}
