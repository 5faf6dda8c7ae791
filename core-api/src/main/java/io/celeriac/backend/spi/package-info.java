/**
 * What a result backend plugin implements: {@link io.celeriac.backend.spi.BackendProvider}, usually with
 * a backend extending {@link io.celeriac.backend.spi.AbstractBackend} or
 * {@link io.celeriac.backend.spi.KeyValueBackend}, and the building blocks for waiting
 * ({@link io.celeriac.backend.spi.PendingWaits}, {@link io.celeriac.backend.spi.PollingWaiter}).
 */
package io.celeriac.backend.spi;
