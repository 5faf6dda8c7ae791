/**
 * Celery's Redis result backend: {@link io.celeriac.backend.redis.backend.RedisBackendProvider} is found on the
 * class path and opens the backend from a {@link io.celeriac.backend.redis.backend.RedisBackendConfig} (the
 * backend's own settings and a {@link io.celeriac.backend.redis.RedisConnectionConfig});
 * {@link io.celeriac.backend.redis.backend.ResultForgottenException} is how a wait on a forgotten task ends.
 * Users reach the live backend through {@link io.celeriac.backend.Backend}.
 */
package io.celeriac.backend.redis.backend;
