/**
 * {@code disabled://}: Celery's {@code DisabledBackend}, which stores nothing and refuses every read: its provider
 * ({@link io.celeriac.backend.disabled.DisabledBackendProvider}), configuration
 * ({@link io.celeriac.backend.disabled.DisabledBackendConfig}) and the exception its reads raise
 * ({@link io.celeriac.backend.disabled.DisabledBackendException}); the live backend is in {@code internal}.
 */
package io.celeriac.backend.disabled;
