/**
 * The live RabbitMQ broker and its helpers (publisher-confirm channels, subscriptions, value conversion). Not an
 * API: use {@link io.celeriac.broker.Broker}.
 */
package io.celeriac.backend.amqp.broker.internal;
