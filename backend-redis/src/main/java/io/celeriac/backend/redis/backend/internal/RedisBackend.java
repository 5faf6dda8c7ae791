package io.celeriac.backend.redis.backend.internal;

import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.CorruptResultException;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.ResultTooLargeException;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.backend.RedisBackendConfig;
import io.celeriac.backend.redis.backend.ResultForgottenException;
import io.celeriac.backend.redis.internal.Glob;
import io.celeriac.backend.redis.internal.PubSubConnection;
import io.celeriac.backend.redis.internal.RedisConnections;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.backend.redis.internal.SharedPipeline;
import io.celeriac.spi.AsyncCalls;
import io.celeriac.backend.spi.KeyValueBackend;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.Spliterators;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Celery's Redis result backend ({@code celery.backends.redis.RedisBackend} and {@code SentinelBackend})
 * on Jedis: the same keys, bytes, channels and chord protocol, so Python Celery and Java share results
 * both ways.
 *
 * <p>Results live at {@code [prefix]celery-task-meta-<id>} and groups at
 * {@code [prefix]celery-taskset-meta-<id>}, as Celery's JSON, written with {@code SETEX} (or {@code SET} when
 * results never expire) and {@code PUBLISH}ed on the key's channel. What this backend does better than
 * Celery:
 * <ul>
 *   <li>the guard that keeps a stored SUCCESS is one atomic Lua script (Celery reads, then writes);</li>
 *   <li>one subscriber connection serves every waiter; it subscribes <em>before</em> reading the current
 *       value, unsubscribes as soon as nobody waits (Celery leaks channels of tasks never waited for), and
 *       after a reconnect re-subscribes and re-reads every pending result;</li>
 *   <li>a chord completes exactly once among Java parts even when a part is reported twice or retried
 *       after a lost reply: the completing part claims the chord with one script that deletes its keys and
 *       records the claim for a minute under {@code <group key>.c}, so that a claim whose reply was lost
 *       with its connection learns on its retry that it won, and the body still fires once;</li>
 *   <li>connection failures are retried with {@link BackendOptions#retryPolicy()} and surface as
 *       {@link BackendUnavailableException} / {@link UnableToStoreResultException} with clear messages.</li>
 * </ul>
 *
 * <p>Open it with {@code Celeriac.discover().openBackend("redis://host:6379/0")} (through
 * {@link io.celeriac.backend.redis.backend.RedisBackendProvider}); {@link RedisConnectionConfig} lists the URL
 * forms and connection parameters, {@link RedisBackendConfig} the backend's own. Not an API: reach it through
 * the {@link io.celeriac.backend.Backend} interface. Thread-safe; close it to release its connections and
 * threads.
 */
public final class RedisBackend extends KeyValueBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBackend.class);
    private static final byte[] NEG_INF = "-inf".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] POS_INF = "+inf".getBytes(StandardCharsets.US_ASCII);
    private static final Duration CHORD_JOIN_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Pushes ARGV[1] onto the list KEYS[1] unless it is there already ({@code LPOS}, Redis 6.0.6 and later;
     * on an older server it pushes, as Celery does).
     */
    private static final byte[] PUSH_ONCE = ascii(String.join("\n",
            "local at = redis.pcall('LPOS', KEYS[1], ARGV[1])",
            "if type(at) == 'number' then return 0 end",
            "return redis.call('RPUSH', KEYS[1], ARGV[1])"));

    private final RedisBackendConfig config;
    private final boolean chordOrdered;
    private final RedisErrors errors;
    private final RedisConnections connections;
    private final UnifiedJedis client;
    /** Stores and reads of every thread, auto-pipelined; {@code null} when {@code pipeline_connections=0}. */
    private final SharedPipeline pipeline;
    private final byte[] ttlUnit;
    private final byte[] ttlAmount;
    private final Object listenerLock = new Object();
    private volatile ResultListener listener;

    /**
     * Opens a backend. Only {@code sentinel://} contacts a server now; the others connect on first use.
     *
     * @param config the configuration
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     * @throws BackendUnavailableException when no sentinel answers
     */
    public RedisBackend(RedisBackendConfig config) {
        super(config.url(), config.options(), EnumSet.allOf(BackendCapability.class),
                config.connection().globalKeyPrefix());
        this.config = config;
        this.chordOrdered = config.chordOrdered();
        RedisConnectionConfig connection = config.connection();
        this.errors = new RedisErrors(asUri(), config.url(), connection, RedisErrors.BACKEND);
        this.connections = RedisConnections.open(connection, errors);
        this.client = connections.client();
        this.pipeline = config.pipelineConnections() == 0 ? null
                : new SharedPipeline(connections::newPipelineConnection, config.pipelineConnections(), AsyncCalls.executor());
        Duration ttl = ttl();
        if (ttl == null) {
            ttlUnit = new byte[0];
            ttlAmount = new byte[0];
        } else if (ttl.toMillis() % 1000 == 0) {
            ttlUnit = ascii("EX");
            ttlAmount = ascii(Long.toString(ttl.toSeconds()));
        } else {
            ttlUnit = ascii("PX");
            ttlAmount = ascii(Long.toString(Math.max(1, ttl.toMillis())));
        }
    }

    /**
     * The settings this backend was opened with.
     *
     * @return the configuration
     */
    public RedisBackendConfig config() {
        return config;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs a Redis call, translating connection failures to {@link BackendUnavailableException}. */
    private <T> T call(Supplier<T> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    /** A write with the retry policy whose failures always name the task. */
    private <T> T write(String id, Supplier<T> op) {
        try {
            return retryingWrite(id, () -> call(op));
        } catch (BackendUnavailableException e) {
            throw new UnableToStoreResultException(id, asUri(), 1, e);
        }
    }

    @Override
    protected boolean isTransient(RuntimeException e) {
        return RedisErrors.isTransient(e) && !errors.failsFast(e);
    }

    // ------------------------------------------------------------------------------------------
    // primitives

    @Override
    protected byte[] get(String key) {
        try {
            return pipeline == null ? client.get(utf8(key)) : (byte[]) pipeline.call(getCommand(key));
        } catch (RuntimeException e) {
            throw readFailure(key, e);
        }
    }

    private static CommandArguments getCommand(String key) {
        return new CommandArguments(Protocol.Command.GET).key(utf8(key));
    }

    /** A read's failure: the typed error of a key of another type, or the translated driver error. */
    private RuntimeException readFailure(String key, RuntimeException e) {
        if (e instanceof JedisDataException && String.valueOf(e.getMessage()).startsWith("WRONGTYPE")) {
            return new CorruptResultException(key, "the key holds a Redis " + typeOf(key) + ", not a string", e);
        }
        return errors.translate(e);
    }

    /** What a pipelined call failed with, as the blocking call would throw it. */
    private static RuntimeException cause(Throwable t) {
        Throwable c = AsyncCalls.unwrap(t);
        if (c instanceof RuntimeException r) {
            return r;
        }
        if (c instanceof Error e) {
            throw e;
        }
        return new CompletionException(c);
    }

    /** Waits for a future of this backend's own, giving its failure as it is; an interrupt is kept for later. */
    private static <T> T await(CompletableFuture<T> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw cause(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    protected CompletableFuture<TaskMeta> doGetTaskMetaAsync(String taskId) {
        if (pipeline == null) {
            return super.doGetTaskMetaAsync(taskId);
        }
        String key = taskKey(taskId);
        return retryingReadAsync(taskId, () -> pipeline.submit(getCommand(key)).handle((reply, t) -> {
            if (t != null) {
                throw readFailure(key, cause(t));
            }
            return (byte[]) reply;
        })).thenApply(bytes -> bytes == null ? TaskMeta.pending(taskId) : decodeMeta(key, taskId, bytes));
    }

    /**
     * With the shared pipeline, the chunks' {@code MGET}s go out over its connections at once and each chunk is
     * decoded as soon as its reply is in, on the pool of threads, while the next replies are read.
     */
    @Override
    protected Map<String, TaskMeta> doGetMany(List<String> taskIds) {
        if (pipeline == null) {
            return super.doGetMany(taskIds);
        }
        return retryingRead(taskIds.get(0) + " and " + (taskIds.size() - 1) + " more", () -> await(getManyOnce(taskIds)));
    }

    @Override
    protected CompletableFuture<Map<String, TaskMeta>> doGetManyAsync(List<String> taskIds) {
        if (pipeline == null) {
            return super.doGetManyAsync(taskIds);
        }
        return retryingReadAsync(taskIds.get(0) + " and " + (taskIds.size() - 1) + " more", () -> getManyOnce(taskIds));
    }

    private CompletableFuture<Map<String, TaskMeta>> getManyOnce(List<String> taskIds) {
        int chunk = Math.max(1, mgetChunkSize());
        List<CompletableFuture<TaskMeta[]>> parts = new ArrayList<>(taskIds.size() / chunk + 1);
        for (int from = 0; from < taskIds.size(); from += chunk) {
            List<String> ids = taskIds.subList(from, Math.min(taskIds.size(), from + chunk));
            CommandArguments mget = new CommandArguments(Protocol.Command.MGET);
            String[] keys = new String[ids.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = taskKey(ids.get(i));
                mget.key(utf8(keys[i]));
            }
            parts.add(pipeline.submit(mget).handle((reply, t) -> {
                if (t != null) {
                    throw errors.translate(cause(t));
                }
                List<?> values = (List<?>) reply;
                TaskMeta[] metas = new TaskMeta[keys.length];
                for (int i = 0; i < metas.length; i++) {
                    byte[] v = (byte[]) values.get(i);
                    metas[i] = v == null ? TaskMeta.pending(ids.get(i)) : decodeMeta(keys[i], ids.get(i), v);
                }
                return metas;
            }));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Map<String, TaskMeta> out = new LinkedHashMap<>((int) (taskIds.size() / 0.75f) + 1);
            for (CompletableFuture<TaskMeta[]> part : parts) {
                for (TaskMeta m : part.join()) {
                    out.put(m.taskId(), m);
                }
            }
            return out;
        });
    }

    private String typeOf(String key) {
        try {
            return client.type(utf8(key));
        } catch (RuntimeException e) {
            return "value of another type";
        }
    }

    @Override
    protected List<byte[]> mget(List<String> keys) {
        byte[][] k = new byte[keys.size()][];
        for (int i = 0; i < k.length; i++) {
            k[i] = utf8(keys.get(i));
        }
        return call(() -> client.mget(k));
    }

    /** Every chunk's MGET in one pipeline: one round trip for all of them, Redis still serving others in between. */
    @Override
    protected List<List<byte[]>> mgetChunks(List<List<String>> chunks) {
        if (chunks.size() == 1) {
            return List.of(mget(chunks.get(0)));
        }
        return call(() -> {
            List<Response<List<byte[]>>> replies = new ArrayList<>(chunks.size());
            try (AbstractPipeline p = client.pipelined()) {
                for (List<String> keys : chunks) {
                    byte[][] k = new byte[keys.size()][];
                    for (int i = 0; i < k.length; i++) {
                        k[i] = utf8(keys.get(i));
                    }
                    replies.add(p.mget(k));
                }
                p.sync();
            }
            List<List<byte[]>> out = new ArrayList<>(replies.size());
            for (Response<List<byte[]>> r : replies) {
                out.add(r.get());
            }
            return out;
        });
    }

    @Override
    protected void set(String key, byte[] value, Duration ttl) {
        byte[] k = utf8(key);
        call(() -> {
            try (AbstractTransaction tx = client.multi()) {
                if (ttl == null) {
                    tx.set(k, value);
                } else if (ttl.toMillis() % 1000 == 0) {
                    tx.sendCommand(Protocol.Command.SETEX, k, ascii(Long.toString(ttl.toSeconds())), value);
                } else {
                    tx.sendCommand(Protocol.Command.PSETEX, k, ascii(Long.toString(Math.max(1, ttl.toMillis()))), value);
                }
                tx.publish(k, value);
                checkExec(tx.exec());
            }
            return null;
        });
    }

    private static List<Object> checkExec(List<Object> replies) {
        if (replies == null) {
            throw new JedisDataException("EXECABORT the transaction was discarded");
        }
        for (Object r : replies) {
            if (r instanceof RuntimeException e) {
                throw e;
            }
        }
        return replies;
    }

    @Override
    protected void delete(String key) {
        call(() -> client.del(utf8(key)));
    }

    @Override
    protected void expire(String key, Duration ttl) {
        call(() -> client.pexpire(utf8(key), Math.max(1, ttl.toMillis())));
    }

    @Override
    protected long incr(String key) {
        return call(() -> client.incr(utf8(key)));
    }

    @Override
    protected boolean setUnlessSuccess(String key, byte[] value, Duration ttl) {
        return call(() -> runStore(utf8(key), value));
    }

    /** The store script, on the shared pipeline (loaded with {@code EVAL} when Redis does not know it). */
    private boolean runStore(byte[] key, byte[] value) {
        if (pipeline == null) {
            return StoreScript.run(client, key, value, ttlUnit, ttlAmount);
        }
        try {
            return StoreScript.wrote(pipeline.call(StoreScript.evalsha(key, value, ttlUnit, ttlAmount)));
        } catch (JedisNoScriptException e) {
            return StoreScript.wrote(pipeline.call(StoreScript.eval(key, value, ttlUnit, ttlAmount)));
        }
    }

    // ------------------------------------------------------------------------------------------
    // writes

    @Override
    protected void doStore(TaskMeta meta) {
        byte[] value = encode(meta);
        byte[] key = utf8(taskKey(meta.taskId()));
        write(meta.taskId(), () -> runStore(key, value));
    }

    private byte[] encode(TaskMeta meta) {
        if (meta.result() instanceof String s && s.length() > maxValueSize() / 6) {
            // A string this long may exceed the limit once escaped: measure it before spending seconds and
            // hundreds of MiB encoding a value that would be refused.
            long size = CeleryJson.encodeMeta(meta.toBuilder().result(null).build(), options().peerVersion()).length - 4 + jsonStringLength(s);
            if (size > maxValueSize()) {
                throw new ResultTooLargeException(meta.taskId(), size, maxValueSize());
            }
        }
        byte[] value = CeleryJson.encodeMeta(meta, options().peerVersion());
        if (value.length > maxValueSize()) {
            throw new ResultTooLargeException(meta.taskId(), value.length, maxValueSize());
        }
        return value;
    }

    /**
     * The store on the shared pipeline without a blocked thread: the write is acknowledged when the future
     * completes; failures and retries are those of {@link #doStore}.
     */
    @Override
    protected CompletableFuture<Void> doStoreAsync(TaskMeta meta) {
        if (pipeline == null) {
            return super.doStoreAsync(meta);
        }
        byte[] value = encode(meta);
        byte[] key = utf8(taskKey(meta.taskId()));
        String id = meta.taskId();
        return retryingWriteAsync(id, () -> pipeline.submit(StoreScript.evalsha(key, value, ttlUnit, ttlAmount))
                .exceptionallyCompose(t -> AsyncCalls.unwrap(t) instanceof JedisNoScriptException
                        ? pipeline.submit(StoreScript.eval(key, value, ttlUnit, ttlAmount))
                        : CompletableFuture.failedFuture(t))
                .handle((reply, t) -> {
                    if (t != null) {
                        throw errors.translate(cause(t));
                    }
                    return (Void) null;
                })).exceptionally(t -> {
                    RuntimeException c = cause(t);
                    throw c instanceof BackendUnavailableException ? new UnableToStoreResultException(id, asUri(), 1, c) : c;
                });
    }

    /**
     * The length of a string once encoded as kombu's JSON (ASCII, quoted, with {@code \\uXXXX} escapes).
     *
     * @param s the string
     * @return its encoded length in bytes
     */
    static long jsonStringLength(String s) {
        long n = 2;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c >= ' ' && c <= '~') {
                n += (c == '"' || c == '\\') ? 2 : 1;
            } else {
                n += (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') ? 2 : 6;
            }
        }
        return n;
    }

    @Override
    protected void doSaveGroup(GroupResult group) {
        byte[] value = CeleryJson.encodeGroup(group);
        if (value.length > maxValueSize()) {
            throw new ResultTooLargeException(group.id(), value.length, maxValueSize());
        }
        String key = groupKey(group.id());
        write(group.id(), () -> {
            set(key, value, ttl());
            return null;
        });
    }

    @Override
    protected void doDeleteGroup(String groupId) {
        String key = groupKey(groupId);
        write(groupId, () -> {
            delete(key);
            return null;
        });
    }

    @Override
    protected void doForget(String taskId) {
        String key = taskKey(taskId);
        write(taskId, () -> {
            delete(key);
            return null;
        });
        ResultListener l = listener;
        if (l != null) {
            l.fail(taskId, new ResultForgottenException(taskId, asUri()));
        }
    }

    // ------------------------------------------------------------------------------------------
    // waits

    private ResultListener listener() {
        ResultListener l = listener;
        if (l == null) {
            synchronized (listenerLock) {
                l = listener;
                if (l == null) {
                    checkOpen();
                    l = new ResultListener(asUri(), new ListenerSource(), options.retryPolicy(),
                            config.connection().subscriberPingInterval(), errors::failsFast);
                    listener = l;
                }
            }
        }
        return l;
    }

    @Override
    protected CompletableFuture<TaskMeta> doWaitForAsync(String taskId) {
        return listener().waitFor(taskId);
    }

    @Override
    protected CompletableFuture<TaskMeta> scheduleTimeout(
            CompletableFuture<TaskMeta> future, String taskId, Duration timeout) {
        return listener().withTimeout(future, taskId, timeout);
    }

    /**
     * How many stores and reads went out on the shared pipeline, and in how many writes; for monitoring and tests.
     *
     * @return {commands, writes}, both 0 when {@code pipeline_connections=0}
     */
    public long[] pipelineCounts() {
        return pipeline == null ? new long[2] : new long[] {pipeline.commandsWritten(), pipeline.flushes()};
    }

    /**
     * How many tasks have at least one waiter on this backend (each is one subscribed channel).
     *
     * @return the count
     */
    public int pendingWaitCount() {
        ResultListener l = listener;
        return l == null ? 0 : l.pendingCount();
    }

    /**
     * How many times the subscriber connection was established (1 after the first wait, more after
     * reconnects); for monitoring.
     *
     * @return the count, 0 before the first wait
     */
    public long subscriberConnectCount() {
        ResultListener l = listener;
        return l == null ? 0 : l.connectCount();
    }

    /**
     * How many times the subscriber tried to make its connection (made or not); for monitoring and tests.
     *
     * @return the count, 0 before the first wait
     */
    public long subscriberConnectAttempts() {
        ResultListener l = listener;
        return l == null ? 0 : l.connectAttempts();
    }

    /** What the result listener needs from this backend. */
    private final class ListenerSource implements ResultListener.Source {
        @Override
        public PubSubConnection connect(Duration readTimeout) {
            return connections.newSubscriberConnection(readTimeout);
        }

        @Override
        public List<byte[]> fetch(List<String> taskIds) {
            List<String> keys = new ArrayList<>(taskIds.size());
            for (String id : taskIds) {
                keys.add(taskKey(id));
            }
            return mget(keys);
        }

        @Override
        public TaskMeta decode(String taskId, byte[] value) {
            return decodeMeta(taskKey(taskId), taskId, value);
        }

        @Override
        public byte[] channel(String taskId) {
            return utf8(taskKey(taskId));
        }

        @Override
        public String taskId(byte[] channel) {
            String c = new String(channel, StandardCharsets.UTF_8);
            String prefix = taskKeyPrefix();
            return c.startsWith(prefix) ? c.substring(prefix.length()) : null;
        }

        @Override
        public RuntimeException translate(RuntimeException e) {
            return errors.translate(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // chords: Celery's native Redis protocol

    private String chordJoinKey(String groupId) {
        return groupKey(groupId) + ".j";
    }

    private String chordDiffKey(String groupId) {
        return groupKey(groupId) + ".t";
    }

    private String chordSizeKey(String groupId) {
        return groupKey(groupId) + ".s";
    }

    /** celeriac's record of a won claim, for a retry of the claim whose reply was lost (not Celery's). */
    private String chordClaimKey(String groupId) {
        return groupKey(groupId) + ".c";
    }

    @Override
    protected void doSetChordSize(String groupId, int size) {
        String key = chordSizeKey(groupId);
        byte[] value = ascii(Integer.toString(size));
        write(groupId, () -> {
            set(key, value, ttl());
            return null;
        });
    }

    /** What one part's transaction saw. */
    private record PartCount(long count, byte[] diff, byte[] size) {
    }

    @Override
    protected Optional<ChordCompletion> doChordPartReturn(ChordPart part) {
        String gid = part.groupId();
        byte[] jkey = utf8(chordJoinKey(gid));
        byte[] tkey = utf8(chordDiffKey(gid));
        byte[] skey = utf8(chordSizeKey(gid));
        Object result = part.result() instanceof Throwable t ? exceptionInfo(t) : part.result();
        byte[] member = CeleryJson.encode(Arrays.asList(1L, part.taskId(), part.state().name(), result),
                options().peerVersion());
        double score = part.groupIndex() == null ? Double.POSITIVE_INFINITY : part.groupIndex();
        byte[] ownSize = part.chordSize() == null ? null : ascii(Integer.toString(part.chordSize()));
        Duration ttl = ttl();
        boolean ordered = chordOrdered;

        PartCount seen = write(part.taskId(), () -> {
            try (AbstractTransaction tx = client.multi()) {
                Response<Long> count;
                if (ordered) {
                    tx.zadd(jkey, score, member);
                    count = tx.zcount(jkey, NEG_INF, POS_INF);
                } else {
                    // a member already pushed (a retry after a lost reply, a duplicate report) is not pushed again:
                    // the list would count it twice and the chord never complete
                    tx.eval(PUSH_ONCE, List.of(jkey), List.of(member));
                    count = tx.llen(jkey);
                }
                if (ownSize != null) {
                    tx.set(skey, ownSize, SetParams.setParams().nx()); // the part knows the size: Celery's .s must exist
                }
                Response<byte[]> diff = tx.get(tkey);
                Response<byte[]> size = tx.get(skey);
                if (ttl != null) {
                    expire(tx, jkey, ttl);
                    expire(tx, tkey, ttl);
                    expire(tx, skey, ttl);
                }
                checkExec(tx.exec());
                return new PartCount(count.get(), diff.get(), size.get());
            }
        });
        if (seen.size() == null) {
            LOG.debug("Chord {} has no size (.s) yet; part {} counted", gid, part.taskId());
            return Optional.empty();
        }
        long total;
        try {
            total = Long.parseLong(new String(seen.size(), StandardCharsets.US_ASCII).strip())
                    + (seen.diff() == null ? 0 : Long.parseLong(new String(seen.diff(), StandardCharsets.US_ASCII).strip()));
        } catch (NumberFormatException e) {
            throw new CorruptResultException(chordSizeKey(gid), "the chord size is not an integer", e);
        }
        if (seen.count() != total) {
            return Optional.empty();
        }
        byte[] groupKeyBytes = utf8(groupKey(gid));
        byte[] claimKey = utf8(chordClaimKey(gid));
        // one token for this report: a retry of the claim after a lost reply finds its own win
        String token = UUID.randomUUID().toString();
        ChordClaimScript.Claim claim = write(part.taskId(),
                () -> ChordClaimScript.run(client, jkey, tkey, skey, groupKeyBytes, claimKey, token, ordered));
        if (!claim.won()) {
            LOG.debug("Chord {} was completed by another part", gid);
            return Optional.empty();
        }
        ExceptionInfo error = null;
        List<Object> results = null;
        if (claim.savedGroup() != null) {
            GroupResult header;
            try {
                header = CeleryJson.decodeGroup(claim.savedGroup());
            } catch (JsonFormatException e) {
                throw new CorruptResultException(groupKey(gid), e.getMessage(), e);
            }
            try {
                results = join(header.results());
            } catch (JoinError e) {
                error = ExceptionInfo.chordError("Join error: " + e.getMessage());
            }
        } else {
            results = new ArrayList<>();
            int n = (int) Math.min(total, claim.members().size());
            for (int i = 0; i < n; i++) {
                Object[] m;
                try {
                    m = unpack(chordJoinKey(gid), claim.members().get(i));
                } catch (CorruptResultException e) {
                    // the chord is claimed (its keys are gone): fail its body, as Celery's "Join error", rather
                    // than lose it
                    LOG.error("Chord {} cannot be joined: {}", gid, e.getMessage());
                    error = ExceptionInfo.chordError("Join error: " + e.getMessage());
                    results = null;
                    break;
                }
                TaskState state = TaskState.of(String.valueOf(m[2]));
                Object value = state.isException() ? CeleryJson.exceptionOrValue(m[3]) : m[3];
                if (state.propagates()) {
                    error = dependencyError(String.valueOf(m[1]), value);
                    results = null;
                    break;
                }
                results.add(value);
            }
        }
        return Optional.of(error != null
                ? new ChordCompletion(gid, part.body(), null, error)
                : new ChordCompletion(gid, part.body(), results, null));
    }

    private static void expire(AbstractTransaction tx, byte[] key, Duration ttl) {
        if (ttl.toMillis() % 1000 == 0) {
            tx.expire(key, ttl.toSeconds());
        } else {
            tx.pexpire(key, Math.max(1, ttl.toMillis()));
        }
    }

    private static Object[] unpack(String key, byte[] member) {
        Object decoded;
        try {
            decoded = CeleryJson.decode(member);
        } catch (JsonFormatException e) {
            throw new CorruptResultException(key, "a chord member is not JSON: " + e.getMessage(), e);
        }
        if (!(decoded instanceof List<?> l) || l.size() != 4) {
            throw new CorruptResultException(key, "a chord member is not [1, task_id, state, result]", null);
        }
        return l.toArray();
    }

    /** A member of a saved chord header failed or did not finish: Celery's {@code Join error}. */
    private static final class JoinError extends Exception {
        private static final long serialVersionUID = 1L;

        JoinError(String repr) {
            super(repr, null, false, false);
        }
    }

    /**
     * Joins a saved header (a group holding groups) as Celery's {@code GroupResult.join(propagate=True)}:
     * nested groups become lists; the first failed member raises.
     */
    private List<Object> join(List<ResultTuple> members) throws JoinError {
        LinkedHashSet<String> leaves = new LinkedHashSet<>();
        collectLeaves(members, leaves);
        Map<String, TaskMeta> metas;
        try {
            metas = waitForAll(leaves, CHORD_JOIN_TIMEOUT);
        } catch (WaitTimeoutException e) {
            throw new JoinError("TimeoutError('The operation timed out.')");
        }
        return joinWith(members, metas);
    }

    private static void collectLeaves(List<ResultTuple> members, LinkedHashSet<String> out) {
        for (ResultTuple t : members) {
            if (t.isGroup()) {
                collectLeaves(t.children(), out);
            } else {
                out.add(t.id());
            }
        }
    }

    private static List<Object> joinWith(List<ResultTuple> members, Map<String, TaskMeta> metas) throws JoinError {
        List<Object> out = new ArrayList<>(members.size());
        for (ResultTuple t : members) {
            if (t.isGroup()) {
                out.add(joinWith(t.children(), metas));
                continue;
            }
            TaskMeta m = metas.get(t.id());
            if (m.status().propagates()) {
                Object r = m.result();
                throw new JoinError(r instanceof ExceptionInfo e ? e.pythonRepr() : String.valueOf(r));
            }
            out.add(m.result());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // scans

    @Override
    protected Stream<String> doTaskIds() {
        return scan(taskKeyPrefix(), id -> true);
    }

    @Override
    protected Stream<String> doGroupIds() {
        // the chord keys share the group prefix: celery-taskset-meta-<gid>.j/.t/.s, and celeriac's claim record .c
        return scan(groupKeyPrefix(), id -> !(id.endsWith(".j") || id.endsWith(".t") || id.endsWith(".s") || id.endsWith(".c")));
    }

    /**
     * The ids of every key starting with {@code prefix}, one SCAN page (up to 1000 keys) at a time. As
     * SCAN guarantees, a key present for the whole scan is listed; one added or removed meanwhile may or
     * may not be, and a key may be listed twice if the keyspace is rehashed during the scan.
     */
    private Stream<String> scan(String prefix, Predicate<String> accept) {
        ScanParams params = new ScanParams().match(utf8(Glob.escape(prefix) + "*")).count(1000);
        Iterator<String> it = new Iterator<>() {
            private byte[] cursor = ascii("0");
            private boolean done;
            private final ArrayDeque<String> page = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (page.isEmpty() && !done) {
                    checkOpen();
                    byte[] c = cursor;
                    ScanResult<byte[]> r = retryingRead("SCAN " + prefix + "*", () -> call(() -> client.scan(c, params)));
                    cursor = r.getCursorAsBytes();
                    done = r.isCompleteIteration();
                    for (byte[] k : r.getResult()) {
                        String id = new String(k, StandardCharsets.UTF_8).substring(prefix.length());
                        if (accept.test(id)) {
                            page.add(id);
                        }
                    }
                }
                return !page.isEmpty();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.poll();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.NONNULL), false);
    }

    // ------------------------------------------------------------------------------------------

    @Override
    protected void doClose() {
        ResultListener l;
        synchronized (listenerLock) {
            l = listener;
        }
        try {
            if (l != null) {
                l.close(new BackendClosedException(asUri()));
            }
        } finally {
            try {
                if (pipeline != null) {
                    pipeline.close();
                }
            } finally {
                connections.close();
            }
        }
    }
}
