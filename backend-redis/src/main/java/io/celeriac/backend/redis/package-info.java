/**
 * {@code redis://}, {@code rediss://}, {@code socket://} and {@code sentinel://}: Celery's Redis result
 * backend on Jedis, wire-compatible with Python Celery both ways.
 *
 * <p>{@link io.celeriac.backend.redis.RedisBackendProvider} is found on the class path;
 * {@link io.celeriac.backend.redis.RedisConfig} documents the URL forms and parameters;
 * {@link io.celeriac.backend.redis.RedisBackend} the behaviour.
 */
package io.celeriac.backend.redis;
