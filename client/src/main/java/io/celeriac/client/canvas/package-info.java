/**
 * Celery's canvas as values: {@link io.celeriac.client.canvas.Chain}, {@link io.celeriac.client.canvas.Group} and
 * {@link io.celeriac.client.canvas.Chord} of {@link io.celeriac.task.Signature}s, sent with
 * {@link io.celeriac.client.CeleryClient}.
 */
package io.celeriac.client.canvas;
