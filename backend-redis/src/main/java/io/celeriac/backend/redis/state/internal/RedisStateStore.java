package io.celeriac.backend.redis.state.internal;

import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.backend.redis.internal.RedisConnections;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.backend.redis.state.RedisStateStoreConfig;
import io.celeriac.state.CorruptStateException;
import io.celeriac.state.RevokedSet;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.WorkerState;
import io.celeriac.state.spi.AbstractStateStore;
import io.celeriac.state.spi.SnapshotRequest;
import io.celeriac.state.spi.StateSnapshot;
import io.celeriac.state.spi.StoredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A worker's persistent state (Celery's {@code --statedb}: revoked task ids and the Lamport clock) kept in
 * Redis, shared safely by every worker that opens the same state: what Celery issue #4886 asks for, so that
 * workers without a persistent disk (Kubernetes) keep their revokes in the Redis they already use.
 *
 * <pre>{@code
 * WorkerState worker = WorkerState.withCeleryDefaults();
 * StateStore store = Celeriac.discover().openStateStore("redis://redis:6379/0?socket_timeout=5", StateStoreOptions.defaults());
 * store.merge(worker);          // every worker's stored revokes merged, clock adjusted and written back
 * worker.revoked().add(taskId); // in Redis when add returns
 * }</pre>
 *
 * <p><b>Keys.</b> With {@code P} the normalized {@code global_keyprefix} (Celery's rule: {@code _} appended
 * unless it ends in {@code : _ - .}; none by default) and {@code N} the {@code state_name} ({@code celery}
 * by default), in the URL's database:
 * <ul>
 *   <li>{@code P celeriac-state-N:revoked}: a sorted set, each member a revoked task id (UTF-8), its score the
 *       wall-clock time of the revoke in epoch seconds with microsecond precision (e.g.
 *       {@code 1763712000.123456}); a newer timestamp always wins over an older one ({@code ZADD GT});</li>
 *   <li>{@code P celeriac-state-N:clock}: a string, the clock ceiling as a decimal integer: at or above every
 *       clock value any worker on this state has handed out; it only ever grows (an atomic max).</li>
 * </ul>
 * No other key is written, and neither key has a TTL: revokes expire one by one with Celery's
 * {@code expires} (see below), while the clock must never vanish or go back while workers run. The keys stay
 * when every worker is gone; the sorted set holds at most {@code maxlen} ids and loses each one
 * {@code expires} after its revoke as soon as any worker writes again. (A Redis whose
 * {@code maxmemory-policy} is {@code allkeys-*} may still evict them; {@code noeviction} or a
 * {@code volatile-*} policy never does.)
 *
 * <p><b>Durable</b> means acknowledged by Redis: a revoke survives a Redis crash as far as Redis's own
 * persistence allows ({@code appendonly yes} with {@code appendfsync always} loses nothing acknowledged; the
 * default {@code everysec} up to a second), and a failover to a replica that had not received it loses it.
 *
 * <p><b>Celery's semantics</b>, through {@link AbstractStateStore}: {@link #merge} reads every stored id
 * and the clock, merges the ids into the worker's set (which the worker's limits then purge) and adjusts the
 * worker's clock to {@code max(local, stored) + 1}, written back; {@link #sync} purges the worker's set,
 * forwards its clock and writes both; {@link #save} syncs and closes; a JVM shutdown hook saves at exit.
 * Beyond Celery, which writes only at exit:
 * <ul>
 *   <li>every change of the worker's set is in Redis when the call that made it returns: one call of an
 *       atomic Lua script per change at most, and concurrent changes share one (group commit), stored in
 *       the order they took effect. {@link RevokedSet#add} throws {@link UnableToSaveStateException} when
 *       Redis could not store the revoke after the retries; it never loses one silently;</li>
 *   <li>the clock is stored as a ceiling {@code clock_reserve} steps ahead, so one clock step in that many
 *       costs a write, and a restarted worker's clock is above every value handed out before.</li>
 * </ul>
 *
 * <p><b>Sharing</b> ({@link StateStoreCapability#SHARED}). Celery broadcasts every revoke to every worker,
 * so workers keep one cluster-wide set; here every worker on one state name adds to one sorted set, and a
 * merge sees what all of them stored. Each write also trims the set with the writing worker's limits
 * (Celery's {@code LimitedSet}: the ids revoked {@code expires} or longer ago, then the oldest beyond
 * {@code maxlen}), atomically; that is the only way a worker removes another's ids, besides an explicit
 * {@link RevokedSet#discard} or {@link RevokedSet#clear}, which act on the shared set (as a revoke does).
 * Give all workers on one state the same limits (Celery's defaults, or the same
 * {@code CELERY_WORKER_REVOKES_MAX} and {@code CELERY_WORKER_REVOKE_EXPIRES}). A sync adds the worker's
 * whole set again (so a Redis that lost data is refilled), which never removes ids and never moves a
 * timestamp back; so an id that one worker discarded comes back when another worker that still holds it
 * syncs. The stored clock is the highest ceiling any worker stored, so a merging worker's clock
 * may jump ahead by more than Celery's {@code + 1}; a Lamport clock only needs to grow.
 *
 * <p><b>Errors.</b> Redis unreachable (after the retries of {@link RedisStateStoreConfig#retryPolicy()}):
 * {@link UnableToOpenStateStoreException} at open and when merge reads the state,
 * {@link UnableToSaveStateException} for a revoke, a clock ceiling or a sync. A key holding a value of
 * another type, or a clock that is not a number: {@link CorruptStateException} at open or merge naming the
 * key (nothing merged, nothing changed); a write that meets one later fails with
 * {@link UnableToSaveStateException} (its cause the {@link CorruptStateException}) and changes nothing. Messages show the URL with its password masked. Requires Redis 6.2 or later ({@code ZADD GT}).
 *
 * <p>Thread-safe. Open it with {@link io.celeriac.backend.redis.state.RedisStateStoreProvider} (or
 * {@code Celeriac.openStateStore}); not an API: reach it through the {@link io.celeriac.state.StateStore}
 * interface.
 */
public final class RedisStateStore extends AbstractStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStateStore.class);

    private final RedisStateStoreConfig config;
    private final RedisErrors errors;
    private final RedisConnections connections;
    private final UnifiedJedis client;
    private final Retrying retrying;
    private final StoredStateDecoder decoder;
    private final WriteQueue queue;
    private final List<byte[]> revokedKeys;
    private final List<byte[]> clockKeys;
    private final List<byte[]> bothKeys;
    /** The followed worker's revoked set, whose limits and wall clock trim the shared set; null before merge. */
    private volatile RevokedSet followed;

    /**
     * Opens the store: connects and checks the stored state's keys.
     *
     * @param config the configuration
     * @throws UnableToOpenStateStoreException when Redis cannot be reached (after the retries)
     * @throws CorruptStateException when a key holds a value of another type or the clock is not a number
     * @throws io.celeriac.InvalidConfigurationException when the TLS files cannot be used
     */
    public RedisStateStore(RedisStateStoreConfig config) {
        super(config.location(), Set.of(StateStoreCapability.SHARED), config.shutdownHook(), config.clockReserve());
        this.config = config;
        RedisConnectionConfig rc = config.connection();
        String masked = config.url().masked();
        this.errors = new RedisErrors(masked, config.url(), rc, RedisErrors.SERVICE);
        try {
            this.connections = RedisConnections.open(rc, errors);
        } catch (ServiceUnavailableException e) {
            throw new UnableToOpenStateStoreException(location(), reason(e), e);
        }
        this.client = connections.client();
        this.retrying = new Retrying(config.retryPolicy(), errors);
        this.decoder = new StoredStateDecoder(location(), config.revokedKey(), config.clockKey());
        this.queue = new WriteQueue(this::writeChanges, location(), this::reason);
        this.revokedKeys = List.of(utf8(config.revokedKey()));
        this.clockKeys = List.of(utf8(config.clockKey()));
        this.bothKeys = List.of(utf8(config.revokedKey()), utf8(config.clockKey()));
        try {
            decoder.check(read("checking the stored state", StateScripts.CHECK));
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        LOG.debug("Opened the worker state {}", location());
    }

    /**
     * The settings this store was opened with (its keys among them).
     *
     * @return the configuration
     */
    public RedisStateStoreConfig config() {
        return config;
    }

    /** A duration in microseconds, at most a quarter of the long range (as {@link RevokedSet} keeps it). */
    private static long micros(Duration d) {
        long cap = Long.MAX_VALUE / 4;
        if (d.getSeconds() >= cap / 1_000_000) {
            return cap;
        }
        return d.getSeconds() * 1_000_000 + d.getNano() / 1000;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------
    // reading

    private Object read(String what, StateScripts.Script script) {
        try {
            return redis(what, () -> script.run(client, bothKeys, List.of()));
        } catch (CorruptStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UnableToOpenStateStoreException(location(), "could not read the stored state: " + reason(e), e);
        }
    }

    @Override
    protected StoredState load() {
        return decoder.load(read("reading the stored state", StateScripts.LOAD));
    }

    @Override
    protected void afterMerge() {
        followed = followedWorker().map(WorkerState::revoked).orElse(null);
    }

    // ------------------------------------------------------------------------------------------
    // changes of the revoked set: queued in order while the set is locked, stored before the change returns

    @Override
    protected Runnable enqueueAdded(String id, double timestamp) {
        WriteQueue.Change c = queue.add(id, timestamp);
        return () -> queue.await(c);
    }

    @Override
    protected Runnable enqueueAddedAll(Map<String, Double> entries) {
        WriteQueue.Change c = queue.addAll(entries);
        return () -> queue.await(c);
    }

    @Override
    protected Runnable enqueueDiscarded(String id) {
        WriteQueue.Change c = queue.discard(id);
        return () -> queue.await(c);
    }

    @Override
    protected Runnable enqueueCleared() {
        WriteQueue.Change c = queue.clear();
        return () -> queue.await(c);
    }

    @Override
    protected void persistAdded(String id, double timestamp) {
        queue.await(queue.add(id, timestamp));
    }

    @Override
    protected void persistAddedAll(Map<String, Double> entries) {
        if (!entries.isEmpty()) {
            queue.await(queue.addAll(entries));
        }
    }

    @Override
    protected void persistDiscarded(String id) {
        queue.await(queue.discard(id));
    }

    @Override
    protected void persistCleared() {
        queue.await(queue.clear());
    }

    /** The write queue's sink: one call of the write script, with the followed worker's limits. */
    private void writeChanges(List<byte[]> changes) {
        RevokedSet limits = followed;
        List<byte[]> args = new ArrayList<>(changes.size() + 2);
        if (limits == null || limits.expires().isZero()) {
            args.add(new byte[0]);
        } else {
            args.add(WriteQueue.score(WriteQueue.micros(limits.now()) - micros(limits.expires())));
        }
        args.add(Integer.toString(limits == null ? 0 : limits.maxlen()).getBytes(StandardCharsets.US_ASCII));
        args.addAll(changes);
        redis("storing revoked ids", () -> StateScripts.WRITE.run(client, revokedKeys, args));
    }

    // ------------------------------------------------------------------------------------------
    // the clock, snapshots, release

    @Override
    protected void persistClock(long ceiling) {
        try {
            redis("storing the clock", () -> StateScripts.CLOCK.run(client, clockKeys,
                    List.of(Long.toString(ceiling).getBytes(StandardCharsets.US_ASCII))));
        } catch (RuntimeException e) {
            throw new UnableToSaveStateException(location(), "the clock value " + ceiling + " could not be stored in Redis: "
                    + reason(e), e);
        }
    }

    @Override
    protected void writeSnapshot(SnapshotRequest request) {
        queue.openSnapshotWindow();
        StateSnapshot s;
        try {
            s = request.capture();
        } catch (RuntimeException e) {
            queue.abandonSnapshotWindow();
            throw e;
        }
        queue.await(queue.snapshot(s.revoked()));
        persistClock(s.clock());
    }

    @Override
    protected void release() {
        try {
            queue.close();
        } finally {
            connections.close();
        }
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Runs a command with the retry policy; an answer of a script about a key of another type or a clock
     * that is not a number becomes a {@link CorruptStateException}.
     */
    private <T> T redis(String what, Supplier<T> op) {
        try {
            return retrying.call(what, op);
        } catch (JedisDataException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains(StateScripts.WRONGTYPE)) {
                String type = m.substring(m.lastIndexOf(' ') + 1);
                boolean clock = m.contains(config.clockKey());
                throw new CorruptStateException(location(), "the key " + (clock ? config.clockKey() : config.revokedKey())
                        + " holds a Redis " + type + ", not " + (clock ? "the clock" : "the sorted set of revoked ids")
                        + "; it was left as it is");
            }
            if (m.contains(StateScripts.NOT_A_NUMBER)) {
                throw new CorruptStateException(location(), "the key " + config.clockKey()
                        + " does not hold a decimal integer, so it is not a clock; it was left as it is");
            }
            if (m.contains("syntax error")) {
                throw new UnableToSaveStateException(location(), "Redis refused the state script (" + errors.scrub(m)
                        + "); the Redis state store needs Redis 6.2 or later", e);
            }
            throw e;
        }
    }

    /** The reason of a failure, without the location that the caller's message names already. */
    private String reason(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        String unreachable = "Cannot reach " + errors.maskedUri() + ": ";
        if (m.startsWith(unreachable)) {
            return m.substring(unreachable.length());
        }
        String corrupt = "The stored worker state " + location() + " is corrupt: ";
        if (m.startsWith(corrupt)) {
            return "the stored state is corrupt: " + m.substring(corrupt.length());
        }
        return e instanceof JedisDataException ? "Redis answered " + errors.scrub(m) : errors.scrub(m);
    }
}
