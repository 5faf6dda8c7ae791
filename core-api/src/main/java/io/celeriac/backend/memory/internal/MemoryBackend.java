package io.celeriac.backend.memory.internal;

import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.memory.MemoryBackendConfig;
import io.celeriac.backend.spi.KeyValueBackend;
import io.celeriac.backend.spi.PendingWaits;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The in-process reference backend: Celery's key-value semantics and exact JSON bytes in a
 * {@link ConcurrentHashMap}, with expiry, push-based waits and an atomic chord counter. It declares every
 * capability and passes the whole conformance kit.
 *
 * <p>{@code memory://} is private to the instance; {@code memory://name} shares a store with every other
 * open backend of the same name in this JVM (a waiter in one is woken by a store through another).
 * {@code ?global_keyprefix=p} prefixes keys as Celery 5.3 does. Expired entries are invisible at once and
 * freed by {@link #cleanup()} (and every few thousand writes). Thread-safe.
 */
public final class MemoryBackend extends KeyValueBackend {

    private static final Map<String, Store> NAMED = new HashMap<>();

    private final String storeName;
    private final Store store;
    private final PendingWaits waits;

    /**
     * Opens a memory backend; use {@link io.celeriac.backend.memory.MemoryBackendProvider} or
     * {@code Celeriac.openBackend("memory://")}.
     *
     * @param config the parsed configuration
     */
    public MemoryBackend(MemoryBackendConfig config) {
        super(config.url(), config.options(), EnumSet.allOf(BackendCapability.class),
                config.globalKeyprefix().orElse(null));
        this.storeName = config.storeName().orElse(null);
        this.store = storeName == null ? new Store() : acquire(storeName);
        this.waits = new PendingWaits("memory", PendingWaits.Subscriptions.NONE);
        store.backends.add(this);
    }

    private static Store acquire(String name) {
        synchronized (NAMED) {
            Store s = NAMED.computeIfAbsent(name, n -> new Store());
            s.refs++;
            return s;
        }
    }

    private static void release(String name, Store store) {
        synchronized (NAMED) {
            if (--store.refs == 0) {
                NAMED.remove(name, store);
            }
        }
    }

    /** The shared map and the backends listening to it. */
    private static final class Store {
        final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
        final CopyOnWriteArrayList<MemoryBackend> backends = new CopyOnWriteArrayList<>();
        final AtomicLong writes = new AtomicLong();
        int refs;
    }

    private record Entry(byte[] value, long expiresAt) {
        boolean expired(long now) {
            return expiresAt <= now;
        }
    }

    private long now() {
        return options.clock().millis();
    }

    private long expiresAt(Duration ttl) {
        return ttl == null ? Long.MAX_VALUE : now() + Math.max(1, ttl.toMillis());
    }

    // ------------------------------------------------------------------------------------------
    // primitives

    @Override
    protected byte[] get(String key) {
        Entry e = store.map.get(key);
        if (e == null) {
            return null;
        }
        if (e.expired(now())) {
            store.map.remove(key, e);
            return null;
        }
        return e.value();
    }

    @Override
    protected List<byte[]> mget(List<String> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            out.add(get(k));
        }
        return out;
    }

    @Override
    protected void set(String key, byte[] value, Duration ttl) {
        store.map.put(key, new Entry(value, expiresAt(ttl)));
        afterWrite(key, value);
    }

    @Override
    protected boolean setUnlessSuccess(String key, byte[] value, Duration ttl) {
        long now = now();
        boolean[] written = new boolean[1];
        store.map.compute(key, (k, cur) -> {
            if (cur != null && !cur.expired(now) && isSuccess(cur.value())) {
                return cur;
            }
            written[0] = true;
            return new Entry(value, expiresAt(ttl));
        });
        if (written[0]) {
            afterWrite(key, value);
        }
        return written[0];
    }

    @Override
    protected void delete(String key) {
        store.map.remove(key);
    }

    @Override
    protected void expire(String key, Duration ttl) {
        store.map.computeIfPresent(key, (k, cur) -> new Entry(cur.value(), expiresAt(ttl)));
    }

    @Override
    protected long incr(String key) {
        long now = now();
        Entry e = store.map.compute(key, (k, cur) -> {
            long v = cur == null || cur.expired(now) ? 0 : Long.parseLong(new String(cur.value(), StandardCharsets.US_ASCII));
            return new Entry(Long.toString(v + 1).getBytes(StandardCharsets.US_ASCII),
                    cur == null || cur.expired(now) ? Long.MAX_VALUE : cur.expiresAt());
        });
        return Long.parseLong(new String(e.value(), StandardCharsets.US_ASCII));
    }

    private void afterWrite(String key, byte[] value) {
        if ((store.writes.incrementAndGet() & 4095) == 0) {
            sweep();
        }
        if (key.startsWith(taskKeyPrefix())) {
            String id = key.substring(taskKeyPrefix().length());
            for (MemoryBackend b : store.backends) {
                b.deliver(key, id, value);
            }
        }
    }

    private void deliver(String key, String taskId, byte[] value) {
        if (waits.isPending(taskId) && key.startsWith(taskKeyPrefix())) {
            try {
                waits.offer(taskId, decodeMeta(key, taskId, value));
            } catch (RuntimeException e) {
                waits.fail(taskId, e);
            }
        }
    }

    private long sweep() {
        long now = now();
        long removed = 0;
        for (Map.Entry<String, Entry> e : store.map.entrySet()) {
            if (e.getValue().expired(now) && store.map.remove(e.getKey(), e.getValue())) {
                String k = e.getKey();
                if (k.startsWith(taskKeyPrefix()) || k.startsWith(groupKeyPrefix())) {
                    removed++;
                }
            }
        }
        return removed;
    }

    // ------------------------------------------------------------------------------------------
    // overrides

    @Override
    protected CompletableFuture<TaskMeta> doWaitForAsync(String taskId) {
        PendingWaits.Waiter w = waits.register(taskId);
        try {
            waits.offer(taskId, doGetTaskMeta(taskId)); // subscription is synchronous: nothing missed
        } catch (RuntimeException e) {
            w.result().completeExceptionally(e);
        }
        return w.result();
    }

    @Override
    protected CompletableFuture<TaskMeta> scheduleTimeout(CompletableFuture<TaskMeta> future, String taskId, Duration timeout) {
        return waits.withTimeout(future, taskId, timeout);
    }

    @Override
    protected long doCleanup() {
        return sweep();
    }

    @Override
    protected Stream<String> doTaskIds() {
        return liveKeysWithPrefix(taskKeyPrefix());
    }

    @Override
    protected Stream<String> doGroupIds() {
        return liveKeysWithPrefix(groupKeyPrefix());
    }

    private Stream<String> liveKeysWithPrefix(String prefix) {
        long now = now();
        return store.map.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && !e.getValue().expired(now))
                .map(e -> e.getKey().substring(prefix.length()));
    }

    @Override
    protected void doClose() {
        waits.close(new BackendClosedException(asUri()));
        store.backends.remove(this);
        if (storeName != null) {
            release(storeName, store);
        }
    }
}
