package io.celeriac.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.memory.MemoryBackendProvider;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.spi.BrokerProvider;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CeleriacModuleTest {

    @Test
    void bindsABackendFromItsUrl() {
        Injector injector = Guice.createInjector(CeleriacModule.builder()
                .backend("memory://guice?result_expires=60", BackendOptions.defaults()).build());
        try (Backend backend = injector.getInstance(Backend.class)) {
            assertThat(backend).isSameAs(injector.getInstance(Backend.class));
            assertThat(backend.options().resultExpires()).isEqualTo(Duration.ofSeconds(60));
            backend.storeResult("t", 1L, TaskState.SUCCESS);
            assertThat(backend.getResult("t")).isEqualTo(1L);
        }
    }

    @Test
    void providersAddedWithTheMultibinderBeatDiscovery() {
        AtomicInteger opened = new AtomicInteger();
        BackendProvider mine = new BackendProvider() {
            @Override
            public Set<String> schemes() {
                return Set.of("memory", "guiced");
            }

            @Override
            public Backend open(BackendUrl url, BackendOptions options) {
                opened.incrementAndGet();
                return new MemoryBackendProvider().open(url, options);
            }
        };
        Injector injector = Guice.createInjector(CeleriacModule.builder().backend("guiced://x").build(),
                binder -> CeleriacModule.providers(binder).addBinding().toInstance(mine));
        try (Backend backend = injector.getInstance(Backend.class)) {
            assertThat(opened).hasValue(1);
            assertThat(injector.getInstance(Celeriac.class).backends().resolve("memory://")).isSameAs(mine);
        }
    }

    @Test
    void bindsABrokerFromItsUrlThroughTheRegistry() {
        List<String> opened = new CopyOnWriteArrayList<>();
        BrokerProvider stub = new BrokerProvider() {
            @Override
            public Set<String> schemes() {
                return Set.of("stubmq");
            }

            @Override
            public Broker open(BackendUrl url, BrokerOptions options) {
                opened.add(url.masked() + " " + options.property("heartbeat").orElse("-"));
                return (Broker) java.lang.reflect.Proxy.newProxyInstance(Broker.class.getClassLoader(),
                        new Class<?>[] {Broker.class}, (proxy, method, args) -> switch (method.getName()) {
                            case "asUri" -> url.masked();
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> null;
                        });
            }
        };
        Injector injector = Guice.createInjector(CeleriacModule.builder().discover(false)
                        .broker("stubmq://u:pw@h/v", BrokerOptions.defaults().with("heartbeat", "30")).build(),
                binder -> CeleriacModule.providers(binder).addBinding().toInstance(stub));
        Broker broker = injector.getInstance(Broker.class);
        assertThat(broker).isSameAs(injector.getInstance(Broker.class));
        assertThat(broker.asUri()).isEqualTo("stubmq://u:**@h/v");
        assertThat(opened).containsExactly("stubmq://u:**@h/v 30");
        assertThat(injector.getInstance(Celeriac.class).brokers().schemes()).containsExactly("stubmq");
    }
}
