package io.celeriac.events.state.internal;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An insertion-ordered map of a few string keys in one array (keys and values alternating), for the extra
 * fields of tasks and workers: usually zero to three keys, written on every event that carries them, so a
 * linear scan of one array beats a hash map's scattered nodes. Null values are kept. Not thread-safe.
 */
final class SmallMap {

    private Object[] kv = new Object[8];
    private int size;

    private int indexOf(String key) {
        Object[] a = kv;
        for (int i = 0, n = size * 2; i < n; i += 2) {
            Object k = a[i];
            if (k == key) {
                return i;
            }
        }
        for (int i = 0, n = size * 2; i < n; i += 2) {
            if (key.equals(a[i])) {
                return i;
            }
        }
        return -1;
    }

    Object get(String key) {
        int i = indexOf(key);
        return i < 0 ? null : kv[i + 1];
    }

    void put(String key, Object value) {
        int i = indexOf(key);
        if (i >= 0) {
            kv[i + 1] = value;
            return;
        }
        if (size * 2 == kv.length) {
            Object[] bigger = new Object[kv.length * 2];
            System.arraycopy(kv, 0, bigger, 0, kv.length);
            kv = bigger;
        }
        kv[size * 2] = key;
        kv[size * 2 + 1] = value;
        size++;
    }

    /**
     * A read-only view of the current entries, in order, for a view record to copy at once (it must not be
     * kept: later writes show through).
     */
    Map<String, Object> view() {
        if (size == 0) {
            return Map.of();
        }
        Object[] a = kv;
        int n = size;
        return new AbstractMap<>() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public void forEach(BiConsumer<? super String, ? super Object> action) {
                for (int i = 0; i < n * 2; i += 2) {
                    action.accept((String) a[i], a[i + 1]);
                }
            }

            @Override
            public Set<Entry<String, Object>> entrySet() {
                Map<String, Object> m = new LinkedHashMap<>(n * 2);
                forEach(m::put);
                return m.entrySet();
            }
        };
    }
}
