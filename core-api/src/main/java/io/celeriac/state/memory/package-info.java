/**
 * {@code memory://name}: the in-process reference {@link io.celeriac.state.StateStore}, for tests and
 * examples; see {@link io.celeriac.state.memory.MemoryStateStoreProvider}.
 */
package io.celeriac.state.memory;
