package io.celeriac.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.memory.MemoryBackendProvider;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
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
}
