/**
 * Celery's database result backend for PostgreSQL and SQLite: {@code db+postgresql://} and
 * {@code db+sqlite:///} URLs, Celery's exact tables and pickled result column, atomic upserts that never
 * overwrite a SUCCESS, {@code LISTEN/NOTIFY} waits on PostgreSQL, an atomic chord counter, and cleanup.
 *
 * <p>Users open it through {@link io.celeriac.Celeriac#openBackend(String)}; this package holds the
 * provider ({@link io.celeriac.backend.jdbc.backend.JdbcBackendProvider}), its configuration
 * ({@link io.celeriac.backend.jdbc.backend.JdbcBackendConfig}) and the exceptions it raises.
 */
package io.celeriac.backend.jdbc.backend;
