package io.celeriac.backend.jdbc.backend;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.jdbc.backend.internal.JdbcBackend;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens Celery's database result backend on PostgreSQL and SQLite.
 *
 * <p>URL forms:
 * <ul>
 *   <li>{@code db+postgresql://user:password@host:5432/database?sslmode=require} (also with a driver
 *       suffix as SQLAlchemy users write it: {@code db+postgresql+psycopg2://}, {@code +pg8000},
 *       {@code +asyncpg}, ...; and Celery's {@code database+} spelling), or a plain
 *       {@code jdbc:postgresql://host:5432/database?user=...&password=...};</li>
 *   <li>{@code db+sqlite:///relative/path.sqlite}, {@code db+sqlite:////absolute/path.sqlite},
 *       {@code db+sqlite://} (in memory, private to the backend), or {@code jdbc:sqlite:path}.</li>
 * </ul>
 * Settings (table names and schemas, the schema mode, the result format, the pool size, the poll
 * interval, ...) come from query parameters or {@link BackendOptions#properties()}: see
 * {@link JdbcBackendConfig} and {@link io.celeriac.backend.jdbc.JdbcConnectionConfig}.
 *
 * <p>The provider is stateless and thread-safe; {@link #open} connects at once, and fails with
 * {@link io.celeriac.backend.BackendUnavailableException} (naming the URL with its password masked) when
 * the database cannot be reached, {@link io.celeriac.url.InvalidUrlException} listing every bad setting,
 * or {@link SchemaMismatchException} when the tables do not have Celery's shape.
 */
public final class JdbcBackendProvider implements BackendProvider {

    /** Creates the provider; it does no I/O. */
    public JdbcBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("db+postgresql", "database+postgresql", "db+sqlite", "database+sqlite", "jdbc:postgresql", "jdbc:sqlite");
    }

    @Override
    public String description() {
        return "Celery's database backend on PostgreSQL (LISTEN/NOTIFY waits) and SQLite";
    }

    @Override
    public Backend open(BackendUrl url, BackendOptions options) {
        return new JdbcBackend(JdbcBackendConfig.parse(url, options));
    }

    /**
     * The DDL {@code schema_mode=create} runs for a configuration, for DBAs who create the tables themselves
     * and open with {@code schema_mode=validate} or {@code none}: Celery's two tables (and on PostgreSQL their
     * sequences) exactly as SQLAlchemy 1.4 creates them, then celeriac's {@code celeriac_chord},
     * {@code celeriac_chord_part} and {@code celeriac_seen_<task table>}. The PostgreSQL notify trigger is not
     * included (without it, waits still work; Python's writes are then found by polling). No connection is
     * made.
     *
     * @param config the parsed configuration
     * @return the statements, in order
     */
    public static java.util.List<String> schemaStatements(JdbcBackendConfig config) {
        return JdbcBackend.schemaStatements(config);
    }
}
