/**
 * The live {@code memory://} broker and its in-memory servers. <b>Not an API:</b> open it with
 * {@link io.celeriac.broker.memory.MemoryBrokerProvider} (or {@code Celeriac.openBroker("memory://")}).
 */
package io.celeriac.broker.memory.internal;
