/**
 * Cluster events: {@link io.celeriac.events.Event}, the {@link io.celeriac.events.EventState} that builds
 * the cluster's workers and tasks from them (Celery's {@code State}) and the
 * {@link io.celeriac.events.EventSource} that receives them from a broker.
 */
package io.celeriac.events;
