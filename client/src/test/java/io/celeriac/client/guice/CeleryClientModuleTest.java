package io.celeriac.client.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.celeriac.Celeriac;
import io.celeriac.client.CeleryClient;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Guice module binds one client, opened with the injector's Celeriac when one is bound. */
class CeleryClientModuleTest {

    @Test
    void bindsASingletonClientWithItsSettings() {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease broker = redis.leaseDatabase();
             RedisTestServer.DatabaseLease backend = redis.leaseDatabase()) {
            Celeriac celeriac = Celeriac.discover();
            Injector injector = Guice.createInjector(binder -> binder.bind(Celeriac.class).toInstance(celeriac),
                    new CeleryClientModule(b -> b.brokerUrl(broker.url()).backendUrl(backend.url())));
            try (CeleryClient client = injector.getInstance(CeleryClient.class)) {
                assertThat(injector.getInstance(CeleryClient.class)).isSameAs(client);
                assertThat(client.broker().asUri()).startsWith("redis://");
                assertThat(client.backend()).isPresent();
                assertThat(client.threadOid()).hasSize(36);
            }
        }
    }
}
