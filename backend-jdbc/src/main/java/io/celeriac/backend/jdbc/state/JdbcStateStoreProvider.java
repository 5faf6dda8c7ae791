package io.celeriac.backend.jdbc.state;

import io.celeriac.backend.jdbc.state.internal.JdbcStateStore;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.spi.StateStoreProvider;
import io.celeriac.url.BackendUrl;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Opens worker state stores in a database, for workers without a persistent disk (Celery issue #4886):
 * the revoked ids and Lamport clock that Celery keeps in its {@code --statedb} file, kept instead in
 * PostgreSQL (a cluster) or SQLite (one machine), in celeriac's own tables beside the result tables.
 *
 * <pre>{@code
 * StateStore store = Celeriac.discover().openStateStore("db+postgresql://celery:secret@db/celery",
 *         StateStoreOptions.builder().nodeName("worker1@pod-7f9c").property("state_name", "billing").build());
 * store.merge(worker);   // the revokes every worker of "billing" stored, and a clock above all of theirs
 * }</pre>
 *
 * <p>URL forms are the database result backend's: {@code db+postgresql://user:password@host:5432/db} (also
 * {@code database+postgresql://}, driver suffixes such as {@code +psycopg2}, and {@code jdbc:postgresql://}),
 * {@code db+sqlite:///relative/path.sqlite}, {@code db+sqlite:////absolute/path.sqlite} and
 * {@code jdbc:sqlite:path}. Settings are in {@link JdbcStateStoreConfig}. Several workers may open one
 * state at once ({@link io.celeriac.state.StateStoreCapability#SHARED}).
 *
 * <p>Stateless and thread-safe; {@link #open} connects. When the database cannot be reached, opening, merging
 * and saving fail with the state store's own exceptions ({@link io.celeriac.state.UnableToOpenStateStoreException},
 * {@link io.celeriac.state.UnableToSaveStateException}) whose cause is an
 * {@link io.celeriac.ServiceUnavailableException} naming the masked location.
 */
public final class JdbcStateStoreProvider implements StateStoreProvider {

    /** Creates the provider; it does no I/O. */
    public JdbcStateStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("db+postgresql", "database+postgresql", "db+sqlite", "database+sqlite", "jdbc:postgresql", "jdbc:sqlite");
    }

    @Override
    public String description() {
        return "worker state (revoked ids, clock) shared in PostgreSQL or SQLite tables";
    }

    /**
     * Opens a state store.
     *
     * @param url the database URL
     * @param options the worker's node name and {@link JdbcStateStoreConfig} properties
     * @return the store, connected, its tables created or checked; the caller closes it
     * @throws io.celeriac.url.InvalidUrlException listing every bad setting
     * @throws io.celeriac.state.UnableToOpenStateStoreException when the database cannot be reached or a table
     *         is missing (with {@code schema_mode=validate} or {@code none})
     * @throws io.celeriac.state.CorruptStateException when a table has a shape the store cannot use
     */
    @Override
    public StateStore open(BackendUrl url, StateStoreOptions options) {
        return new JdbcStateStore(JdbcStateStoreConfig.parse(url, options));
    }

    /**
     * Opens a state store from a parsed configuration.
     *
     * @param config the configuration
     * @return the store; the caller closes it
     * @throws io.celeriac.state.UnableToOpenStateStoreException when the database cannot be reached or a table
     *         is missing (with {@code schema_mode=validate} or {@code none})
     * @throws io.celeriac.state.CorruptStateException when a table has a shape the store cannot use
     */
    public static StateStore open(JdbcStateStoreConfig config) {
        return new JdbcStateStore(Objects.requireNonNull(config, "config"));
    }

    /**
     * The DDL {@code schema_mode=create} runs for a configuration, for DBAs who create the tables themselves
     * and open with {@code schema_mode=validate} or {@code none}. No connection is made.
     *
     * @param config the parsed configuration
     * @return the statements, in order
     */
    public static List<String> schemaStatements(JdbcStateStoreConfig config) {
        return JdbcStateStore.schemaStatements(config);
    }
}
