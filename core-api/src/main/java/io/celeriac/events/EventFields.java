package io.celeriac.events;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The fields of an {@link Event}: an immutable, insertion-ordered map in one array (keys and values
 * alternating). An event has a dozen fields or so and is read by walking them once, so one contiguous array
 * costs half the memory of a {@code LinkedHashMap} and is walked without chasing a node per entry; lookups
 * scan it, comparing references first (JSON decoders intern field names). Null keys and values are kept.
 * Every mutator throws {@link UnsupportedOperationException}. Thread-safe (immutable).
 */
final class EventFields extends AbstractMap<String, Object> {

    private final Object[] kv;

    private EventFields(Object[] kv) {
        this.kv = kv;
    }

    /**
     * Freezes a copy of {@code fields}, or returns it when it is already frozen.
     *
     * @param fields the fields
     * @return an immutable copy
     */
    static Map<String, Object> of(Map<String, Object> fields) {
        if (fields instanceof EventFields frozen) {
            return frozen;
        }
        Object[] kv = new Object[fields.size() * 2];
        int[] i = {0};
        fields.forEach((k, v) -> {
            kv[i[0]++] = k;
            kv[i[0]++] = v;
        });
        if (i[0] != kv.length) {
            throw new IllegalStateException("the fields changed while an event was made of them");
        }
        return new EventFields(kv);
    }

    private int indexOf(Object key) {
        Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] == key) {
                return i;
            }
        }
        if (key != null) {
            for (int i = 0; i < a.length; i += 2) {
                if (key.equals(a[i])) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Override
    public Object get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : kv[i + 1];
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public int size() {
        return kv.length / 2;
    }

    @Override
    public boolean isEmpty() {
        return kv.length == 0;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
        Objects.requireNonNull(action, "action");
        Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            action.accept((String) a[i], a[i + 1]);
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < kv.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (i >= kv.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, Object> e = new SimpleImmutableEntry<>((String) kv[i], kv[i + 1]);
                        i += 2;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return kv.length / 2;
            }
        };
    }
}
