/**
 * RabbitMQ for celeriac ({@code amqp://}, {@code amqps://}, {@code pyamqp://}, {@code librabbitmq://}): the
 * connection settings every area of this module shares ({@link io.celeriac.backend.amqp.AmqpConnectionConfig}),
 * the broker in {@link io.celeriac.backend.amqp.broker}, and Celery's events in
 * {@link io.celeriac.backend.amqp.events}.
 */
package io.celeriac.backend.amqp;
