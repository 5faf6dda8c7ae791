/**
 * A worker's persistent state: {@link io.celeriac.state.RevokedSet}, {@link io.celeriac.state.LamportClock},
 * {@link io.celeriac.state.WorkerState} and the {@link io.celeriac.state.StateStore} contract that keeps
 * them between restarts (Celery's {@code --statedb}).
 */
package io.celeriac.state;
