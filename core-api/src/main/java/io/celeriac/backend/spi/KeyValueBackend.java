package io.celeriac.backend.spi;

import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTooLargeException;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import io.celeriac.url.BackendUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Celery's key-value backend semantics ({@code KeyValueStoreBackend}) above six storage primitives:
 * {@link #get}, {@link #mget}, {@link #set}, {@link #delete}, {@link #expire} and {@link #incr}.
 *
 * <p>Results live at {@code celery-task-meta-<id>} and groups at {@code celery-taskset-meta-<id>}, as
 * Celery's JSON (see {@link CeleryJson}), expiring after {@code result_expires}; an optional global key
 * prefix is applied as Celery 5.3's {@code global_keyprefix} is (a {@code _} is appended unless it ends in
 * {@code : _ - .}). A stored SUCCESS is never overwritten: {@link #setUnlessSuccess} does it, atomically
 * within this process by default; override it with a server-side atomic operation for stores shared
 * between processes. Values over {@link #maxValueSize()} are refused. Reads of many ids go through
 * {@link #mget} in chunks of {@link #mgetChunkSize()}.
 *
 * <p>Chords are counted with {@link #incr} alone, so they complete exactly once on any store whose
 * {@code incr} is atomic: each part writes its result into a slot it takes with one {@code incr}, then
 * increments the chord's counter; the part that brings the counter to the header size reads every slot.
 */
public abstract class KeyValueBackend extends AbstractBackend {

    private static final Logger LOG = LoggerFactory.getLogger(KeyValueBackend.class);

    /** Celery's limit on a stored value: 512 MiB. */
    public static final long CELERY_MAX_VALUE_SIZE = 512L * 1024 * 1024;

    private static final byte[] SUCCESS_PREFIX = "{\"status\": \"SUCCESS\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS_PREFIX = "{\"status\": \"".getBytes(StandardCharsets.US_ASCII);
    private static final int LOCK_STRIPES = 64;

    private final String taskKeyPrefix;
    private final String groupKeyPrefix;
    private final String chordKeyPrefix;
    private final Object[] locks = new Object[LOCK_STRIPES];

    /**
     * Creates the base.
     *
     * @param url the backend URL
     * @param options the options
     * @param capabilities what the backend declares
     * @param globalKeyPrefix Celery 5.3's {@code global_keyprefix}, or {@code null}/empty for none
     */
    protected KeyValueBackend(BackendUrl url, BackendOptions options, Set<BackendCapability> capabilities,
                              String globalKeyPrefix) {
        super(url, options, capabilities);
        String p = normalizePrefix(globalKeyPrefix);
        this.taskKeyPrefix = p + "celery-task-meta-";
        this.groupKeyPrefix = p + "celery-taskset-meta-";
        this.chordKeyPrefix = p + "chord-unlock-";
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Celery's rule for {@code global_keyprefix}: a {@code _} is appended unless the prefix ends in one of
     * {@code : _ - .}.
     *
     * @param prefix the configured prefix, may be {@code null}
     * @return the prefix to put before every key ({@code ""} for none)
     */
    public static String normalizePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        char last = prefix.charAt(prefix.length() - 1);
        return (last == ':' || last == '_' || last == '-' || last == '.') ? prefix : prefix + "_";
    }

    // ------------------------------------------------------------------------------------------
    // keys

    /**
     * The key of a task's result: {@code [prefix]celery-task-meta-<id>}.
     *
     * @param taskId the id
     * @return the key
     */
    public String taskKey(String taskId) {
        return taskKeyPrefix + taskId;
    }

    /**
     * The key of a saved group: {@code [prefix]celery-taskset-meta-<id>}.
     *
     * @param groupId the id
     * @return the key
     */
    public String groupKey(String groupId) {
        return groupKeyPrefix + groupId;
    }

    /**
     * The key of a chord's counter: {@code [prefix]chord-unlock-<id>}.
     *
     * @param groupId the chord's group id
     * @return the key
     */
    public String chordKey(String groupId) {
        return chordKeyPrefix + groupId;
    }

    /** @return the prefix of every task key */
    protected String taskKeyPrefix() {
        return taskKeyPrefix;
    }

    /** @return the prefix of every group key */
    protected String groupKeyPrefix() {
        return groupKeyPrefix;
    }

    // ------------------------------------------------------------------------------------------
    // primitives

    /**
     * Reads a value.
     *
     * @param key the key
     * @return the value, or {@code null} when absent (or expired)
     */
    protected abstract byte[] get(String key);

    /**
     * Reads several values in one round trip.
     *
     * @param keys the keys
     * @return the values in the same order, {@code null} for absent keys
     */
    protected abstract List<byte[]> mget(List<String> keys);

    /**
     * Writes a value, with an expiry, and publishes it to waiters where the store can.
     *
     * @param key the key
     * @param value the value
     * @param ttl the expiry, or {@code null} for none
     */
    protected abstract void set(String key, byte[] value, Duration ttl);

    /**
     * Deletes a key; nothing happens when it is absent.
     *
     * @param key the key
     */
    protected abstract void delete(String key);

    /**
     * Sets a key's expiry.
     *
     * @param key the key
     * @param ttl the expiry
     */
    protected abstract void expire(String key, Duration ttl);

    /**
     * Increments the integer stored at {@code key} by one, atomically, creating it at 0 first.
     *
     * @param key the key
     * @return the new value
     */
    protected abstract long incr(String key);

    /**
     * Writes a meta unless the stored one is SUCCESS. The default reads and then writes under a striped
     * lock: atomic within this process only. Override with a server-side atomic operation.
     *
     * @param key the key
     * @param value the encoded meta
     * @param ttl the expiry, or {@code null}
     * @return whether the value was written
     */
    protected boolean setUnlessSuccess(String key, byte[] value, Duration ttl) {
        synchronized (locks[Math.floorMod(key.hashCode(), LOCK_STRIPES)]) {
            byte[] current = get(key);
            if (current != null && isSuccess(current)) {
                return false;
            }
            set(key, value, ttl);
            return true;
        }
    }

    /**
     * Whether encoded meta bytes have status SUCCESS, decoding only when the fast check cannot tell.
     *
     * @param meta encoded meta bytes
     * @return {@code true} for a SUCCESS meta
     */
    protected static boolean isSuccess(byte[] meta) {
        if (startsWith(meta, SUCCESS_PREFIX)) {
            return true;
        }
        if (startsWith(meta, STATUS_PREFIX)) {
            return false;
        }
        try {
            Object v = CeleryJson.decode(meta);
            return v instanceof Map<?, ?> m && "SUCCESS".equals(m.get("status"));
        } catch (JsonFormatException e) {
            return false;
        }
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * The largest encoded value the store accepts.
     *
     * @return 512 MiB, as Celery
     */
    protected long maxValueSize() {
        return CELERY_MAX_VALUE_SIZE;
    }

    /**
     * How many keys one {@link #mget} reads at most.
     *
     * @return 1000
     */
    protected int mgetChunkSize() {
        return 1000;
    }

    /** @return the expiry of new values, or {@code null} when results never expire */
    protected Duration ttl() {
        return options.expiry().orElse(null);
    }

    // ------------------------------------------------------------------------------------------
    // Celery semantics

    @Override
    protected void doStore(TaskMeta meta) {
        byte[] bytes = CeleryJson.encodeMeta(meta, options().peerVersion());
        if (bytes.length > maxValueSize()) {
            throw new ResultTooLargeException(meta.taskId(), bytes.length, maxValueSize());
        }
        String key = taskKey(meta.taskId());
        retryingWrite(meta.taskId(), () -> setUnlessSuccess(key, bytes, ttl()));
    }

    @Override
    protected TaskMeta doGetTaskMeta(String taskId) {
        String key = taskKey(taskId);
        byte[] bytes = retryingRead(taskId, () -> get(key));
        return bytes == null ? TaskMeta.pending(taskId) : decodeMeta(key, taskId, bytes);
    }

    /**
     * Decodes stored meta bytes, naming the key when they are not a Celery result.
     *
     * @param key the key they were read from
     * @param taskId the task id
     * @param bytes the bytes
     * @return the meta, with {@code taskId} set when the document has none
     * @throws CorruptResultException when the bytes are not a Celery meta
     */
    protected TaskMeta decodeMeta(String key, String taskId, byte[] bytes) {
        try {
            TaskMeta m = CeleryJson.decodeMeta(bytes, taskId);
            return m.taskId() == null ? m.withTaskId(taskId) : m;
        } catch (JsonFormatException e) {
            throw new CorruptResultException(key, e.getMessage(), e);
        }
    }

    @Override
    protected Map<String, TaskMeta> doGetMany(List<String> taskIds) {
        int chunk = Math.max(1, mgetChunkSize());
        List<String> keys = new ArrayList<>(taskIds.size());
        for (String id : taskIds) {
            keys.add(taskKey(id));
        }
        List<List<String>> chunks = new ArrayList<>(taskIds.size() / chunk + 1);
        for (int i = 0; i < keys.size(); i += chunk) {
            chunks.add(keys.subList(i, Math.min(keys.size(), i + chunk)));
        }
        List<List<byte[]>> values = retryingRead(taskIds.get(0) + " and " + (taskIds.size() - 1) + " more",
                () -> mgetChunks(chunks));
        Map<String, TaskMeta> out = new LinkedHashMap<>((int) (taskIds.size() / 0.75f) + 1);
        int j = 0;
        for (List<byte[]> part : values) {
            for (byte[] v : part) {
                String id = taskIds.get(j);
                out.put(id, v == null ? TaskMeta.pending(id) : decodeMeta(keys.get(j), id, v));
                j++;
            }
        }
        return out;
    }

    /**
     * Reads the values of several chunks of keys (each at most {@link #mgetChunkSize()} long), one
     * {@link #mget} per chunk. A store with pipelining overrides it to send every chunk's command before
     * reading the first reply, so that the chunks cost one round trip rather than one each.
     *
     * @param chunks the keys, chunk by chunk
     * @return the values of each chunk, in order, {@code null} for a missing key
     */
    protected List<List<byte[]>> mgetChunks(List<List<String>> chunks) {
        List<List<byte[]>> out = new ArrayList<>(chunks.size());
        for (List<String> keys : chunks) {
            out.add(mget(keys));
        }
        return out;
    }

    @Override
    protected void doSaveGroup(GroupResult group) {
        byte[] bytes = CeleryJson.encodeGroup(group);
        retryingWrite(group.id(), () -> {
            set(groupKey(group.id()), bytes, ttl());
            return null;
        });
    }

    @Override
    protected Optional<GroupResult> doRestoreGroup(String groupId) {
        String key = groupKey(groupId);
        byte[] bytes = retryingRead(groupId, () -> get(key));
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CeleryJson.decodeGroup(bytes));
        } catch (JsonFormatException e) {
            throw new CorruptResultException(key, e.getMessage(), e);
        }
    }

    @Override
    protected void doDeleteGroup(String groupId) {
        retryingWrite(groupId, () -> {
            delete(groupKey(groupId));
            return null;
        });
    }

    @Override
    protected void doForget(String taskId) {
        retryingWrite(taskId, () -> {
            delete(taskKey(taskId));
            return null;
        });
    }

    @Override
    protected long doCleanup() {
        return 0; // key-value stores expire results natively
    }

    // ------------------------------------------------------------------------------------------
    // chords

    private String chordSizeKey(String groupId) {
        return chordKey(groupId) + ".size";
    }

    private String chordSeqKey(String groupId) {
        return chordKey(groupId) + ".seq";
    }

    private String chordSlotKey(String groupId, long slot) {
        return chordKey(groupId) + ".part." + slot;
    }

    @Override
    protected void doSetChordSize(String groupId, int size) {
        retryingWrite(groupId, () -> {
            set(chordSizeKey(groupId), Integer.toString(size).getBytes(StandardCharsets.US_ASCII), ttl());
            return null;
        });
    }

    @Override
    protected Optional<ChordCompletion> doChordPartReturn(ChordPart part) {
        String gid = part.groupId();
        Duration ttl = ttl();
        List<Object> member = new ArrayList<>(4);
        member.add(part.groupIndex() == null ? null : (long) part.groupIndex());
        member.add(part.taskId());
        member.add(part.state().name());
        member.add(part.result());
        byte[] encoded = CeleryJson.encode(member, options().peerVersion());
        long count = retryingWrite(part.taskId(), () -> {
            long slot = incr(chordSeqKey(gid));
            set(chordSlotKey(gid, slot), encoded, ttl);
            long n = incr(chordKey(gid));
            if (ttl != null) {
                expire(chordSeqKey(gid), ttl);
                expire(chordKey(gid), ttl);
            }
            return n;
        });
        Integer size = part.chordSize();
        if (size == null) {
            byte[] s = retryingRead(gid, () -> get(chordSizeKey(gid)));
            if (s == null) {
                LOG.warn("Chord {} has no recorded size (set_chord_size was never called or expired); part {} counted, chord not completed",
                        gid, part.taskId());
                return Optional.empty();
            }
            size = Integer.parseInt(new String(s, StandardCharsets.US_ASCII).trim());
        }
        if (count < size) {
            return Optional.empty();
        }
        if (count > size) {
            LOG.warn("Chord {} counter incremented too many times: {} for a header of {}", gid, count, size);
            return Optional.empty();
        }
        int n = size;
        List<String> slots = new ArrayList<>(n);
        for (long i = 1; i <= n; i++) {
            slots.add(chordSlotKey(gid, i));
        }
        List<byte[]> values = retryingRead(gid, () -> mget(slots));
        List<Object[]> members = new ArrayList<>(n);
        for (int i = 0; i < values.size(); i++) {
            byte[] v = values.get(i);
            if (v == null) {
                throw new CorruptResultException(slots.get(i), "a chord part result is missing (expired?)", null);
            }
            Object decoded = CeleryJson.decode(v);
            if (!(decoded instanceof List<?> l) || l.size() != 4) {
                throw new CorruptResultException(slots.get(i), "not a chord part [index, task_id, state, result]", null);
            }
            members.add(new Object[]{l.get(0), l.get(1), l.get(2), l.get(3), (long) i});
        }
        members.sort(Comparator.comparingLong(m -> m[0] instanceof Number num ? num.longValue() : Long.MAX_VALUE - n + (Long) m[4]));
        List<Object> results = new ArrayList<>(n);
        ExceptionInfo error = null;
        for (Object[] m : members) {
            TaskState state = TaskState.of(String.valueOf(m[2]));
            Object value = state.isException() ? CeleryJson.exceptionOrValue(m[3]) : m[3];
            if (state.propagates()) {
                error = dependencyError(String.valueOf(m[1]), value);
                break;
            }
            results.add(value);
        }
        retryingWrite(gid, () -> {
            for (String slot : slots) {
                delete(slot);
            }
            delete(chordSeqKey(gid));
            delete(chordKey(gid));
            delete(chordSizeKey(gid));
            return null;
        });
        return Optional.of(error != null
                ? new ChordCompletion(gid, part.body(), null, error)
                : new ChordCompletion(gid, part.body(), results, null));
    }
}
