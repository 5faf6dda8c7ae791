package io.celeriac.backend.redis.state.internal;

import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.redis.internal.RedisErrors;
import io.celeriac.spi.RetryRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Runs Redis commands with a retry policy: a failure that {@link RedisErrors} classes as transient (a
 * refused or lost connection, a timeout, a server that is loading or read-only after a failover) is
 * retried after the policy's interval, up to its number of retries; anything else, and the last failure,
 * is thrown as translated by {@link RedisErrors}. The loop is a {@link RetryRunner}; this class adds the
 * translation and the log line. The commands of the state store are idempotent (adds keep
 * the newer timestamp, the clock keeps the higher value), so repeating one whose reply was lost is safe.
 * Thread-safe.
 */
public final class Retrying {

    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);

    private final RedisErrors errors;
    private final RetryRunner runner;

    /**
     * Creates the runner.
     *
     * @param policy how often and how long to retry
     * @param errors translates Jedis failures
     */
    public Retrying(RetryPolicy policy, RedisErrors errors) {
        this.errors = errors;
        this.runner = RetryRunner.builder(policy)
                .retryIf(e -> e instanceof RuntimeException r && RedisErrors.isTransient(r))
                .onRetry((what, attempt, attempts, wait, e) -> LOG.debug(
                        "Transient error on {} while {} (attempt {} of {}), retrying in {}: {}", errors.maskedUri(), what,
                        attempt, attempts, wait, e.getMessage()))
                .build();
    }

    /**
     * Runs a command, retrying transient failures.
     *
     * @param what what the command does, for the debug log
     * @param op the command
     * @param <T> its result
     * @return its result
     * @throws RuntimeException the last failure, translated: a
     *         {@link io.celeriac.backend.BackendUnavailableException} when Redis could not be used, else what
     *         Redis answered (such as a {@code redis.clients.jedis.exceptions.JedisDataException})
     */
    public <T> T call(String what, Supplier<T> op) {
        return runner.call(what, () -> {
            try {
                return op.get();
            } catch (RuntimeException e) {
                throw errors.translate(e);
            }
        });
    }
}
