/**
 * celeriac's database plugin for PostgreSQL and SQLite ({@code db+postgresql://}, {@code db+sqlite:///},
 * {@code jdbc:postgresql:}, {@code jdbc:sqlite:}): Celery's database result backend
 * ({@link io.celeriac.backend.jdbc.backend}) and the worker state store ({@link io.celeriac.backend.jdbc.state}).
 *
 * <p>This package holds what both areas take: how to reach the database
 * ({@link io.celeriac.backend.jdbc.JdbcConnectionConfig}: URL forms, credentials, driver parameters such as TLS,
 * the pool, timeouts, SQLite's pragmas, the schema mode) and the {@link io.celeriac.backend.jdbc.Table} names
 * their settings give.
 */
package io.celeriac.backend.jdbc;
