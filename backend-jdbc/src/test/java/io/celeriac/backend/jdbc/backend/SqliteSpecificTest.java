package io.celeriac.backend.jdbc.backend;

import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.UnableToStoreResultException;
import io.celeriac.backend.jdbc.internal.SqlFailure;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.Tck;
import io.celeriac.testing.PythonCelery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQLite as the embedded default: WAL mode, a private in-memory database, a busy database retried, and
 * Python Celery writing to the same file from another process at the same time as celeriac.
 */
class SqliteSpecificTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @TempDir
    Path dir;

    private String url() {
        return "db+sqlite:///" + dir.resolve("results.sqlite").toAbsolutePath();
    }

    private Connection raw() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("results.sqlite").toAbsolutePath());
    }

    @Test
    void theFileIsInWalMode() throws Exception {
        try (Backend b = CELERIAC.openBackend(url())) {
            b.storeResult("x", 1L, TaskState.SUCCESS);
            try (Connection c = raw(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
        }
    }

    @Test
    void anInMemoryDatabaseIsPrivateAndSharedByTheBackendsThreads() throws Exception {
        try (Backend a = CELERIAC.openBackend("db+sqlite://"); Backend other = CELERIAC.openBackend("db+sqlite://")) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    fs.add(pool.submit(() -> {
                        for (int i = offset; i < 400; i += 8) {
                            a.storeResult("m-" + i, (long) i, TaskState.SUCCESS);
                        }
                    }));
                }
                for (Future<?> f : fs) {
                    f.get(Tck.timeout(Duration.ofSeconds(60)).toMillis(), TimeUnit.MILLISECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            for (int i = 0; i < 400; i++) {
                assertThat(a.getResult("m-" + i)).isEqualTo((long) i);
            }
            assertThat(other.getStatus("m-1")).as("another in-memory backend is another database").isEqualTo(TaskState.PENDING);
            CompletableFuture<TaskMeta> w = a.waitForAsync("later", Tck.timeout(Duration.ofSeconds(10)));
            a.storeResult("later", "now", TaskState.SUCCESS);
            assertThat(w.get(Tck.timeout(Duration.ofSeconds(10)).toMillis(), TimeUnit.MILLISECONDS).result()).isEqualTo("now");
        }
    }

    @Test
    void aBusyDatabaseIsRetriedUntilFree_orFailsNamingTheTask() throws Exception {
        BackendOptions quick = BackendOptions.builder()
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(10))).build();
        BackendOptions patient = BackendOptions.builder()
                .retryPolicy(new RetryPolicy(500, Duration.ofMillis(20), Duration.ZERO, Duration.ofMillis(20))).build();
        try (Backend q = CELERIAC.openBackend(url() + "?busy_timeout=0.05", quick);
             Backend p = CELERIAC.openBackend(url() + "?busy_timeout=0.05", patient);
             Connection locker = raw()) {
            q.storeResult("warm", 0L, TaskState.SUCCESS);
            try (Statement st = locker.createStatement()) {
                st.execute("BEGIN IMMEDIATE"); // another writer holds the database
            }
            assertThatThrownBy(() -> q.storeResult("busy", 1L, TaskState.SUCCESS))
                    .isInstanceOf(UnableToStoreResultException.class)
                    .hasMessageContaining("busy").hasMessageContaining("after 3 attempts")
                    .hasCauseInstanceOf(SqlFailure.class)
                    .satisfies(e -> assertThat(((SqlFailure) e.getCause()).retryable()).isTrue());
            CompletableFuture<Void> retried = CompletableFuture.runAsync(() -> p.storeResult("busy", 2L, TaskState.SUCCESS));
            Thread.sleep(300);
            assertThat(retried).isNotDone();
            try (Statement st = locker.createStatement()) {
                st.execute("ROLLBACK");
            }
            retried.get(Tck.timeout(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p.getResult("busy")).isEqualTo(2L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.celeriac.testing.CeleryVersion#matrix")
    void pythonAndCeleriacWriteTheSameFileAtOnce(CeleryVersion celery) throws Exception {
        String url = url();
        int n = 150;
        List<Object> ops = new ArrayList<>();
        List<String> pythonIds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("op", "store");
            op.put("task_id", "py-" + i);
            op.put("state", "SUCCESS");
            op.put("result", Map.of("i", (long) i));
            ops.add(op);
            pythonIds.add("py-" + i);
        }
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("ops", ops);
        Path planFile = dir.resolve("plan.json");
        Files.writeString(planFile, CeleryJson.encodeToString(plan));
        try (Backend b = CELERIAC.openBackend(url)) { // celeriac creates the tables in WAL mode first
            CompletableFuture<PythonCelery.Result> python = CompletableFuture.supplyAsync(() -> PythonPeer.of(celery).run(
                    PythonCelery.resource(SqliteSpecificTest.class, "interop/celery_db.py"), Duration.ofMinutes(3), Map.of(),
                    "write", url, planFile.toString()));
            for (int i = 0; i < n; i++) {
                b.storeResult("java-" + UUID.randomUUID(), (long) i, TaskState.SUCCESS);
            }
            Map<String, TaskMeta> all = b.waitForAll(pythonIds, Tck.timeout(Duration.ofMinutes(3)));
            python.get(Tck.timeout(Duration.ofMinutes(3)).toMillis(), TimeUnit.MILLISECONDS).assertSuccess();
            for (int i = 0; i < n; i++) {
                assertThat(all.get("py-" + i).result()).isEqualTo(Map.of("i", (long) i));
            }
        }
    }
}
