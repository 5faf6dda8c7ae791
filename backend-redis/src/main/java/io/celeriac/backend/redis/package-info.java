/**
 * {@code redis://}, {@code rediss://}, {@code socket://} and {@code sentinel://}: Celery on Redis (Jedis),
 * wire-compatible with Python Celery both ways. This package holds what every area of the module shares:
 * {@link io.celeriac.backend.redis.RedisConnectionConfig}, how to reach Redis (the URL forms, TLS, unix sockets,
 * sentinels, credentials, timeouts, the pool), parsed once and taken by every area.
 *
 * <p>The areas, each with its provider and config in its package and its live instances in its
 * {@code internal} package: {@link io.celeriac.backend.redis.backend} (Celery's result backend),
 * {@link io.celeriac.backend.redis.state} (the worker state store) and {@link io.celeriac.backend.redis.events}
 * (the event source and dispatcher).
 */
package io.celeriac.backend.redis;
