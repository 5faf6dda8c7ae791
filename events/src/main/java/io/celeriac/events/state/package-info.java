/**
 * The in-memory cluster state, Celery's {@code celery.events.state.State} for the JVM: its provider for
 * {@code memory://} URLs ({@link io.celeriac.events.state.MemoryEventStateProvider}) and configuration
 * ({@link io.celeriac.events.state.MemoryEventStateConfig}); the live state and its model are in {@code internal}.
 */
package io.celeriac.events.state;
