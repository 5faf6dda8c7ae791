/**
 * Internals of the in-memory event state: the live {@code MemoryEventState} (the locking and the listeners),
 * the single-threaded model with Celery's semantics, its mutable records and the time index. Not an API:
 * anything here may change in any release; open a state with
 * {@link io.celeriac.events.state.MemoryEventStateProvider}.
 */
package io.celeriac.events.state.internal;
