/**
 * The live RabbitMQ event source and the events area's message details (the event and wake-up messages as kombu
 * sends them); not an API: these types may change in any release.
 */
package io.celeriac.backend.amqp.events.internal;
