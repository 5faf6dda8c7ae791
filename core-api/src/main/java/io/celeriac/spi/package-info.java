/**
 * What every plugin provider has in common ({@link io.celeriac.spi.Provider}), and the helpers every plugin
 * uses the same way: {@link io.celeriac.spi.SettingsReader} for settings, {@link io.celeriac.spi.RetryRunner}
 * for retrying transient failures under a retry policy, {@link io.celeriac.spi.GroupCommitQueue} for making
 * concurrent changes durable in shared batches. Each SPI's own interface lives in its area's {@code spi}
 * package.
 */
package io.celeriac.spi;
