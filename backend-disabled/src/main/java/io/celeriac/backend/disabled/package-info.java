/**
 * {@code disabled://}: Celery's {@code DisabledBackend}, which stores nothing and refuses every read.
 */
package io.celeriac.backend.disabled;
