/**
 * celeriac: Celery's result backends, worker persistent state and cluster event state for the JVM.
 *
 * <p>Start at {@link io.celeriac.Celeriac}, which finds the installed plugins and opens a
 * {@link io.celeriac.backend.Backend}, a {@link io.celeriac.state.StateStore}, an
 * {@link io.celeriac.events.EventState} or an {@link io.celeriac.events.EventSource} from a URL.
 *
 * <p>Every failure celeriac raises is a {@link io.celeriac.CeleriacException}, with one deliberate
 * exception: an operation a plugin does not support raises
 * {@link io.celeriac.UnsupportedCapabilityException}, a {@link java.lang.UnsupportedOperationException},
 * as Java code expects.
 */
package io.celeriac;
