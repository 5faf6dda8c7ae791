package io.celeriac.backend.jdbc.backend.internal;

import com.zaxxer.hikari.HikariDataSource;
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
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.backend.jdbc.backend.SchemaMismatchException;
import io.celeriac.backend.jdbc.internal.DataSources;
import io.celeriac.backend.jdbc.internal.SqlErrors;
import io.celeriac.backend.jdbc.internal.SqlFailure;
import io.celeriac.backend.spi.AbstractBackend;
import io.celeriac.backend.spi.PendingWaits;
import io.celeriac.backend.spi.PollingWaiter;
import io.celeriac.spi.AsyncCalls;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Celery's database result backend on PostgreSQL or SQLite: Celery's tables and row format, atomic
 * upserts that never overwrite a SUCCESS, push waits on PostgreSQL ({@code LISTEN/NOTIFY}) and batched
 * polling on SQLite, an atomic chord counter in celeriac's own table, and cleanup of expired rows,
 * including those Celery leaves without a {@code date_done}.
 *
 * <p>Concurrent calls share round trips ({@link JdbcBackendConfig#BATCHING}, on by default): stores that arrive while
 * a store is in flight are written together in the next transaction (one JDBC batch of the same upsert, in their
 * order; when it fails, one by one with the retry policy, so that only the bad call fails), and on PostgreSQL single
 * reads that arrive while reads are in flight are answered by one {@code SELECT ... = ANY(?)}. A lone call runs its
 * own statement at once. A large {@code getMany} is read in a few parts at once, on their own pooled connections.
 *
 * <p>Open one through {@code Celeriac.openBackend("db+postgresql://...")} or
 * {@link io.celeriac.backend.jdbc.backend.JdbcBackendProvider}. Thread-safe; close it to release the pool and the
 * listener.
 */
public final class JdbcBackend extends AbstractBackend {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcBackend.class);

    /** The largest result column written: SQLite's default limit, just under PostgreSQL's 1 GiB. */
    static final long MAX_VALUE_SIZE = 1_000_000_000L;
    /** The most stores one transaction takes. */
    static final int MAX_STORE_BATCH = 256;
    /** How many batched single reads run at once (each on its own pooled connection). */
    static final int READS_IN_FLIGHT = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    /** The size of a {@code getMany} below which it is read in one statement on the caller's thread. */
    static final int PARALLEL_MANY = 2_000;
    /** How many statements at most read one {@code getMany} at the same time, each on its own pooled connection. */
    static final int MANY_PARALLELISM = 4;

    private final JdbcBackendConfig config;
    private final Dialect dialect;
    private final ResultCodec codec;
    private final SqlErrors errors;
    private final Connection anchor;
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final PgNotifications notifications;
    private final PollingWaiter poller;
    /** Concurrent stores, combined into one transaction per batch; {@code null} when batching is off. */
    private final Combiner<StoreCall> stores;
    /** Concurrent single reads on PostgreSQL, combined into one statement per batch; {@code null} otherwise. */
    private final Combiner<ReadCall> reads;
    private final java.util.concurrent.atomic.LongAdder batchedStores = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder batchedReads = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder batchFallbacks = new java.util.concurrent.atomic.LongAdder();

    /**
     * Opens the backend: builds the pool, connects, and creates or validates the schema as
     * {@link JdbcConnectionConfig#schemaMode()} says.
     *
     * @param config the parsed configuration: the URL, the options, the connection and the backend's settings
     * @throws BackendUnavailableException when the database cannot be reached (message with the masked URL)
     * @throws SchemaMismatchException when the tables are missing or of the wrong shape
     */
    public JdbcBackend(JdbcBackendConfig config) {
        super(config.url(), withPollInterval(config.options(), config.pollInterval()), capabilities(config));
        this.config = config;
        this.errors = new SqlErrors(asUri(), config.connection().secrets(), BackendUnavailableException::new);
        this.dialect = config.connection().database() == JdbcConnectionConfig.Database.POSTGRESQL
                ? new PostgresDialect(config) : new SqliteDialect(config);
        this.codec = new ResultCodec(config, this.options.resultExpires());
        Connection anchorConnection = null;
        HikariDataSource ds = null;
        try {
            if (config.connection().database() == JdbcConnectionConfig.Database.SQLITE && config.connection().sqlitePath().isEmpty()) {
                // an in-memory database lives as long as one connection to it: this one
                anchorConnection = DataSources.sqlite(config.connection()).getConnection();
            }
            ds = DataSources.pool(config.connection());
            this.jdbi = Jdbi.create(ds);
            List<String> problems = jdbi.withHandle(dialect::prepareSchema);
            if (!problems.isEmpty()) {
                throw new SchemaMismatchException(asUri(), problems);
            }
        } catch (RuntimeException | SQLException e) {
            closeQuietly(ds, anchorConnection);
            throw opening(e);
        }
        this.anchor = anchorConnection;
        this.pool = ds;
        if (dialect instanceof PostgresDialect pg) {
            Duration sweep = pg.triggerInstalled() ? Duration.ofSeconds(30) : config.pollInterval();
            this.notifications = new PgNotifications(asUri(), () -> DataSources.listenConnection(config.connection()), pg.channel(),
                    this::readForWaiters, errors, sweep);
            this.poller = null;
        } else {
            this.notifications = null;
            this.poller = new PollingWaiter("jdbc-sqlite", this::readForWaiters, Duration.ofMillis(5), config.pollInterval());
        }
        // one store batch at a time keeps two stores of one id in their order; reads may overlap
        this.stores = config.batching() ? new Combiner<>(MAX_STORE_BATCH, 1, this::storeBatch, AsyncCalls.executor()) : null;
        this.reads = config.batching() && dialect instanceof PostgresDialect
                ? new Combiner<>(dialect.batchSize(), READS_IN_FLIGHT, this::readBatch, AsyncCalls.executor()) : null;
        LOG.debug("Opened {} (tasks in {}, groups in {}, {} result column{})", asUri(), config.taskTable(),
                config.groupTable(), config.resultFormat().name().toLowerCase(java.util.Locale.ROOT),
                dialect instanceof PostgresDialect pg ? ", notify trigger " + (pg.triggerInstalled() ? "installed" : "absent") : "");
    }

    private static BackendOptions withPollInterval(BackendOptions options, Duration pollInterval) {
        return options.pollInterval().equals(pollInterval) ? options : options.toBuilder().pollInterval(pollInterval).build();
    }

    private static Set<BackendCapability> capabilities(JdbcBackendConfig config) {
        EnumSet<BackendCapability> caps = EnumSet.of(BackendCapability.READ, BackendCapability.WAIT, BackendCapability.FORGET,
                BackendCapability.GROUPS, BackendCapability.CHORDS, BackendCapability.CLEANUP, BackendCapability.SCAN,
                BackendCapability.EXPIRY);
        if (config.connection().database() == JdbcConnectionConfig.Database.POSTGRESQL) {
            caps.add(BackendCapability.PUSH_WAIT);
        }
        return caps;
    }

    private RuntimeException opening(Exception e) {
        if (e instanceof SchemaMismatchException s) {
            return s;
        }
        RuntimeException t = errors.translate(e);
        if (t instanceof BackendUnavailableException) {
            return t;
        }
        SQLException sql = SqlErrors.sqlCause(e);
        if (sql != null && (SqlErrors.isConnectionError(sql) || "28P01".equals(sql.getSQLState())
                || "28000".equals(sql.getSQLState()) || "3D000".equals(sql.getSQLState())
                || sql.getClass().getName().equals("org.sqlite.SQLiteException"))) {
            return new BackendUnavailableException(asUri(), errors.describe(sql), errors.safeCause(sql));
        }
        if (t instanceof SqlFailure f) {
            return new SchemaMismatchException(asUri(), List.of("preparing the tables failed: " + f.getMessage()));
        }
        return t;
    }

    private static void closeQuietly(HikariDataSource ds, Connection anchor) {
        if (ds != null) {
            ds.close();
        }
        if (anchor != null) {
            try {
                anchor.close();
            } catch (SQLException ignored) {
                // nothing to do
            }
        }
    }

    /**
     * The parsed configuration.
     *
     * @return the configuration
     */
    public JdbcBackendConfig config() {
        return config;
    }

    /**
     * Whether PostgreSQL's notify trigger is installed on the task table (so that Python's writes wake
     * celeriac's waiters at once).
     *
     * @return {@code true} when the trigger is installed; always {@code false} on SQLite
     */
    public boolean notifyTriggerInstalled() {
        return dialect instanceof PostgresDialect pg && pg.triggerInstalled();
    }

    /**
     * The PostgreSQL channel waiters listen on ({@code celeriac:<schema>.<table>}).
     *
     * @return the channel, or empty on SQLite
     */
    public Optional<String> notifyChannel() {
        return dialect instanceof PostgresDialect pg ? Optional.of(pg.channel()) : Optional.empty();
    }

    /**
     * How many times the PostgreSQL listener reconnected after losing its connection.
     *
     * @return the count; 0 on SQLite
     */
    public int listenerReconnects() {
        return notifications == null ? 0 : notifications.reconnects();
    }

    /**
     * How many stores were committed in a transaction shared with other stores (see {@link JdbcBackendConfig#BATCHING});
     * for monitoring and tests.
     *
     * @return the count since the backend was opened
     */
    public long batchedStores() {
        return batchedStores.sum();
    }

    /**
     * How many single reads were answered by a statement shared with other reads (PostgreSQL, see
     * {@link JdbcBackendConfig#BATCHING}); for monitoring and tests.
     *
     * @return the count since the backend was opened
     */
    public long batchedReads() {
        return batchedReads.sum();
    }

    /**
     * How many batches of stores or reads failed as a whole and were then run call by call, so that only the bad
     * call failed; for monitoring and tests.
     *
     * @return the count since the backend was opened
     */
    public long batchFallbacks() {
        return batchFallbacks.sum();
    }

    /**
     * The DDL of every table and sequence this backend uses, as {@code create} mode runs it.
     *
     * @return the statements, in order
     */
    public List<String> schemaStatements() {
        return dialect.ddl();
    }

    /**
     * The DDL {@code create} mode runs for a configuration, without connecting.
     *
     * @param config the configuration
     * @return the statements, in order
     */
    public static List<String> schemaStatements(JdbcBackendConfig config) {
        Dialect d = config.connection().database() == JdbcConnectionConfig.Database.POSTGRESQL
                ? new PostgresDialect(config) : new SqliteDialect(config);
        return d.ddl();
    }

    // ------------------------------------------------------------------------------------------
    // plumbing

    private <T> T sql(HandleCallback<T, RuntimeException> callback) {
        try {
            return jdbi.withHandle(callback);
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    /** A statement on the hot path, run on a pooled connection (see {@link Dialect}). */
    private interface ConnectionCallback<T> {
        T apply(Connection c) throws SQLException;
    }

    /**
     * Runs a hot-path statement on a connection borrowed straight from the pool (auto-commit, as the pool
     * hands it out) and returns the connection whatever happens. A JDBI handle is not needed for one plain
     * statement, and opening one (it copies JDBI's configuration) cost about as much CPU as the statement.
     */
    private <T> T jdbc(ConnectionCallback<T> callback) {
        try (Connection c = pool.getConnection()) {
            return callback.apply(c);
        } catch (SQLException | RuntimeException e) {
            throw errors.translate(e);
        }
    }

    @Override
    protected boolean isTransient(RuntimeException e) {
        return e instanceof BackendUnavailableException || (e instanceof SqlFailure f && f.retryable());
    }

    private PendingWaits localWaits() {
        return notifications != null ? notifications.waits() : poller.waits();
    }

    private Instant now() {
        return Instant.now(options.clock());
    }

    /** Reads metas for waiters, once, failing the waiters of a corrupt row rather than the whole batch. */
    private Map<String, TaskMeta> readForWaiters(List<String> ids) {
        Map<String, TaskMeta> out = new LinkedHashMap<>(ids.size() * 2);
        int chunk = dialect.batchSize();
        for (int i = 0; i < ids.size(); i += chunk) {
            List<String> part = ids.subList(i, Math.min(ids.size(), i + chunk));
            List<TaskRow> rows;
            try {
                rows = jdbc(c -> dialect.selectTasks(c, part));
            } catch (CorruptResultException batchFailed) {
                // a row that cannot even be read (a bad date_done): read the batch one id at a time
                for (String id : part) {
                    try {
                        jdbc(c -> dialect.selectTask(c, id)).ifPresent(r -> out.put(id, toMeta(r)));
                    } catch (CorruptResultException e) {
                        localWaits().fail(id, e);
                    }
                }
                continue;
            }
            for (TaskRow r : rows) {
                try {
                    out.put(r.taskId(), toMeta(r));
                } catch (CorruptResultException e) {
                    localWaits().fail(r.taskId(), e);
                }
            }
        }
        return out;
    }

    private TaskMeta toMeta(TaskRow r) {
        return codec.toMeta(r, dialect.taskRow(r.taskId()), options.resultExtended());
    }

    // ------------------------------------------------------------------------------------------
    // hooks

    private TaskRow rowOf(TaskMeta meta) {
        TaskRow row = codec.toRow(meta);
        if (row.result() != null && row.result().length > MAX_VALUE_SIZE) {
            throw new ResultTooLargeException(meta.taskId(), row.result().length, MAX_VALUE_SIZE);
        }
        return row;
    }

    @Override
    protected void doStore(TaskMeta meta) {
        TaskRow row = rowOf(meta);
        if (stores != null) {
            stores.submit(new StoreCall(meta, row));
            return;
        }
        storeOne(meta, row);
    }

    @Override
    protected CompletableFuture<Void> doStoreAsync(TaskMeta meta) {
        if (stores == null) {
            return super.doStoreAsync(meta);
        }
        TaskRow row = rowOf(meta);
        return stores.submitAsync(new StoreCall(meta, row)).thenApply(written -> null);
    }

    /** A store waiting for its batch. */
    private static final class StoreCall extends Combiner.Call<Boolean> {
        final TaskMeta meta;
        final TaskRow row;

        StoreCall(TaskMeta meta, TaskRow row) {
            this.meta = meta;
            this.row = row;
        }

        @Override
        boolean fits(List<? extends Combiner.Call<?>> batch) {
            return ((StoreCall) batch.get(0)).meta.extended() == meta.extended(); // one statement per batch
        }
    }

    /**
     * Writes a batch of stores in one transaction; when that fails, writes them one by one, each with the retry
     * policy, so that only a bad one fails (with its own error).
     */
    private void storeBatch(List<StoreCall> batch) {
        if (batch.size() > 1 && !isClosed()) {
            List<TaskRow> rows = new ArrayList<>(batch.size());
            for (StoreCall call : batch) {
                rows.add(call.row);
            }
            boolean[] written = null;
            try {
                written = jdbc(c -> dialect.upsertTasks(c, rows, batch.get(0).meta.extended()));
            } catch (RuntimeException e) {
                batchFallbacks.increment();
                LOG.debug("A batch of {} stores failed ({}); writing them one by one", batch.size(), e.getMessage());
            }
            if (written != null) {
                batchedStores.add(written.length);
                for (int i = 0; i < written.length; i++) {
                    StoreCall call = batch.get(i);
                    offerToLocalWaiters(call.meta, call.row, written[i]);
                    call.outcome.complete(written[i]);
                }
                return;
            }
        }
        for (StoreCall call : batch) {
            try {
                call.outcome.complete(storeOne(call.meta, call.row));
            } catch (RuntimeException e) {
                call.outcome.completeExceptionally(e);
            }
        }
    }

    /** One store in its own statement, with the retry policy, as without batching. */
    private boolean storeOne(TaskMeta meta, TaskRow row) {
        boolean written = retryingWrite(meta.taskId(), () -> jdbc(c -> dialect.upsertTask(c, row, meta.extended())));
        offerToLocalWaiters(meta, row, written);
        return written;
    }

    private void offerToLocalWaiters(TaskMeta meta, TaskRow row, boolean written) {
        if (written && meta.isReady()) {
            PendingWaits w = localWaits();
            if (w.isPending(meta.taskId())) {
                try {
                    w.offer(meta.taskId(), toMeta(row)); // waiters in this process need not wait for the round trip
                } catch (CorruptResultException e) {
                    w.fail(meta.taskId(), e);
                }
            }
        }
    }

    @Override
    protected TaskMeta doGetTaskMeta(String taskId) {
        if (reads != null) {
            return reads.submit(new ReadCall(taskId));
        }
        return readOne(taskId);
    }

    @Override
    protected CompletableFuture<TaskMeta> doGetTaskMetaAsync(String taskId) {
        if (reads == null) {
            return super.doGetTaskMetaAsync(taskId);
        }
        return reads.submitAsync(new ReadCall(taskId));
    }

    private TaskMeta readOne(String taskId) {
        Optional<TaskRow> row = retryingRead(taskId, () -> jdbc(c -> dialect.selectTask(c, taskId)));
        return row.map(this::toMeta).orElseGet(() -> TaskMeta.pending(taskId));
    }

    /** A single read waiting for its batch. */
    private static final class ReadCall extends Combiner.Call<TaskMeta> {
        final String taskId;

        ReadCall(String taskId) {
            this.taskId = taskId;
        }
    }

    /**
     * Reads a batch of single reads in one statement, each row decoded for its own caller (a corrupt row fails its
     * callers only); when the statement fails, reads them one by one, each with the retry policy.
     */
    private void readBatch(List<ReadCall> batch) {
        if (batch.size() > 1 && !isClosed()) {
            List<String> ids = new ArrayList<>(batch.size());
            for (ReadCall call : batch) {
                ids.add(call.taskId);
            }
            Map<String, TaskRow> byId = null;
            try {
                List<TaskRow> rows = jdbc(c -> dialect.selectTasks(c, ids));
                byId = new HashMap<>(rows.size() * 2);
                for (TaskRow r : rows) {
                    byId.put(r.taskId(), r);
                }
            } catch (RuntimeException e) {
                batchFallbacks.increment();
                LOG.debug("A batch of {} reads failed ({}); reading them one by one", batch.size(), e.getMessage());
            }
            if (byId != null) {
                batchedReads.add(batch.size());
                for (ReadCall call : batch) {
                    try {
                        TaskRow r = byId.get(call.taskId);
                        call.outcome.complete(r == null ? TaskMeta.pending(call.taskId) : toMeta(r));
                    } catch (RuntimeException e) {
                        call.outcome.completeExceptionally(e);
                    }
                }
                return;
            }
        }
        for (ReadCall call : batch) {
            try {
                call.outcome.complete(readOne(call.taskId));
            } catch (RuntimeException e) {
                call.outcome.completeExceptionally(e);
            }
        }
    }

    @Override
    protected Map<String, TaskMeta> doGetMany(List<String> taskIds) {
        // every id, in order, PENDING when it has no row: getMany then returns this very map. A large read is split
        // into a few parts read at once on their own pooled connections, each decoded on the thread that read it.
        int n = taskIds.size();
        int parts = n < PARALLEL_MANY ? 1 : Math.min(Math.min(MANY_PARALLELISM, config.connection().poolSize()), n / (PARALLEL_MANY / 2));
        int size = (n + parts - 1) / parts;
        List<Part> others = new ArrayList<>(parts - 1);
        for (int i = size; i < n; i += size) {
            Part part = new Part(taskIds.subList(i, Math.min(n, i + size)));
            others.add(part);
            try {
                AsyncCalls.executor().execute(part::runIfUnclaimed);
            } catch (RuntimeException refused) {
                // the caller reads it below
            }
        }
        Map<String, TaskMeta> out = new LinkedHashMap<>((int) (n / 0.75f) + 1);
        RuntimeException failure = null;
        try {
            for (TaskMeta m : readPart(taskIds.subList(0, Math.min(n, size)))) {
                out.put(m.taskId(), m);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Part part : others) {
            // a part no thread of the pool has started yet is read here: never waiting on a busy pool
            part.runIfUnclaimed();
            try {
                TaskMeta[] metas = part.result.join();
                if (failure == null) {
                    for (TaskMeta m : metas) {
                        out.put(m.taskId(), m);
                    }
                }
            } catch (java.util.concurrent.CompletionException e) {
                if (failure == null) {
                    failure = AsyncCalls.unwrap(e) instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    /** A part of a large {@code getMany}, read by whichever thread claims it first. */
    private final class Part {
        final List<String> ids;
        final CompletableFuture<TaskMeta[]> result = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();

        Part(List<String> ids) {
            this.ids = ids;
        }

        void runIfUnclaimed() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                result.complete(readPart(ids));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }
    }

    /** Reads and decodes the metas of some ids, in their order (PENDING for those without a row). */
    private TaskMeta[] readPart(List<String> ids) {
        TaskMeta[] out = new TaskMeta[ids.size()];
        int chunk = dialect.batchSize();
        Map<String, TaskRow> byId = new HashMap<>((int) (Math.min(chunk, ids.size()) / 0.75f) + 1);
        for (int i = 0; i < ids.size(); i += chunk) {
            List<String> part = ids.subList(i, Math.min(ids.size(), i + chunk));
            List<TaskRow> rows = retryingRead(part.get(0) + " and " + (part.size() - 1) + " more",
                    () -> jdbc(c -> dialect.selectTasks(c, part)));
            byId.clear();
            for (TaskRow r : rows) {
                byId.put(r.taskId(), r);
            }
            for (int j = 0; j < part.size(); j++) {
                String id = part.get(j);
                TaskRow r = byId.get(id);
                out[i + j] = r == null ? TaskMeta.pending(id) : toMeta(r);
            }
        }
        return out;
    }

    @Override
    protected CompletableFuture<TaskMeta> doWaitForAsync(String taskId) {
        return notifications != null ? notifications.waitFor(taskId) : poller.waitFor(taskId);
    }

    @Override
    protected CompletableFuture<TaskMeta> scheduleTimeout(CompletableFuture<TaskMeta> future, String taskId, Duration timeout) {
        return localWaits().withTimeout(future, taskId, timeout);
    }

    @Override
    protected void doSaveGroup(GroupResult group) {
        byte[] bytes = codec.encodeGroup(group);
        Instant now = now();
        retryingWrite(group.id(), () -> sql(h -> {
            dialect.upsertGroup(h, group.id(), bytes, now);
            return null;
        }));
    }

    @Override
    protected Optional<GroupResult> doRestoreGroup(String groupId) {
        Optional<byte[][]> row = retryingRead(groupId, () -> sql(h -> dialect.selectGroup(h, groupId)));
        return row.map(r -> codec.decodeGroup(r[0], dialect.groupRow(groupId)));
    }

    @Override
    protected void doDeleteGroup(String groupId) {
        retryingWrite(groupId, () -> sql(h -> dialect.deleteGroup(h, groupId)));
    }

    @Override
    protected void doForget(String taskId) {
        retryingWrite(taskId, () -> sql(h -> dialect.deleteTask(h, taskId)));
    }

    @Override
    protected void doSetChordSize(String groupId, int size) {
        Instant now = now();
        retryingWrite(groupId, () -> sql(h -> {
            dialect.setChordSize(h, groupId, size, now);
            return null;
        }));
    }

    @Override
    protected Optional<ChordCompletion> doChordPartReturn(ChordPart part) {
        String gid = part.groupId();
        byte[] encoded = codec.encodeValue(part.result());
        Instant now = now();
        Optional<int[]> counted = retryingWrite(part.taskId(), () -> sql(h -> dialect.countPart(h, gid, part.taskId(),
                part.groupIndex(), part.state().name(), encoded, now)));
        int count;
        int storedSize;
        if (counted.isPresent()) {
            count = counted.get()[0];
            storedSize = counted.get()[1];
        } else {
            // this task was counted before (a retried write, or a task reported twice): complete the chord only
            // if it is full and nobody has completed it yet
            Optional<int[]> row = retryingRead(gid, () -> sql(h -> dialect.selectChord(h, gid)));
            if (row.isEmpty()) {
                return Optional.empty();
            }
            count = row.get()[0];
            storedSize = row.get()[1];
        }
        Integer size = part.chordSize() != null ? part.chordSize() : storedSize >= 0 ? Integer.valueOf(storedSize) : null;
        if (size == null) {
            LOG.warn("Chord {} has no recorded size (set_chord_size was never called, or the chord expired); part {} counted,"
                    + " chord not completed", gid, part.taskId());
            return Optional.empty();
        }
        if (count < size) {
            return Optional.empty();
        }
        if (count > size) {
            LOG.warn("Chord {} counter incremented too many times: {} for a header of {}", gid, count, size);
            return Optional.empty();
        }
        // Whoever deletes the counter row completes the chord: exactly once, even when a retried part also saw it
        // full; the token lets a retry of a claim whose reply was lost find its own win.
        String token = UUID.randomUUID().toString();
        boolean claimed = retryingWrite(gid, () -> sql(h -> dialect.claimChord(h, gid, token)));
        if (!claimed) {
            return Optional.empty();
        }
        List<Dialect.PartRow> parts = retryingRead(gid, () -> sql(h -> dialect.selectParts(h, gid)));
        List<Object> results = new ArrayList<>(parts.size());
        ExceptionInfo error = null;
        for (Dialect.PartRow p : parts) {
            TaskState state = TaskState.of(p.state());
            Object value = ResultCodec.partValue(state, codec.decodeValue(p.result(),
                    "celeriac_chord_part row of chord " + gid + " and task " + p.taskId()));
            if (state.propagates()) {
                error = dependencyError(p.taskId(), value);
                break;
            }
            results.add(value);
        }
        retryingWrite(gid, () -> sql(h -> {
            dialect.deleteParts(h, gid);
            return null;
        }));
        return Optional.of(error != null
                ? new ChordCompletion(gid, part.body(), null, error)
                : new ChordCompletion(gid, part.body(), results, null));
    }

    @Override
    protected long doCleanup() {
        Optional<Duration> expiry = options.expiry();
        if (expiry.isEmpty()) {
            return 0;
        }
        Instant now = now();
        Instant cutoff = now.minus(expiry.get());
        return retryingWrite("cleanup", () -> sql(h -> h.inTransaction(th -> dialect.cleanup(th, now, cutoff))));
    }

    @Override
    protected Stream<String> doTaskIds() {
        return pagedIds("task ids", after -> sql(h -> dialect.taskIds(h, after)));
    }

    @Override
    protected Stream<String> doGroupIds() {
        return pagedIds("group ids", after -> sql(h -> dialect.groupIds(h, after)));
    }

    private Stream<String> pagedIds(String what, Function<Long, Dialect.IdPage> fetch) {
        Iterator<String> it = new Iterator<>() {
            private Iterator<String> page = List.<String>of().iterator();
            private long last;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !done) {
                    checkOpen();
                    Dialect.IdPage p = retryingRead(what, () -> fetch.apply(last));
                    done = p.rows() < Dialect.PAGE;
                    last = p.lastId();
                    page = p.ids().iterator();
                }
                return page.hasNext();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    protected void doClose() {
        BackendClosedException closed = new BackendClosedException(asUri());
        if (notifications != null) {
            notifications.close(closed);
        }
        if (poller != null) {
            poller.close(closed);
        }
        closeQuietly(pool, anchor);
    }
}
