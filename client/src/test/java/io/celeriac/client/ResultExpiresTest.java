package io.celeriac.client;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code result_expires} reaches the backend the client opens: a saved group expires after it. */
class ResultExpiresTest {

    @Test
    void aSavedGroupExpiresAfterResultExpires() throws Exception {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease brokerDb = redis.leaseDatabase();
             RedisTestServer.DatabaseLease backendDb = redis.leaseDatabase();
             CeleryClient client = CeleryClient.builder().brokerUrl(brokerDb.url()).backendUrl(backendDb.url())
                     .resultExpires(Duration.ofSeconds(1234)).build();
             Resp r = redis.connect(backendDb.db())) {
            String gid = UUID.randomUUID().toString();
            client.groupResult(gid, List.of(UUID.randomUUID().toString())).save();
            long ttl = ((Number) r.call("TTL", "celery-taskset-meta-" + gid)).longValue();
            assertThat(ttl).isBetween(1200L, 1234L);
        }
    }
}
