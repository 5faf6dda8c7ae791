/**
 * Helpers shared by every area of the AMQP module: the connection factory built from an
 * {@link io.celeriac.backend.amqp.AmqpConnectionConfig}, TLS from PEM files, rate-limited warnings. Not an API.
 */
package io.celeriac.backend.amqp.internal;
