/**
 * What every plugin provider has in common ({@link io.celeriac.spi.Provider}); each SPI's own interface
 * lives in its area's {@code spi} package.
 */
package io.celeriac.spi;
