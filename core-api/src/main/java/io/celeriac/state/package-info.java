/**
 * A worker's persistent state, Celery's {@code --statedb}: the revoked task ids
 * ({@link io.celeriac.state.RevokedSet}, Celery's {@code LimitedSet} with wall-clock timestamps), the
 * logical clock ({@link io.celeriac.state.LamportClock}, kombu's), both held by a
 * {@link io.celeriac.state.WorkerState}, and the {@link io.celeriac.state.StateStore} contract that keeps
 * them between restarts (Celery's {@code Persistent}) with the failures it raises:
 * {@link io.celeriac.state.CorruptStateException}, {@link io.celeriac.state.StateStoreLockedException},
 * {@link io.celeriac.state.UnableToOpenStateStoreException},
 * {@link io.celeriac.state.UnableToSaveStateException} and
 * {@link io.celeriac.state.StateStoreClosedException}.
 *
 * <p>Open a store with {@code Celeriac.discover().openStateStore(url, options)}: {@code file:} paths come
 * with the {@code celeriac-statedb-file} jar, {@code memory://name} with this one.
 */
package io.celeriac.state;
