/**
 * Snapshots of an event state at regular intervals, Celery's {@code celery.events.snapshot}:
 * {@link io.celeriac.events.snapshot.Polaroid} takes them and hands them to a
 * {@link io.celeriac.events.snapshot.Camera}; {@link io.celeriac.events.snapshot.JsonFileCamera} and
 * {@link io.celeriac.events.snapshot.BackendCamera} are included.
 */
package io.celeriac.events.snapshot;
