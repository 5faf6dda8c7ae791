package io.celeriac.worker.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.celeriac.Celeriac;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.worker.TaskRegistry;
import io.celeriac.worker.Worker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class CeleryWorkerModuleTest {

    @Test
    void theInjectorsRegistryAndSettingsMakeOneWorker() {
        String server = "memory://guice-" + UUID.randomUUID();
        Injector injector = Guice.createInjector(new AbstractModule() {
            @Provides
            @Singleton
            TaskRegistry tasks() {
                return new TaskRegistry().register("g.twice", ctx -> ctx.arg(0, Long.class) * 2);
            }
        }, new CeleryWorkerModule(b -> b.brokerUrl(server).backendUrl("memory://").nodename("guice@test")
                .concurrency(2)));
        Worker worker = injector.getInstance(Worker.class);
        assertThat(injector.getInstance(Worker.class)).isSameAs(worker);
        assertThat(worker.registry().names()).containsExactly("g.twice");
        assertThat(worker.nodename()).isEqualTo("guice@test");
        try (Worker w = worker.start();
             CeleryClient c = CeleryClient.builder().celeriac(Celeriac.discover()).brokerUrl(server).withoutBackend()
                     .build()) {
            assertThat(w.isRunning()).isTrue();
            c.send("g.twice", List.of(21), null, SendOptions.none());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> w.totals().getOrDefault("g.twice", 0L) == 1L);
        }
        assertThat(worker.isRunning()).isFalse();
    }
}
