/**
 * {@code memory://}: the in-process reference backend, like Celery's {@code cache+memory://}: its provider
 * ({@link io.celeriac.backend.memory.MemoryBackendProvider}) and configuration
 * ({@link io.celeriac.backend.memory.MemoryBackendConfig}); the live backend is in {@code internal}.
 */
package io.celeriac.backend.memory;
