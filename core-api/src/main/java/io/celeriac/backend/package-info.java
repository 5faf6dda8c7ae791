/**
 * The result backend contract and its value types: {@link io.celeriac.backend.Backend},
 * {@link io.celeriac.backend.TaskMeta}, {@link io.celeriac.backend.TaskState},
 * {@link io.celeriac.backend.ExceptionInfo}, {@link io.celeriac.backend.GroupResult} and the chord types.
 *
 * <p>Plugin authors implement {@link io.celeriac.backend.spi.BackendProvider}, usually by extending
 * {@link io.celeriac.backend.spi.AbstractBackend} or {@link io.celeriac.backend.spi.KeyValueBackend}.
 */
package io.celeriac.backend;
