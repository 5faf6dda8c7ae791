package io.celeriac.backend.redis.backend;

import io.celeriac.backend.redis.backend.internal.RedisBackend;
import io.celeriac.backend.redis.PrivateRedis;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.tck.Tck;
import io.celeriac.tck.ThreadLeaks;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code sentinel://} against private redis-servers and sentinels started from the installed binary. */
class SentinelTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    private static Duration t(long millis) {
        return Tck.timeout(Duration.ofMillis(millis));
    }

    @Test
    void findsTheMasterThroughTheSentinelsSkippingOneThatIsDown() throws Exception {
        ThreadLeaks threads = ThreadLeaks.snapshot();
        try (PrivateRedis master = PrivateRedis.start();
             PrivateRedis sentinel = PrivateRedis.sentinel(master.port(), "mymaster")) {
            int dead = PrivateRedis.freePort();
            String url = "sentinel://:ignored@127.0.0.1:" + dead + "/2;sentinel://127.0.0.1:" + sentinel.port() + "/2?master_name=mymaster";
            try (Backend b = CELERIAC.openBackend(url)) {
                assertThat(b.asUri()).isEqualTo("sentinel://:**@127.0.0.1:" + dead + "/2;sentinel://127.0.0.1:" + sentinel.port() + "/2");
                CompletableFuture<TaskMeta> waiting = b.waitForAsync("s1", t(20_000));
                b.storeResult("s1", "via sentinel", TaskState.SUCCESS);
                assertThat(waiting.get(t(20_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("via sentinel");
                b.setChordSize("g1", 1);
                assertThat(b.onChordPartReturn(new ChordPart("g1", "p1", 0, TaskState.SUCCESS, 1L, null, null))).isPresent();
            }
            try (var r = master.connect()) {
                r.call("SELECT", "2");
                assertThat(r.call("EXISTS", "celery-task-meta-s1")).isEqualTo(1L);
            }
        }
        threads.assertNoNewThreads(t(15_000), Set.of());
    }

    @Test
    void noSentinelAnsweringIsATypedErrorWhenTheBackendOpens() {
        int dead = PrivateRedis.freePort();
        assertThatThrownBy(() -> CELERIAC.openBackend("sentinel://127.0.0.1:" + dead + "?master_name=mymaster&socket_connect_timeout=2"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("sentinel://127.0.0.1:" + dead)
                .hasMessageContaining("mymaster");
    }

    @Test
    void waitsAndStoresSurviveAFailover() throws Exception {
        try (PrivateRedis master = PrivateRedis.start();
             PrivateRedis replica = PrivateRedis.start("--replicaof", "127.0.0.1", Integer.toString(master.port()))) {
            await().atMost(t(20_000)).until(() -> String.valueOf(replica.call("INFO", "replication")).contains("master_link_status:up"));
            try (PrivateRedis sentinel = PrivateRedis.sentinel(master.port(), "failme")) {
                await().atMost(t(20_000)).until(() -> String.valueOf(sentinel.call("SENTINEL", "REPLICAS", "failme"))
                        .contains(Integer.toString(replica.port())));
                RetryPolicy patient = new RetryPolicy(100, Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(200));
                try (Backend b = CELERIAC.openBackend("sentinel://127.0.0.1:" + sentinel.port() + "/0?master_name=failme",
                        BackendOptions.builder().retryPolicy(patient).build())) {
                    b.storeResult("before", 1L, TaskState.SUCCESS);
                    List<CompletableFuture<TaskMeta>> waits = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        waits.add(b.waitForAsync("after-" + i, t(60_000)));
                    }
                    await().atMost(t(10_000)).until(() -> ((RedisBackend) b).pendingWaitCount() == 20);
                    assertThat(sentinel.call("SENTINEL", "FAILOVER", "failme")).isEqualTo("OK");
                    await().atMost(t(30_000)).until(() -> String.valueOf(sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "failme"))
                            .contains(Integer.toString(replica.port())));
                    // What sentinel does to the old master when it reconfigures it (it may take up to 10 s on its
                    // own; until then the old master accepts writes that the new one never sees): demote it and
                    // drop its clients, so the pool meets READONLY and the subscriber reconnects to the new master.
                    master.call("REPLICAOF", "127.0.0.1", Integer.toString(replica.port()));
                    master.call("CLIENT", "KILL", "TYPE", "pubsub");
                    for (int i = 0; i < 20; i++) {
                        b.storeResult("after-" + i, (long) i, TaskState.SUCCESS);
                    }
                    for (int i = 0; i < 20; i++) {
                        assertThat(waits.get(i).get(t(60_000).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo((long) i);
                    }
                    assertThat(b.getResult("before")).isEqualTo(1L);
                    assertThat(((RedisBackend) b).subscriberConnectCount()).isGreaterThanOrEqualTo(2);
                    assertThat(replica.call("GET", "celery-task-meta-after-19")).asString().contains("\"result\": 19");
                }
            }
        }
    }
}
