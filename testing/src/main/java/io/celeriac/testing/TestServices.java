package io.celeriac.testing;

import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.Properties;

/**
 * The one way every celeriac test gets a real server; no test hard-codes a host or port.
 *
 * <p>Each service is resolved once per JVM by {@link ServiceResolver} (explicit URL in the environment,
 * then the default loopback port, then Testcontainers) and the choice is logged. When none is found, the
 * calling test fails under {@code CI=true} and is skipped elsewhere, with a message naming the three ways
 * to provide one.
 */
public final class TestServices {
    private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);

    private static RedisTestServer redis;
    private static ServiceResolver.Resolution redisMissing;
    private static PostgresTestServer postgres;
    private static ServiceResolver.Resolution postgresMissing;
    private static RabbitTestServer rabbit;
    private static ServiceResolver.Resolution rabbitMissing;
    private static Object rabbitContainer;
    private static Object redisContainer;
    private static Object postgresContainer;

    private TestServices() {
    }

    /**
     * The Redis server for tests.
     *
     * @return the server
     * @throws AssertionError under CI when none is available
     * @throws org.opentest4j.TestAbortedException elsewhere when none is available (the test is skipped)
     */
    public static synchronized RedisTestServer redis() {
        if (redis == null && redisMissing == null) {
            ServiceResolver.Resolution r = ServiceResolver.resolve(ServiceResolver.Service.REDIS, System.getenv(),
                    () -> redisAnswers("127.0.0.1", 6379), TestServices::dockerAvailable);
            switch (r.source()) {
                case ENVIRONMENT:
                case LOOPBACK:
                    redis = RedisTestServer.fromUrl(r.url(), r.source());
                    LOG.info(r.message());
                    break;
                case CONTAINER:
                    redis = Containers.startRedis();
                    LOG.info(r.message() + " on port " + redis.port());
                    break;
                default:
                    redisMissing = r;
            }
        }
        if (redisMissing != null) {
            unavailable(redisMissing);
        }
        return redis;
    }

    /**
     * The PostgreSQL server for tests.
     *
     * @return the server
     * @throws AssertionError under CI when none is available
     * @throws org.opentest4j.TestAbortedException elsewhere when none is available (the test is skipped)
     */
    public static synchronized PostgresTestServer postgres() {
        if (postgres == null && postgresMissing == null) {
            ServiceResolver.Resolution r = ServiceResolver.resolve(ServiceResolver.Service.POSTGRES, System.getenv(),
                    TestServices::postgresAnswers, TestServices::dockerAvailable);
            switch (r.source()) {
                case ENVIRONMENT:
                case LOOPBACK:
                    postgres = PostgresTestServer.fromUrl(r.url(), r.source());
                    LOG.info(r.message());
                    break;
                case CONTAINER:
                    postgres = Containers.startPostgres();
                    LOG.info(r.message() + " on port " + postgres.port());
                    break;
                default:
                    postgresMissing = r;
            }
        }
        if (postgresMissing != null) {
            unavailable(postgresMissing);
        }
        return postgres;
    }

    /**
     * The RabbitMQ server for tests.
     *
     * @return the server
     * @throws AssertionError under CI when none is available
     * @throws org.opentest4j.TestAbortedException elsewhere when none is available (the test is skipped)
     */
    public static synchronized RabbitTestServer rabbitmq() {
        if (rabbit == null && rabbitMissing == null) {
            ServiceResolver.Resolution r = ServiceResolver.resolve(ServiceResolver.Service.RABBITMQ, System.getenv(),
                    () -> RabbitTestServer.answers("127.0.0.1", 5672), TestServices::dockerAvailable);
            switch (r.source()) {
                case ENVIRONMENT:
                case LOOPBACK:
                    rabbit = RabbitTestServer.fromUrl(r.url(), r.source());
                    LOG.info(r.message());
                    break;
                case CONTAINER:
                    rabbit = Containers.startRabbit();
                    LOG.info(r.message() + " on port " + rabbit.port());
                    break;
                default:
                    rabbitMissing = r;
            }
        }
        if (rabbitMissing != null) {
            unavailable(rabbitMissing);
        }
        return rabbit;
    }

    private static void unavailable(ServiceResolver.Resolution r) {
        if (r.fail()) {
            throw new AssertionError(r.message());
        }
        Assumptions.abort(r.message());
    }

    static boolean redisAnswers(String host, int port) {
        try (Resp r = new Resp(host, port, null, null, 500)) {
            return "PONG".equals(r.call("PING"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static boolean postgresAnswers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 500);
        } catch (IOException e) {
            return false;
        }
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", "2");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", p)) {
            return c.isValid(2);
        } catch (Exception e) {
            LOG.info("A server listens on 127.0.0.1:5432 but refuses user postgres on database postgres: {}", e.getMessage());
            return false;
        }
    }

    static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** The Testcontainers path, kept apart so that its classes load only when Docker is used. */
    private static final class Containers {
        static RedisTestServer startRedis() {
            org.testcontainers.containers.GenericContainer<?> c =
                    new org.testcontainers.containers.GenericContainer<>(ServiceResolver.Service.REDIS.image()).withExposedPorts(6379);
            c.start();
            redisContainer = c;
            return new RedisTestServer(c.getHost(), c.getMappedPort(6379), null, null, ServiceResolver.Source.CONTAINER);
        }

        static RabbitTestServer startRabbit() {
            org.testcontainers.containers.GenericContainer<?> c =
                    new org.testcontainers.containers.GenericContainer<>(ServiceResolver.Service.RABBITMQ.image()).withExposedPorts(5672);
            c.start();
            rabbitContainer = c;
            return RabbitTestServer.fromUrl("amqp://guest:guest@" + c.getHost() + ":" + c.getMappedPort(5672) + "//",
                    ServiceResolver.Source.CONTAINER);
        }

        static PostgresTestServer startPostgres() {
            org.testcontainers.postgresql.PostgreSQLContainer c =
                    new org.testcontainers.postgresql.PostgreSQLContainer(ServiceResolver.Service.POSTGRES.image());
            c.start();
            postgresContainer = c;
            return new PostgresTestServer(c.getHost(), c.getMappedPort(5432), c.getUsername(), c.getPassword(),
                    c.getDatabaseName(), ServiceResolver.Source.CONTAINER);
        }
    }

    /**
     * The environment a child process (such as Python Celery) should get so that it reaches the same
     * servers; only the explicit URL variables are passed on.
     *
     * @return the variables that are set
     */
    public static Map<String, String> passThroughEnvironment() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (ServiceResolver.Service s : ServiceResolver.Service.values()) {
            String v = System.getenv(s.envVar());
            if (v != null) {
                out.put(s.envVar(), v);
            }
        }
        return out;
    }
}
