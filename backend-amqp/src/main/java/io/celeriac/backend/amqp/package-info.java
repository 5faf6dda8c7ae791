/**
 * RabbitMQ for celeriac ({@code amqp://}, {@code amqps://}, {@code pyamqp://}, {@code librabbitmq://}): the
 * connection settings every area of this module shares ({@link io.celeriac.backend.amqp.AmqpConnectionConfig}),
 * and the broker in {@link io.celeriac.backend.amqp.broker}.
 */
package io.celeriac.backend.amqp;
