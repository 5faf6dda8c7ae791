/**
 * The message layer: a {@link io.celeriac.broker.Broker} publishes and consumes Celery's messages on a
 * broker (RabbitMQ, Redis) exactly as kombu's transports do, chosen by the scheme of Celery's
 * {@code broker_url}.
 *
 * <p>The model is transport-neutral: a {@link io.celeriac.broker.Message} carries body bytes, content type and
 * encoding, headers whose values are JSON-like Java values, and kombu's properties; exchanges, queues and
 * bindings are declared with {@link io.celeriac.broker.ExchangeSpec}, {@link io.celeriac.broker.QueueSpec} and
 * {@link io.celeriac.broker.Binding}; deliveries are acknowledged or rejected one by one.
 * {@link io.celeriac.broker.CeleryTopology} names what Celery declares. Every failure is a
 * {@link io.celeriac.CeleriacException}; an unreachable broker is a
 * {@link io.celeriac.broker.BrokerUnavailableException}.
 */
package io.celeriac.broker;
