/**
 * The worker state store in a database ({@code db+postgresql://}, {@code db+sqlite:///}): a worker's revoked
 * task ids and Lamport clock, Celery's {@code --statedb}, kept in celeriac's own tables and shared safely by
 * several workers.
 *
 * <p>Users open it through {@link io.celeriac.Celeriac#openStateStore(String, io.celeriac.state.StateStoreOptions)};
 * this package holds the provider ({@link io.celeriac.backend.jdbc.state.JdbcStateStoreProvider}) and its
 * configuration ({@link io.celeriac.backend.jdbc.state.JdbcStateStoreConfig}).
 */
package io.celeriac.backend.jdbc.state;
