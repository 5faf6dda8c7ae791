package io.celeriac.client.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.celeriac.Celeriac;
import io.celeriac.client.CeleryClient;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Binds a singleton {@link CeleryClient} in a Guice injector, opened through the injector's {@link Celeriac} (as
 * bound by {@code io.celeriac.guice.CeleriacModule}) or, when none is bound, {@link Celeriac#discover()}.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new CeleriacModule...,
 *     new CeleryClientModule(b -> b.brokerUrl("redis://localhost:6379/0").backendUrl("redis://localhost:6379/1")));
 * CeleryClient client = injector.getInstance(CeleryClient.class);
 * }</pre>
 *
 * <p>The settings are applied to a fresh {@link CeleryClient.Builder} when the client is first needed. The client
 * is not closed by Guice: close it when the application stops. Guice is an optional dependency of this jar.
 */
public final class CeleryClientModule extends AbstractModule {

    private final Consumer<CeleryClient.Builder> settings;

    /**
     * A module with the client's settings.
     *
     * @param settings applied to the builder (URLs, routes, default queue...)
     */
    public CeleryClientModule(Consumer<CeleryClient.Builder> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        // the client is provided below
    }

    @Provides
    @Singleton
    CeleryClient client(Injector injector) {
        Binding<Celeriac> bound = injector.getExistingBinding(Key.get(Celeriac.class));
        CeleryClient.Builder b = CeleryClient.builder()
                .celeriac(bound == null ? Celeriac.discover() : bound.getProvider().get());
        settings.accept(b);
        return b.build();
    }
}
