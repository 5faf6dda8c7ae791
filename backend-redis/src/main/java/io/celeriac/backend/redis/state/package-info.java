/**
 * The worker state store on Redis ({@code redis://}, {@code rediss://}, {@code socket://},
 * {@code sentinel://}): Celery's {@code --statedb} (revoked task ids and the Lamport clock) kept in the Redis
 * the workers already use, shared safely by every worker that opens the same state name.
 *
 * <p>{@link io.celeriac.backend.redis.state.RedisStateStoreProvider} is found on the class path;
 * {@link io.celeriac.backend.redis.state.RedisStateStoreConfig} lists the settings;
 * {@link io.celeriac.backend.redis.state.internal.RedisStateStore} documents the keys and the behaviour. Users
 * reach the live store through {@link io.celeriac.state.StateStore}.
 */
package io.celeriac.backend.redis.state;
