/**
 * Celery's {@code rpc://} result backend on RabbitMQ: {@link io.celeriac.backend.amqp.backend.RpcBackendProvider} is
 * found on the class path and opens the backend from a {@link io.celeriac.backend.amqp.backend.RpcBackendConfig}
 * (the backend's settings and the module's shared {@link io.celeriac.backend.amqp.AmqpConnectionConfig}). Users
 * reach the live backend through {@link io.celeriac.backend.Backend}.
 */
package io.celeriac.backend.amqp.backend;
