/**
 * Internals of the in-memory event state: the single-threaded model with Celery's semantics, its mutable
 * records and the time index. Not an API: anything here may change in any release.
 */
package io.celeriac.events.state.internal;
