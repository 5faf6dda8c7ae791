package io.celeriac.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.spi.Provider;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;

import java.util.Objects;
import java.util.Set;

/**
 * Binds celeriac in a Guice injector: a singleton {@link Celeriac} (discovered providers plus any bound
 * with {@link #providers(Binder)}), and, for each URL configured, a singleton {@link Backend},
 * {@link StateStore}, {@link EventState} and {@link Broker}.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(
 *     CeleriacModule.builder().backend("redis://localhost:6379/0").build(),
 *     binder -> CeleriacModule.providers(binder).addBinding().toInstance(new MyBackendProvider()));
 * Backend backend = injector.getInstance(Backend.class);
 * }</pre>
 *
 * <p>Providers bound through the multibinder are explicit registrations: they beat discovered ones for
 * their schemes. Guice is an optional dependency of core-api: add {@code com.google.inject:guice} (7.x,
 * {@code jakarta.inject}) to use this package; no SPI signature mentions Guice. The bound instances are
 * not closed by Guice: close them when the application stops.
 */
public final class CeleriacModule extends AbstractModule {

    private final String backendUrl;
    private final BackendOptions backendOptions;
    private final String stateStoreUrl;
    private final StateStoreOptions stateStoreOptions;
    private final String eventStateUrl;
    private final EventStateOptions eventStateOptions;
    private final String brokerUrl;
    private final BrokerOptions brokerOptions;
    private final ClassLoader classLoader;
    private final boolean discover;

    private CeleriacModule(Builder b) {
        this.backendUrl = b.backendUrl;
        this.backendOptions = b.backendOptions;
        this.stateStoreUrl = b.stateStoreUrl;
        this.stateStoreOptions = b.stateStoreOptions;
        this.eventStateUrl = b.eventStateUrl;
        this.eventStateOptions = b.eventStateOptions;
        this.brokerUrl = b.brokerUrl;
        this.brokerOptions = b.brokerOptions;
        this.classLoader = b.classLoader;
        this.discover = b.discover;
    }

    /**
     * A builder.
     *
     * @return a builder with nothing configured
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The multibinder to add explicit providers to, from any module.
     *
     * @param binder the binder
     * @return the set binder of providers
     */
    public static Multibinder<Provider> providers(Binder binder) {
        return Multibinder.newSetBinder(binder, Provider.class);
    }

    @Override
    protected void configure() {
        providers(binder());
        if (backendUrl != null) {
            bind(Backend.class).toProvider(new BackendFactory(backendUrl, backendOptions)).in(Singleton.class);
        }
        if (stateStoreUrl != null) {
            bind(StateStore.class).toProvider(new StateStoreFactory(stateStoreUrl, stateStoreOptions)).in(Singleton.class);
        }
        if (eventStateUrl != null) {
            bind(EventState.class).toProvider(new EventStateFactory(eventStateUrl, eventStateOptions)).in(Singleton.class);
        }
        if (brokerUrl != null) {
            bind(Broker.class).toProvider(new BrokerFactory(brokerUrl, brokerOptions)).in(Singleton.class);
        }
    }

    @Provides
    @Singleton
    Celeriac celeriac(Set<Provider> explicit) {
        return Celeriac.builder().register(explicit).discover(discover).classLoader(classLoader).build();
    }

    private static final class BackendFactory implements com.google.inject.Provider<Backend> {
        private final String url;
        private final BackendOptions options;
        @jakarta.inject.Inject
        private Celeriac celeriac;

        BackendFactory(String url, BackendOptions options) {
            this.url = url;
            this.options = options;
        }

        @Override
        public Backend get() {
            return celeriac.openBackend(url, options);
        }
    }

    private static final class StateStoreFactory implements com.google.inject.Provider<StateStore> {
        private final String url;
        private final StateStoreOptions options;
        @jakarta.inject.Inject
        private Celeriac celeriac;

        StateStoreFactory(String url, StateStoreOptions options) {
            this.url = url;
            this.options = options;
        }

        @Override
        public StateStore get() {
            return celeriac.openStateStore(url, options);
        }
    }

    private static final class EventStateFactory implements com.google.inject.Provider<EventState> {
        private final String url;
        private final EventStateOptions options;
        @jakarta.inject.Inject
        private Celeriac celeriac;

        EventStateFactory(String url, EventStateOptions options) {
            this.url = url;
            this.options = options;
        }

        @Override
        public EventState get() {
            return celeriac.openEventState(url, options);
        }
    }

    private static final class BrokerFactory implements com.google.inject.Provider<Broker> {
        private final String url;
        private final BrokerOptions options;
        @jakarta.inject.Inject
        private Celeriac celeriac;

        BrokerFactory(String url, BrokerOptions options) {
            this.url = url;
            this.options = options;
        }

        @Override
        public Broker get() {
            return celeriac.openBroker(url, options);
        }
    }

    /** A builder of {@link CeleriacModule}; not thread-safe. */
    public static final class Builder {
        private String backendUrl;
        private BackendOptions backendOptions = BackendOptions.defaults();
        private String stateStoreUrl;
        private StateStoreOptions stateStoreOptions = StateStoreOptions.defaults();
        private String eventStateUrl;
        private EventStateOptions eventStateOptions = EventStateOptions.defaults();
        private String brokerUrl;
        private BrokerOptions brokerOptions = BrokerOptions.defaults();
        private ClassLoader classLoader;
        private boolean discover = true;

        private Builder() {
        }

        /** @param url the result backend URL to bind {@link Backend} to @return this builder */
        public Builder backend(String url) {
            return backend(url, BackendOptions.defaults());
        }

        /** @param url the result backend URL @param options its options @return this builder */
        public Builder backend(String url, BackendOptions options) {
            backendUrl = Objects.requireNonNull(url, "url");
            backendOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** @param url the state store URL @param options its options @return this builder */
        public Builder stateStore(String url, StateStoreOptions options) {
            stateStoreUrl = Objects.requireNonNull(url, "url");
            stateStoreOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** @param url the event state URL (e.g. {@code memory://}) @param options its options @return this builder */
        public Builder eventState(String url, EventStateOptions options) {
            eventStateUrl = Objects.requireNonNull(url, "url");
            eventStateOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** @param url the broker URL to bind {@link Broker} to (Celery's {@code broker_url}) @return this builder */
        public Builder broker(String url) {
            return broker(url, BrokerOptions.defaults());
        }

        /** @param url the broker URL @param options its settings @return this builder */
        public Builder broker(String url, BrokerOptions options) {
            brokerUrl = Objects.requireNonNull(url, "url");
            brokerOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** @param loader the class loader to discover providers with @return this builder */
        public Builder classLoader(ClassLoader loader) {
            classLoader = loader;
            return this;
        }

        /** @param v whether to discover providers on the class path (default true) @return this builder */
        public Builder discover(boolean v) {
            discover = v;
            return this;
        }

        /** @return the module */
        public CeleriacModule build() {
            return new CeleriacModule(this);
        }
    }
}
