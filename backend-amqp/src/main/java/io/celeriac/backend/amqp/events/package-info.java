/**
 * Celery events on RabbitMQ: {@link io.celeriac.backend.amqp.events.AmqpEventSourceProvider} opens the source that
 * follows a cluster's event stream (Celery's {@code EventReceiver}) from an
 * {@link io.celeriac.backend.amqp.events.AmqpEventSourceConfig};
 * {@link io.celeriac.backend.amqp.events.AmqpEventDispatcher} publishes worker and task events of a Java service
 * (Celery's {@code EventDispatcher}) from an {@link io.celeriac.backend.amqp.events.AmqpEventDispatcherConfig};
 * both on the {@code celeryev} topic exchange, with the messages kombu's pyamqp transport sends, through the
 * module's broker connection.
 */
package io.celeriac.backend.amqp.events;
