/**
 * The live {@code disabled://} backend. <b>Not an API:</b> open it with
 * {@link io.celeriac.backend.disabled.DisabledBackendProvider} (or {@code Celeriac.openBackend("disabled://")}).
 */
package io.celeriac.backend.disabled.internal;
