/**
 * {@code memory://}: the in-process reference backend, like Celery's {@code cache+memory://}.
 */
package io.celeriac.backend.memory;
