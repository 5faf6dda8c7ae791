/**
 * Celery events over Redis pub/sub: {@link io.celeriac.backend.redis.events.RedisEventSource} follows a
 * cluster's event stream (Celery's {@code EventReceiver}), {@link io.celeriac.backend.redis.events.RedisEventDispatcher}
 * publishes worker and task events of a Java service (Celery's {@code EventDispatcher}), both on the channels
 * and in the envelopes kombu's Redis transport uses.
 */
package io.celeriac.backend.redis.events;
