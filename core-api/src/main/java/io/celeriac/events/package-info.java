/**
 * Cluster events: {@link io.celeriac.events.Event}, the {@link io.celeriac.events.EventState} that builds
 * the cluster's workers and tasks from them (Celery's {@code State}) with its frozen views
 * ({@link io.celeriac.events.WorkerInfo}, {@link io.celeriac.events.TaskInfo},
 * {@link io.celeriac.events.EventStateSnapshot}), the {@link io.celeriac.events.EventSource} that receives
 * them from a broker, and the {@link io.celeriac.events.EventReceiverRules} every source applies to what it
 * receives (Celery's {@code EventReceiver} clock, utcoffset and {@code local_received} rules).
 *
 * <p>Everything here is immutable or thread-safe as its Javadoc says; methods reject {@code null}
 * arguments unless documented otherwise.
 */
package io.celeriac.events;
