package io.celeriac.benchmarks;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.jdbc.backend.JdbcBackendConfig;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Times {@code Backend.getMany} of 10,000 stored ready ids on one backend, call after call, to see the
 * first (cold) calls and the warmed-up figure apart: {@code java -cp benchmarks.jar
 * io.celeriac.benchmarks.GetManyProbe redis|postgres|sqlite [calls]}. Cleans up its leased Redis database
 * prefix, PostgreSQL schema or SQLite file.
 */
public final class GetManyProbe {

    private static final int MANY = 10_000;

    private GetManyProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args the backend ({@code redis}, {@code postgres} or {@code sqlite}) and optionally the number of calls
     * @throws Exception when a server is missing or an operation fails
     */
    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "redis";
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Celeriac celeriac = Celeriac.discover();
        switch (which) {
            case "redis" -> {
                RedisTestServer server = TestServices.redis();
                try (RedisTestServer.DatabaseLease lease = server.leaseDatabase()) {
                    String prefix = "celeriac-probe-" + UUID.randomUUID().toString().substring(0, 8) + ":";
                    String url = lease.url() + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
                    try (Backend b = celeriac.openBackend(url, BackendOptions.defaults())) {
                        time(b, calls);
                    } finally {
                        server.deleteKeys(lease.db(), prefix);
                    }
                }
            }
            case "postgres" -> {
                PostgresTestServer pg = TestServices.postgres();
                String schema = "celeriac_probe_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
                sql(pg, "CREATE SCHEMA " + schema);
                try {
                    BackendOptions bo = BackendOptions.builder().property(JdbcBackendConfig.TASK_SCHEMA, schema)
                            .property(JdbcBackendConfig.GROUP_SCHEMA, schema).build();
                    try (Backend b = celeriac.openBackend(pg.celeryUrl("test"), bo)) {
                        time(b, calls);
                    }
                } finally {
                    sql(pg, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
            case "sqlite" -> {
                Path dir = Files.createTempDirectory("celeriac-probe-");
                Path file = dir.resolve("probe.sqlite");
                try (Backend b = celeriac.openBackend("db+sqlite:///" + file.toAbsolutePath(), BackendOptions.defaults())) {
                    time(b, calls);
                } finally {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(dir.resolve("probe.sqlite-wal"));
                    Files.deleteIfExists(dir.resolve("probe.sqlite-shm"));
                    Files.deleteIfExists(dir);
                }
            }
            default -> throw new IllegalArgumentException("redis, postgres or sqlite, not " + which);
        }
    }

    private static void time(Backend b, int calls) {
        List<String> many = Load.populate(b, "many-", MANY);
        StringBuilder line = new StringBuilder();
        StringBuilder cpu = new StringBuilder();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < calls; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Map<String, TaskMeta> got = b.getMany(many);
            double ms = (System.nanoTime() - t0) / 1e6;
            cpu.append(String.format(Locale.ROOT, "%.1f ", (mx.getCurrentThreadCpuTime() - c0) / 1e6));
            if (got.size() != MANY) {
                throw new IllegalStateException("get_many returned " + got.size() + " of " + MANY);
            }
            line.append(String.format(Locale.ROOT, "%.1f ", ms));
        }
        System.out.println("get_many ms per call: " + line.toString().strip());
        System.out.println("get_many calling thread's CPU ms per call: " + cpu.toString().strip());
    }

    private static void sql(PostgresTestServer pg, String statement) throws java.sql.SQLException {
        try (Connection c = pg.connect("test"); java.sql.Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
