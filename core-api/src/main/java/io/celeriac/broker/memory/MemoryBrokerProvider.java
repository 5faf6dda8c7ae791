package io.celeriac.broker.memory;

import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.memory.internal.MemoryBroker;
import io.celeriac.broker.spi.BrokerProvider;
import io.celeriac.url.BackendUrl;

import java.util.Set;

/**
 * Opens {@code memory://} brokers: exchanges, queues and deliveries held in this JVM, so that a client and a
 * worker of one process talk without a server (tests, demos, embedded use).
 *
 * <p>Every broker opened with the same URL name ({@code memory://} or {@code memory://name}) reaches the same
 * in-memory server while at least one of them is open; another name is another server. Settings: none (see
 * {@link MemoryBrokerConfig}). Stateless and thread-safe; listed in
 * {@code META-INF/services/io.celeriac.broker.spi.BrokerProvider}.
 */
public final class MemoryBrokerProvider implements BrokerProvider {

    /** Creates the provider; it does nothing else. */
    public MemoryBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public String description() {
        return "in-process reference broker (messages vanish with the JVM)";
    }

    /**
     * Opens a memory broker on the server of the URL's name.
     *
     * @param url {@code memory://} or {@code memory://name}
     * @param options the options (the memory broker knows none)
     * @return the broker; the caller closes it
     * @throws io.celeriac.url.InvalidUrlException when the URL or the options hold a setting
     */
    @Override
    public Broker open(BackendUrl url, BrokerOptions options) {
        return new MemoryBroker(MemoryBrokerConfig.parse(url, options));
    }
}
