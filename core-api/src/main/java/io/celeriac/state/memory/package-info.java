/**
 * {@code memory://name}: the in-process reference {@link io.celeriac.state.StateStore}, for tests and
 * examples: its provider ({@link io.celeriac.state.memory.MemoryStateStoreProvider}) and configuration
 * ({@link io.celeriac.state.memory.MemoryStateStoreConfig}); the live store is in {@code internal}.
 */
package io.celeriac.state.memory;
