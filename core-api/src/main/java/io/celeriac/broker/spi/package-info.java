/**
 * What a broker plugin implements: {@link io.celeriac.broker.spi.BrokerProvider}, listed in
 * {@code META-INF/services/io.celeriac.broker.spi.BrokerProvider}.
 */
package io.celeriac.broker.spi;
