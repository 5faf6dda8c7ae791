/**
 * The Java worker: consumes Celery's protocol-2 task messages from any {@link io.celeriac.broker.Broker}, runs
 * Java task handlers, stores results in any {@link io.celeriac.backend.Backend}, sends events and keeps its
 * revoked ids in a {@link io.celeriac.state.StateStore}.
 */
package io.celeriac.worker;
