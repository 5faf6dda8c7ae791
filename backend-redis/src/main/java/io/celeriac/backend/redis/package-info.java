/**
 * {@code redis://}, {@code rediss://}, {@code socket://} and {@code sentinel://}: Celery on Redis (Jedis),
 * wire-compatible with Python Celery both ways. This package holds what every area of the module shares:
 * {@link io.celeriac.backend.redis.RedisConnectionConfig}, how to reach Redis (the URL forms, TLS, unix sockets,
 * sentinels, credentials, timeouts, the pool), parsed once and taken by every area.
 *
 * <p>The areas, each with its provider and config in its package and its live instances in its
 * {@code internal} package: {@link io.celeriac.backend.redis.backend} (Celery's result backend),
 * {@link io.celeriac.backend.redis.state} (the worker state store), {@link io.celeriac.backend.redis.events}
 * (the event source and dispatcher) and {@link io.celeriac.backend.redis.broker} (kombu's Redis transport).
 * Their connection internals (the Jedis pool, TLS, sockets, error translation, kombu's envelope and fanout
 * channels) are shared, in {@code io.celeriac.backend.redis.internal}.
 */
package io.celeriac.backend.redis;
