package io.celeriac;

import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.spi.BrokerProvider;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.spi.EventSourceProvider;
import io.celeriac.events.spi.EventStateProvider;
import io.celeriac.registry.ProviderRegistry;
import io.celeriac.spi.Provider;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.spi.StateStoreProvider;
import io.celeriac.url.BackendUrl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The entry point: the installed plugins of every SPI, and the methods that open a {@link Backend},
 * {@link StateStore}, {@link EventState}, {@link EventSource} or {@link Broker} from a URL.
 *
 * <pre>{@code
 * Celeriac celeriac = Celeriac.discover();            // finds the plugin jars on the class path
 * try (Backend backend = celeriac.openBackend("redis://localhost:6379/0")) {
 *     backend.storeResult(taskId, 42, TaskState.SUCCESS);
 * }
 * }</pre>
 *
 * <p>Discovery runs once, when the instance is built, and logs one line per provider: build one and keep
 * it. Explicit registrations ({@link Builder#register}) beat discovered providers for their schemes.
 * Immutable and thread-safe.
 */
public final class Celeriac {

    private final ProviderRegistry<BackendProvider> backends;
    private final ProviderRegistry<StateStoreProvider> stateStores;
    private final ProviderRegistry<EventStateProvider> eventStates;
    private final ProviderRegistry<EventSourceProvider> eventSources;
    private final ProviderRegistry<BrokerProvider> brokers;

    private Celeriac(Builder b) {
        this.backends = ProviderRegistry.build(BackendProvider.class, "backend", only(b.explicit, BackendProvider.class),
                b.discover, b.classLoader);
        this.stateStores = ProviderRegistry.build(StateStoreProvider.class, "state store",
                only(b.explicit, StateStoreProvider.class), b.discover, b.classLoader);
        this.eventStates = ProviderRegistry.build(EventStateProvider.class, "event state",
                only(b.explicit, EventStateProvider.class), b.discover, b.classLoader);
        this.eventSources = ProviderRegistry.build(EventSourceProvider.class, "event source",
                only(b.explicit, EventSourceProvider.class), b.discover, b.classLoader);
        this.brokers = ProviderRegistry.build(BrokerProvider.class, "broker", only(b.explicit, BrokerProvider.class),
                b.discover, b.classLoader);
    }

    private static <P extends Provider> List<P> only(List<Provider> all, Class<P> type) {
        List<P> out = new ArrayList<>();
        for (Provider p : all) {
            if (type.isInstance(p)) {
                out.add(type.cast(p));
            }
        }
        return out;
    }

    /**
     * Every provider on the class path of the thread's context class loader (and of celeriac's own).
     *
     * @return the registries
     */
    public static Celeriac discover() {
        return builder().build();
    }

    /**
     * A builder: choose the class loader, register providers explicitly, or turn discovery off.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the result backend providers */
    public ProviderRegistry<BackendProvider> backends() {
        return backends;
    }

    /** @return the worker state store providers */
    public ProviderRegistry<StateStoreProvider> stateStores() {
        return stateStores;
    }

    /** @return the event state providers */
    public ProviderRegistry<EventStateProvider> eventStates() {
        return eventStates;
    }

    /** @return the event source providers */
    public ProviderRegistry<EventSourceProvider> eventSources() {
        return eventSources;
    }

    /** @return the message broker providers */
    public ProviderRegistry<BrokerProvider> brokers() {
        return brokers;
    }

    /**
     * Opens a backend with Celery's default options.
     *
     * @param url e.g. {@code redis://host:6379/0}, {@code db+postgresql://u:p@host/db}, {@code memory://}
     * @return the backend; close it
     * @throws io.celeriac.url.InvalidUrlException when the URL does not parse
     * @throws io.celeriac.registry.UnknownSchemeException when no plugin answers its scheme
     */
    public Backend openBackend(String url) {
        return openBackend(BackendUrl.parse(url), BackendOptions.defaults());
    }

    /**
     * Opens a backend.
     *
     * @param url the URL
     * @param options the options; the URL's {@code result_expires} and {@code result_extended} override them
     * @return the backend; close it
     */
    public Backend openBackend(String url, BackendOptions options) {
        return openBackend(BackendUrl.parse(url), options);
    }

    /**
     * Opens a backend.
     *
     * @param url the parsed URL
     * @param options the options; the URL's {@code result_expires} and {@code result_extended} override them
     * @return the backend; close it
     */
    public Backend openBackend(BackendUrl url, BackendOptions options) {
        BackendProvider p = backends.resolve(url);
        BackendOptions effective = options.withUrlOverrides(url);
        return withProviderLoader(p, url, () -> p.open(url, effective));
    }

    /**
     * Opens a worker state store.
     *
     * @param url {@code file:///path}, a plain path, or another installed scheme
     * @param options the worker's node name and settings
     * @return the store; close it
     */
    public StateStore openStateStore(String url, StateStoreOptions options) {
        BackendUrl u = BackendUrl.parse(url);
        StateStoreProvider p = stateStores.resolve(u);
        return withProviderLoader(p, u, () -> p.open(u, options));
    }

    /**
     * Creates an event state.
     *
     * @param url e.g. {@code memory://}
     * @param options limits and clock
     * @return the state; close it
     */
    public EventState openEventState(String url, EventStateOptions options) {
        BackendUrl u = BackendUrl.parse(url);
        EventStateProvider p = eventStates.resolve(u);
        return withProviderLoader(p, u, () -> p.create(u, options));
    }

    /**
     * Opens an event source on a broker.
     *
     * @param brokerUrl e.g. {@code redis://host:6379/0}
     * @param options transport options
     * @return the source; close it
     */
    public EventSource openEventSource(String brokerUrl, EventSourceOptions options) {
        BackendUrl u = BackendUrl.parse(brokerUrl);
        EventSourceProvider p = eventSources.resolve(u);
        return withProviderLoader(p, u, () -> p.open(u, options));
    }

    /**
     * Opens a message broker with default settings.
     *
     * @param url Celery's {@code broker_url}, e.g. {@code amqp://guest:guest@localhost:5672//}, or a
     *            {@code ;}-separated failover list such as {@code amqp://h1//;amqp://h2//}
     * @return the broker; close it
     * @throws io.celeriac.url.InvalidUrlException when a part of the URL does not parse
     * @throws io.celeriac.registry.UnknownSchemeException when no plugin answers its scheme
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached
     */
    public Broker openBroker(String url) {
        return openBroker(url, BrokerOptions.defaults());
    }

    /**
     * Opens a message broker. In a {@code ;}-separated failover list each part is parsed on its own (so that a
     * problem names its part) and the first part's scheme chooses the plugin.
     *
     * @param url Celery's {@code broker_url}
     * @param options plugin-specific settings; the URL's query parameters override them
     * @return the broker; close it
     * @throws io.celeriac.url.InvalidUrlException when a part of the URL does not parse
     * @throws io.celeriac.registry.UnknownSchemeException when no plugin answers its scheme
     * @throws io.celeriac.broker.BrokerUnavailableException when the broker cannot be reached
     */
    public Broker openBroker(String url, BrokerOptions options) {
        Objects.requireNonNull(options, "options");
        BackendUrl first = null;
        if (url != null && url.indexOf(';') >= 0) {
            for (String part : url.split(";")) {
                if (part.isBlank()) {
                    continue;
                }
                BackendUrl parsed = BackendUrl.parse(part);
                if (first == null) {
                    first = parsed;
                }
            }
        }
        BackendUrl whole = BackendUrl.parse(url);
        BrokerProvider p = brokers.resolve(first == null ? whole : first);
        return withProviderLoader(p, first == null ? whole : first, () -> p.open(whole, options));
    }

    /**
     * Runs a provider's factory with the thread's context class loader set to the provider's, as Trino
     * does; a failure that is not a celeriac exception is wrapped with the masked URL.
     */
    private static <T> T withProviderLoader(Provider p, BackendUrl url, Supplier<T> factory) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        ClassLoader providerLoader = p.getClass().getClassLoader();
        if (providerLoader != null) {
            t.setContextClassLoader(providerLoader);
        }
        try {
            return factory.get();
        } catch (CeleriacException | UnsupportedOperationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProviderFailedException(p.getClass().getName(), url, e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** A builder of {@link Celeriac}; not thread-safe. */
    public static final class Builder {
        private final List<Provider> explicit = new ArrayList<>();
        private boolean discover = true;
        private ClassLoader classLoader;

        private Builder() {
        }

        /**
         * Registers providers explicitly; each is added to the registry of every SPI it implements, and
         * beats discovered providers for its schemes.
         *
         * @param providers the providers
         * @return this builder
         */
        public Builder register(Provider... providers) {
            for (Provider p : providers) {
                explicit.add(Objects.requireNonNull(p, "provider"));
            }
            return this;
        }

        /**
         * Registers providers explicitly.
         *
         * @param providers the providers
         * @return this builder
         */
        public Builder register(Iterable<? extends Provider> providers) {
            for (Provider p : providers) {
                explicit.add(Objects.requireNonNull(p, "provider"));
            }
            return this;
        }

        /**
         * Whether to discover providers with {@link java.util.ServiceLoader} (default true).
         *
         * @param v whether to discover
         * @return this builder
         */
        public Builder discover(boolean v) {
            discover = v;
            return this;
        }

        /**
         * The class loader to discover providers with first (default: the thread's context class loader);
         * celeriac's own class loader is searched after it.
         *
         * @param v the class loader
         * @return this builder
         */
        public Builder classLoader(ClassLoader v) {
            classLoader = v;
            return this;
        }

        /**
         * Builds the registries; discovery runs now.
         *
         * @return the instance
         * @throws io.celeriac.registry.DuplicateSchemeException when two explicit providers claim one scheme
         */
        public Celeriac build() {
            return new Celeriac(this);
        }
    }
}
