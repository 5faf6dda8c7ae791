/**
 * The live {@code memory://} backend and its store. <b>Not an API:</b> open it with
 * {@link io.celeriac.backend.memory.MemoryBackendProvider} (or {@code Celeriac.openBackend("memory://")}).
 */
package io.celeriac.backend.memory.internal;
