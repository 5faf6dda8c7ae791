package io.celeriac.backend.jdbc.state.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import io.celeriac.backend.jdbc.internal.DataSources;
import io.celeriac.backend.jdbc.internal.SqlErrors;
import io.celeriac.backend.jdbc.state.JdbcStateStoreConfig;
import io.celeriac.spi.RetryRunner;
import io.celeriac.state.CorruptStateException;
import io.celeriac.state.RevokedEntries;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreClosedException;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.WorkerState;
import io.celeriac.state.spi.AbstractStateStore;
import io.celeriac.state.spi.SnapshotRequest;
import io.celeriac.state.spi.StateSnapshot;
import io.celeriac.state.spi.StoredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker state store on PostgreSQL or SQLite: a worker's revoked ids and Lamport clock in celeriac's own
 * tables ({@code celeriac_revoked}, {@code celeriac_state_clock}), shared safely by every worker opened on
 * the same state name.
 *
 * <p>Every change of the worker's revoked set is queued in the order it took effect and committed before the
 * call that made it returns; concurrent changes share a transaction (group commit, {@link ChangeQueue}). An
 * add is an upsert that keeps the newer timestamp, so workers adding the same id never lose each other's
 * refresh. The clock is stored as a ceiling, raised atomically (it never goes down). Since every change is
 * committed as it happens, a sync has nothing to rewrite unless a change failed: then it rewrites the whole
 * captured set at its place among the other changes (so that no later discard is undone), redoing failed
 * discards and clears. A sync then stores the forwarded clock and trims the state with the worker's limits
 * (Celery's {@code expires} and {@code maxlen}); the state is trimmed the same way after merge and every
 * {@value #TRIM_EVERY} stored revokes. Statements that fail for a transient reason are retried within the
 * settings' bounds; a revoke that finally fails throws {@link UnableToSaveStateException}.
 *
 * <p>Open one through {@code Celeriac.openStateStore("db+postgresql://...")} or
 * {@link io.celeriac.backend.jdbc.state.JdbcStateStoreProvider}. Thread-safe.
 */
public final class JdbcStateStore extends AbstractStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcStateStore.class);

    /** How many stored revokes trigger a trim of the state. */
    static final int TRIM_EVERY = 1_000;
    /** The most rows one group-commit transaction carries. */
    static final int MAX_BATCH_ROWS = 20_000;
    /** Orders ids by code point, as PostgreSQL's "C" collation (UTF-8 bytes) does. */
    static final Comparator<String> CODE_POINT_ORDER = JdbcStateStore::compareCodePoints;

    private final JdbcStateStoreConfig settings;
    private final String state;
    private final StateSql sql;
    private final SqlErrors errors;
    private final HikariDataSource pool;
    private final RetryRunner retries;
    private final ChangeQueue queue;
    private final AtomicLong addedSinceTrim = new AtomicLong();
    private final AtomicBoolean trimming = new AtomicBoolean();
    /** How many changes could not be stored since the store opened (the writer counts them). */
    private final AtomicLong failures = new AtomicLong();
    /** The count of failures the last full rewrite of a sync covered (written by the writer only). */
    private volatile long coveredFailures;
    /** Discards that could not be stored, redone by the next full rewrite. */
    private final Set<String> failedDiscards = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Whether a clear could not be stored, redone by the next full rewrite. */
    private volatile boolean failedClear;
    /** The highest clock value this store has stored (the stored value is at least this). */
    private volatile long storedClock = -1;
    /** When a sync last trimmed ({@link System#nanoTime()}); syncs trim at most once a second. */
    private volatile long lastSyncTrim = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);

    /**
     * Opens the store: builds the pool, connects, and creates or validates the tables as
     * {@link JdbcConnectionConfig#schemaMode()} says. Nothing is read or written until merge.
     *
     * @param settings the parsed configuration
     * @throws UnableToOpenStateStoreException when the database cannot be reached, or a table is missing and
     *         may not be created
     * @throws CorruptStateException when a table exists in a shape the store cannot use (nothing is changed)
     */
    public JdbcStateStore(JdbcStateStoreConfig settings) {
        super(settings.location(), Set.of(StateStoreCapability.SHARED), settings.shutdownHook(), settings.clockReserve());
        this.settings = settings;
        this.state = settings.stateName();
        this.sql = StateSql.of(settings);
        this.errors = new SqlErrors(location(), settings.connection().secrets(), ServiceUnavailableException::new);
        HikariDataSource ds = null;
        try {
            ds = DataSources.pool(settings.connection());
            try (Connection c = ds.getConnection()) {
                StateSql.SchemaCheck check = sql.prepare(c);
                if (!check.wrongShape().isEmpty()) {
                    throw new CorruptStateException(location(), "the tables do not have the shape the state store needs: "
                            + String.join("; ", check.wrongShape()) + ". Nothing was read or changed; fix or drop the table"
                            + " (schema_mode=create then creates it afresh), or choose other tables with "
                            + JdbcStateStoreConfig.TABLE_PREFIX + ".");
                }
                if (!check.missing().isEmpty()) {
                    throw new UnableToOpenStateStoreException(location(), String.join("; ", check.missing()), null);
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (ds != null) {
                ds.close();
            }
            if (e instanceof CorruptStateException || e instanceof UnableToOpenStateStoreException) {
                throw (RuntimeException) e;
            }
            throw openFailure("could not connect and prepare the tables " + settings.revokedTable() + " and "
                    + settings.clockTable(), e);
        }
        this.pool = ds;
        this.retries = retryRunner();
        this.queue = new ChangeQueue(this::write, MAX_BATCH_ROWS, () -> new StateStoreClosedException(location()));
        LOG.debug("Opened the worker state {} (tables {} and {})", location(), settings.revokedTable(), settings.clockTable());
    }

    /**
     * The configuration the store was opened with.
     *
     * @return the configuration
     */
    public JdbcStateStoreConfig config() {
        return settings;
    }

    /**
     * The DDL of the store's tables and index, as {@code schema_mode=create} runs it, without connecting.
     *
     * @param settings the settings
     * @return the statements, in order
     */
    public static List<String> schemaStatements(JdbcStateStoreConfig settings) {
        return StateSql.of(settings).ddl();
    }

    // ------------------------------------------------------------------------------------------
    // reading

    @Override
    protected StoredState load() {
        boolean postgres = settings.connection().database() == JdbcConnectionConfig.Database.POSTGRESQL;
        try {
            return retrying(c -> {
                if (postgres) { // one consistent snapshot of both tables
                    c.setAutoCommit(false);
                    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                }
                try {
                    RevokedEntries revoked = sql.loadRevoked(c, state);
                    OptionalLong clock = sql.loadClock(c, state);
                    if (postgres) {
                        c.commit();
                    }
                    synchronized (this) {
                        storedClock = Math.max(storedClock, clock.orElse(-1));
                    }
                    return new StoredState(revoked, clock.orElse(0));
                } catch (SQLException | StateSql.BadValue | RuntimeException e) {
                    if (postgres) {
                        rollbackQuietly(c, e);
                    }
                    throw e;
                } finally {
                    if (postgres) {
                        restore(c);
                    }
                }
            });
        } catch (StateSql.BadValue e) {
            throw new CorruptStateException(location(), e.getMessage() + ". Nothing was merged or changed; fix or delete the row.");
        } catch (SQLException e) {
            if (isMissingTable(e)) {
                throw new UnableToOpenStateStoreException(location(), "a table of the state store does not exist ("
                        + errors.describe(e) + "); create " + settings.revokedTable() + " and " + settings.clockTable()
                        + " (see schema_mode=create), or point " + JdbcStateStoreConfig.TABLE_PREFIX + " and "
                        + JdbcStateStoreConfig.STATE_SCHEMA + " at them", errors.safeCause(e));
            }
            if (isWrongShape(e)) {
                throw new CorruptStateException(location(), "the tables " + settings.revokedTable() + " and " + settings.clockTable()
                        + " cannot be read as the state store's tables (" + errors.describe(e) + "). Nothing was merged or changed.");
            }
            throw openFailure("could not read the stored state from " + settings.revokedTable() + " and " + settings.clockTable(), e);
        }
    }

    private static void restore(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException again) {
            cause.addSuppressed(again);
        }
    }

    private static boolean isMissingTable(SQLException e) {
        return "42P01".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("no such table");
    }

    /** A column missing or of another type: undefined column or function, a datatype mismatch. */
    private static boolean isWrongShape(SQLException e) {
        String state = e.getSQLState();
        return "42703".equals(state) || "42883".equals(state) || "42804".equals(state)
                || String.valueOf(e.getMessage()).contains("no such column");
    }

    // ------------------------------------------------------------------------------------------
    // revokes: queued in order under the revoked set's lock, made durable after it (group commit)

    private static long micros(double seconds) {
        return Math.round(seconds * 1e6);
    }

    @Override
    protected Runnable enqueueAdded(String id, double timestamp) {
        ChangeQueue.Change c = queue.enqueue(ChangeQueue.Change.add(id, micros(timestamp)));
        return () -> awaitDurable(c);
    }

    @Override
    protected Runnable enqueueAddedAll(Map<String, Double> entries) {
        if (entries.isEmpty()) {
            return null;
        }
        ChangeQueue.Change c = queue.enqueue(ChangeQueue.Change.addAll(RevokedEntries.copyOf(entries)));
        return () -> awaitDurable(c);
    }

    @Override
    protected Runnable enqueueDiscarded(String id) {
        ChangeQueue.Change c = queue.enqueue(ChangeQueue.Change.discard(id));
        return () -> awaitDurable(c);
    }

    @Override
    protected Runnable enqueueCleared() {
        ChangeQueue.Change c = queue.enqueue(ChangeQueue.Change.clear());
        return () -> awaitDurable(c);
    }

    @Override
    protected void persistAdded(String id, double timestamp) {
        enqueueAdded(id, timestamp).run();
    }

    @Override
    protected void persistAddedAll(Map<String, Double> entries) {
        Runnable r = enqueueAddedAll(entries);
        if (r != null) {
            r.run();
        }
    }

    @Override
    protected void persistDiscarded(String id) {
        enqueueDiscarded(id).run();
    }

    @Override
    protected void persistCleared() {
        enqueueCleared().run();
    }

    private void awaitDurable(ChangeQueue.Change c) {
        queue.await(c);
        if (addedSinceTrim.get() >= TRIM_EVERY && trimming.compareAndSet(false, true)) {
            try {
                addedSinceTrim.set(0);
                trimQuietly();
            } finally {
                trimming.set(false);
            }
        }
    }

    /**
     * Writes a batch of changes in one transaction, in order; a batch that fails for a reason of its own (not
     * a lost connection) is retried change by change, so that one bad change fails alone. Runs on one thread
     * at a time (the queue's writer).
     */
    private void write(List<ChangeQueue.Change> batch) {
        if (coveredFailures == failures.get() && batch.stream().allMatch(ch -> ch.kind == ChangeQueue.Kind.SNAPSHOT)) {
            return; // a sync with nothing to rewrite: every change it covers is stored already
        }
        try {
            committed(oneStatement(batch) ? retrying(c -> apply(c, batch)) : retryingTransaction(c -> apply(c, batch)));
            return;
        } catch (SQLException | StateSql.BadValue | RuntimeException e) {
            boolean connection = e instanceof SQLException s && (SqlErrors.isConnectionError(s) || SqlErrors.isRetryable(s));
            if (batch.size() == 1 || connection) {
                for (ChangeQueue.Change ch : batch) {
                    failed(ch, e);
                }
                return;
            }
        }
        for (ChangeQueue.Change ch : batch) { // find the change the batch failed on; the others are stored
            try {
                committed(retryingTransaction(c -> apply(c, List.of(ch))));
            } catch (SQLException | StateSql.BadValue | RuntimeException e) {
                failed(ch, e);
            }
        }
    }

    /**
     * Whether a batch is one upsert statement, which commits itself: then it runs in auto-commit mode, one
     * round trip for a lone revoke.
     */
    private boolean oneStatement(List<ChangeQueue.Change> batch) {
        int rows = 0;
        for (ChangeQueue.Change ch : batch) {
            switch (ch.kind) {
                case ADD:
                case ADD_ALL:
                    rows += ch.rows();
                    break;
                case SNAPSHOT:
                    if (coveredFailures != failures.get()) {
                        return false;
                    }
                    break;
                default:
                    return false;
            }
        }
        return sql.isOneStatement(rows);
    }

    /** What a committed transaction did, for the bookkeeping of failed changes. */
    private static final class Outcome {
        int rows;
        long covered = -1;
        final List<String> discarded = new java.util.ArrayList<>();
        boolean cleared;
    }

    private void committed(Outcome o) {
        addedSinceTrim.addAndGet(o.rows);
        if (o.covered >= 0) {
            coveredFailures = o.covered;
            o.discarded.forEach(failedDiscards::remove);
            if (o.cleared) {
                failedClear = false;
            }
        }
    }

    private void failed(ChangeQueue.Change ch, Exception e) {
        ch.fail(saveFailure(ch, e));
        if (ch.kind == ChangeQueue.Kind.DISCARD) {
            failedDiscards.add(ch.id);
        } else if (ch.kind == ChangeQueue.Kind.CLEAR) {
            failedClear = true;
        }
        failures.incrementAndGet(); // the next sync rewrites the whole set
    }

    /**
     * Applies changes in order: runs of adds become one sorted upsert; a discard or clear runs where it took
     * effect; a sync's snapshot is written in full only if a change failed since the last full write (then a
     * failed clear is redone, failed discards of ids the snapshot lacks are redone, and every id of the
     * snapshot is upserted).
     */
    private Outcome apply(Connection c, List<ChangeQueue.Change> batch) throws SQLException {
        Outcome o = new Outcome();
        Map<String, Long> adds = new HashMap<>();
        for (ChangeQueue.Change ch : batch) {
            switch (ch.kind) {
                case ADD:
                    adds.merge(ch.id, ch.micros, Math::max);
                    break;
                case ADD_ALL:
                    addAll(adds, ch.entries);
                    break;
                case DISCARD:
                    o.rows += upsert(c, adds);
                    sql.discard(c, state, ch.id);
                    break;
                case CLEAR:
                    adds.clear(); // removed by the clear anyway
                    sql.clear(c, state);
                    break;
                case SNAPSHOT:
                    long f = failures.get();
                    if (f == coveredFailures) {
                        break;
                    }
                    if (failedClear) {
                        adds.clear();
                        sql.clear(c, state);
                        o.cleared = true;
                    }
                    o.rows += upsert(c, adds);
                    for (String id : failedDiscards) {
                        if (!ch.entries.containsKey(id)) {
                            sql.discard(c, state, id);
                        }
                        o.discarded.add(id);
                    }
                    addAll(adds, ch.entries);
                    o.covered = f;
                    break;
                default:
                    throw new IllegalStateException("unknown change " + ch.kind);
            }
        }
        o.rows += upsert(c, adds);
        return o;
    }

    private static void addAll(Map<String, Long> adds, RevokedEntries e) {
        for (int i = 0; i < e.size(); i++) {
            adds.merge(e.id(i), e.micros(i), Math::max);
        }
    }

    private int upsert(Connection c, Map<String, Long> adds) throws SQLException {
        int n = adds.size();
        if (n == 0) {
            return 0;
        }
        String[] ids = adds.keySet().toArray(new String[0]);
        Arrays.sort(ids, CODE_POINT_ORDER); // one lock order for every transaction: no deadlock between workers
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            micros[i] = adds.get(ids[i]);
        }
        sql.upsert(c, state, ids, micros);
        adds.clear();
        return n;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private UnableToSaveStateException saveFailure(ChangeQueue.Change ch, Exception e) {
        String what;
        switch (ch.kind) {
            case ADD:
                what = "the revoke of '" + ch.id + "' was not stored";
                break;
            case ADD_ALL:
                what = ch.entries.size() + " revoked ids were not stored";
                break;
            case SNAPSHOT:
                what = "the sync could not rewrite the " + ch.entries.size() + " revoked ids after an earlier failure";
                break;
            case DISCARD:
                what = "the discard of '" + ch.id + "' was not stored";
                break;
            default:
                what = "the clear was not stored";
        }
        return saveFailure(what, e);
    }

    private UnableToSaveStateException saveFailure(String what, Exception e) {
        if (e instanceof UnableToSaveStateException u) {
            return u;
        }
        return new UnableToSaveStateException(location(), what + " (" + reason(e) + ")", cause(e));
    }

    private UnableToOpenStateStoreException openFailure(String what, Exception e) {
        return new UnableToOpenStateStoreException(location(), what + " (" + reason(e) + ")", cause(e));
    }

    /**
     * The cause a failure carries: when the database could not be reached, a {@link ServiceUnavailableException}
     * naming the location (as every plugin's state store gives it), otherwise the error, scrubbed of secrets.
     */
    private Throwable cause(Exception e) {
        SQLException s = SqlErrors.sqlCause(e);
        return s != null && SqlErrors.isConnectionError(s) ? errors.translate(s) : errors.safeCause(e);
    }

    private String reason(Exception e) {
        SQLException s = SqlErrors.sqlCause(e);
        if (s == null) {
            return errors.scrub(String.valueOf(e.getMessage()));
        }
        String d = errors.describe(s);
        return SqlErrors.isConnectionError(s) ? "the database is unreachable: " + d : d;
    }

    // ------------------------------------------------------------------------------------------
    // the clock, sync, trim, close

    @Override
    protected void persistClock(long ceiling) {
        if (ceiling <= storedClock) {
            return; // the stored clock only rises: it is at least this already
        }
        try {
            retrying(c -> {
                sql.raiseClock(c, state, ceiling);
                return null;
            });
        } catch (SQLException | StateSql.BadValue e) {
            throw saveFailure("the clock value " + ceiling + " was not stored in " + settings.clockTable(), e);
        }
        synchronized (this) {
            storedClock = Math.max(storedClock, ceiling);
        }
    }

    @Override
    protected void afterMerge() {
        trimQuietly();
    }

    @Override
    protected void writeSnapshot(SnapshotRequest request) {
        WorkerState w = followedWorker().orElseThrow(() -> new IllegalStateException("no merged worker"));
        StateSnapshot s;
        ChangeQueue.Change c;
        // Changes are queued while the revoked set's monitor is held: capturing and queueing the snapshot under
        // it orders the snapshot exactly among them, so rewriting it never undoes a later discard.
        synchronized (w.revoked()) {
            s = request.capture();
            c = queue.enqueue(ChangeQueue.Change.snapshot(RevokedEntries.copyOf(s.revoked())));
        }
        queue.await(c);
        persistClock(s.clock());
        long now = System.nanoTime();
        if (request.isFinal() || now - lastSyncTrim > TimeUnit.SECONDS.toNanos(1)) {
            lastSyncTrim = now;
            trimQuietly();
        }
    }

    /** Deletes what the merged worker's limits drop; a failure only delays it. */
    private void trimQuietly() {
        WorkerState w = followedWorker().orElse(null);
        if (w == null) {
            return;
        }
        RevokedSet r = w.revoked();
        long expires = r.expires().toNanos() / 1000;
        int maxlen = r.maxlen();
        if (expires <= 0 && maxlen <= 0) {
            return;
        }
        Long cutoff = expires > 0 ? micros(r.now()) - expires : null;
        try {
            int deleted = retrying(c -> sql.trim(c, state, cutoff, maxlen));
            if (deleted > 0) {
                LOG.debug("Trimmed {} revoked ids from {} (maxlen {}, expires {})", deleted, location(), maxlen, r.expires());
            }
        } catch (SQLException | StateSql.BadValue | RuntimeException e) {
            if (isClosed()) {
                return; // closed meanwhile: the next worker's merge trims
            }
            LOG.warn("Could not trim the worker state {} (it is trimmed again later; merges apply the limits anyway): {}",
                    location(), reason(e));
        }
    }

    @Override
    protected void release() {
        try {
            queue.close();
        } finally {
            pool.close();
        }
    }

    // ------------------------------------------------------------------------------------------
    // plumbing

    /** Work on a connection. */
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException, StateSql.BadValue;
    }

    /** Runs work in one transaction (rolled back on failure), retrying transient failures. */
    private <T> T retryingTransaction(SqlWork<T> work) throws SQLException, StateSql.BadValue {
        return retrying(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | StateSql.BadValue | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                restore(c);
            }
        });
    }

    /**
     * Runs work on a pooled connection, retrying what failed for a transient reason (a lost or refused
     * connection, a serialization failure, a deadlock, SQLite busy) as the settings allow: at most
     * {@code max_retries} retries, none starting later than {@code retry_timeout} after the first attempt.
     */
    private <T> T retrying(SqlWork<T> work) throws SQLException, StateSql.BadValue {
        try {
            return retries.call(null, () -> {
                try (Connection c = pool.getConnection()) {
                    return work.run(c);
                }
            });
        } catch (SQLException | StateSql.BadValue | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a statement failed with an exception SqlWork does not declare", e); // unreachable
        }
    }

    private RetryRunner retryRunner() {
        return RetryRunner.builder(settings.retryPolicy())
                .retryIf(e -> e instanceof SQLException s && (SqlErrors.isConnectionError(s) || SqlErrors.isRetryable(s))
                        && !pool.isClosed())
                .deadline(settings.retryTimeout())
                .onRetry((what, attempt, attempts, wait, e) -> LOG.debug("Retrying a statement on {} after a transient failure: {}",
                        location(), errors.describe((SQLException) e)))
                .build();
    }

    @Override
    public String toString() {
        return "JdbcStateStore[" + location() + "]";
    }
}
