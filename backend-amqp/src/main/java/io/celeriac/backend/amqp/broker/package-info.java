/**
 * The RabbitMQ broker: {@link io.celeriac.backend.amqp.broker.AmqpBrokerProvider} opens an
 * {@link io.celeriac.broker.Broker} from an {@link io.celeriac.backend.amqp.broker.AmqpBrokerConfig}.
 */
package io.celeriac.backend.amqp.broker;
