package io.celeriac.broker.spi;

import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;

/**
 * Creates {@link Broker}s for some URL schemes: the SPI a broker plugin implements (kombu's transports).
 *
 * <p>List the implementation in {@code META-INF/services/io.celeriac.broker.spi.BrokerProvider}. It must have a
 * public no-argument constructor that does no I/O, and be thread-safe. Pass the conformance kit
 * ({@code io.celeriac.tck.BrokerContract}) to prove the brokers it opens.
 */
public interface BrokerProvider extends Provider {

    /**
     * Opens a live broker. It connects now, so that a broker that cannot be reached fails here.
     *
     * @param url Celery's {@code broker_url}, whose scheme is one of {@link #schemes()}; its text may hold a
     *            {@code ;}-separated failover list ({@link BackendUrl#unmaskedText()}), which the provider splits
     * @param options plugin-specific settings, merged with the URL's query parameters by the provider
     * @return the broker; the caller closes it
     * @throws io.celeriac.InvalidConfigurationException listing every problem of the URL and options
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached
     */
    Broker open(BackendUrl url, BrokerOptions options);
}
