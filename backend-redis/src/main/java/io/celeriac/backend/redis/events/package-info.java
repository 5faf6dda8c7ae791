/**
 * Celery events over Redis pub/sub: {@link io.celeriac.backend.redis.events.RedisEventSourceProvider} opens the
 * source that follows a cluster's event stream (Celery's {@code EventReceiver}) from a
 * {@link io.celeriac.backend.redis.events.RedisEventSourceConfig};
 * {@link io.celeriac.backend.redis.events.RedisEventDispatcher} publishes worker and task events of a Java
 * service (Celery's {@code EventDispatcher}) from a {@link io.celeriac.backend.redis.events.RedisEventDispatcherConfig};
 * both on the channels and in the envelopes kombu's Redis transport uses.
 */
package io.celeriac.backend.redis.events;
