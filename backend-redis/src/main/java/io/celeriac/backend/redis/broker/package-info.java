/**
 * The Redis broker: {@link io.celeriac.backend.redis.broker.RedisBrokerProvider} opens kombu's Redis transport
 * from a {@link io.celeriac.backend.redis.broker.RedisBrokerConfig} (the shared connection settings and kombu's
 * broker transport options).
 */
package io.celeriac.backend.redis.broker;
