/**
 * The in-memory cluster state: {@link io.celeriac.events.state.MemoryEventState}, Celery's
 * {@code celery.events.state.State} for the JVM, and its provider for {@code memory://} URLs.
 */
package io.celeriac.events.state;
