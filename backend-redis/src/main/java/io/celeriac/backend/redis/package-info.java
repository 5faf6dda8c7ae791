/**
 * {@code redis://}, {@code rediss://}, {@code socket://} and {@code sentinel://}: Celery's Redis result
 * backend on Jedis, wire-compatible with Python Celery both ways.
 *
 * <p>{@link io.celeriac.backend.redis.RedisBackendProvider} is found on the class path;
 * {@link io.celeriac.backend.redis.RedisConfig} documents the URL forms and parameters;
 * {@link io.celeriac.backend.redis.RedisBackend} the behaviour. The worker state store on the same URLs is in
 * {@link io.celeriac.backend.redis.state}.
 */
package io.celeriac.backend.redis;
