/**
 * {@code memory://}: the in-process reference broker, like kombu's {@code memory://} transport: its provider
 * ({@link io.celeriac.broker.memory.MemoryBrokerProvider}) and configuration
 * ({@link io.celeriac.broker.memory.MemoryBrokerConfig}); the live broker is in {@code internal}.
 */
package io.celeriac.broker.memory;
