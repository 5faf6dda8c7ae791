/**
 * The live {@code memory://} state store and the JVM-wide areas it keeps state in. <b>Not an API:</b> open it
 * with {@link io.celeriac.state.memory.MemoryStateStoreProvider}.
 */
package io.celeriac.state.memory.internal;
