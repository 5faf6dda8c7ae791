/**
 * The client: sends Celery tasks and canvases (protocol 2) through any {@link io.celeriac.broker.Broker}, follows
 * their results through any {@link io.celeriac.backend.Backend}, and controls the cluster over the pidbox.
 */
package io.celeriac.client;
