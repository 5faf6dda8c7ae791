package io.celeriac.testing;

import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Decides where a test's server comes from, in this order:
 * <ol>
 *   <li>an explicit URL in the environment ({@code CELERIAC_TEST_REDIS_URL}, {@code CELERIAC_TEST_POSTGRES_URL},
 *       {@code CELERIAC_TEST_RABBITMQ_URL});</li>
 *   <li>a server answering on its default loopback port (127.0.0.1:6379, 127.0.0.1:5432, 127.0.0.1:5672);</li>
 *   <li>Testcontainers ({@code redis:7}, {@code postgres:16}, {@code rabbitmq:3}) when a Docker engine is available;</li>
 *   <li>otherwise, under {@code CI=true}, a failure naming the service; elsewhere a skip whose message
 *       gives the three ways to provide one.</li>
 * </ol>
 * The decision is pure: the probes are passed in, so the order is unit-tested without servers or Docker.
 */
public final class ServiceResolver {

    /** A service tests need. */
    public enum Service {
        /** Redis 6 or 7. */
        REDIS("Redis", "CELERIAC_TEST_REDIS_URL", 6379, "redis:7", "redis://127.0.0.1:6379"),
        /** PostgreSQL 12 or later. */
        POSTGRES("PostgreSQL", "CELERIAC_TEST_POSTGRES_URL", 5432, "postgres:16", "postgresql://postgres@127.0.0.1:5432/postgres"),
        /** RabbitMQ 3.8 or later. */
        RABBITMQ("RabbitMQ", "CELERIAC_TEST_RABBITMQ_URL", 5672, "rabbitmq:3", "amqp://guest:guest@127.0.0.1:5672//");

        private final String display;
        private final String envVar;
        private final int defaultPort;
        private final String image;
        private final String exampleUrl;

        Service(String display, String envVar, int defaultPort, String image, String exampleUrl) {
            this.display = display;
            this.envVar = envVar;
            this.defaultPort = defaultPort;
            this.image = image;
            this.exampleUrl = exampleUrl;
        }

        /** @return the service's name for messages */
        public String display() {
            return display;
        }

        /** @return the environment variable holding an explicit URL */
        public String envVar() {
            return envVar;
        }

        /** @return the default port probed on 127.0.0.1 */
        public int defaultPort() {
            return defaultPort;
        }

        /** @return the container image Testcontainers starts */
        public String image() {
            return image;
        }

        /** @return an example URL for messages */
        public String exampleUrl() {
            return exampleUrl;
        }
    }

    /** Where a service came from. */
    public enum Source {
        /** The explicit URL in the environment. */
        ENVIRONMENT,
        /** The server on the default loopback port. */
        LOOPBACK,
        /** A container started by Testcontainers. */
        CONTAINER,
        /** Nowhere: the test must fail (CI) or be skipped. */
        NONE
    }

    /**
     * The decision.
     *
     * @param service the service
     * @param source where it comes from
     * @param url the URL to use (for ENVIRONMENT and LOOPBACK), else {@code null}
     * @param fail for NONE: whether to fail (under CI) rather than skip
     * @param message what was decided, for the log, or why nothing was found
     */
    public record Resolution(Service service, Source source, String url, boolean fail, String message) {
    }

    private ServiceResolver() {
    }

    /**
     * Decides where {@code service} comes from.
     *
     * @param service the service
     * @param env the environment variables
     * @param loopbackAnswers whether a server answers on 127.0.0.1 at the default port
     * @param dockerAvailable whether a Docker engine is available (asked only when needed)
     * @return the decision
     */
    public static Resolution resolve(Service service, Map<String, String> env, BooleanSupplier loopbackAnswers,
                                     BooleanSupplier dockerAvailable) {
        Objects.requireNonNull(service, "service");
        String explicit = env.get(service.envVar());
        if (explicit != null && !explicit.isBlank()) {
            return new Resolution(service, Source.ENVIRONMENT, explicit.strip(), false,
                    service.display() + " for tests: " + service.envVar() + " (" + maskPassword(explicit.strip()) + ")");
        }
        if (loopbackAnswers.getAsBoolean()) {
            String url = switch (service) {
                case REDIS -> "redis://127.0.0.1:" + service.defaultPort();
                case POSTGRES -> "postgresql://postgres@127.0.0.1:" + service.defaultPort() + "/postgres";
                case RABBITMQ -> "amqp://guest:guest@127.0.0.1:" + service.defaultPort() + "//";
            };
            return new Resolution(service, Source.LOOPBACK, url, false,
                    service.display() + " for tests: the server answering on 127.0.0.1:" + service.defaultPort());
        }
        if (dockerAvailable.getAsBoolean()) {
            return new Resolution(service, Source.CONTAINER, null, false,
                    service.display() + " for tests: a Testcontainers " + service.image() + " container");
        }
        boolean ci = "true".equalsIgnoreCase(String.valueOf(env.get("CI")).strip());
        String ways = "Provide one of: (1) " + service.envVar() + "=" + service.exampleUrl()
                + ", (2) a server on 127.0.0.1:" + service.defaultPort()
                + ", or (3) a Docker engine so that Testcontainers can start " + service.image() + ".";
        if (ci) {
            return new Resolution(service, Source.NONE, null, true,
                    "No " + service.display() + " server for the tests and CI=true, so this is a failure. " + ways);
        }
        return new Resolution(service, Source.NONE, null, false,
                "No " + service.display() + " server for the tests, so they are skipped. " + ways);
    }

    /**
     * Masks the password of a URL for logs.
     *
     * @param url a URL
     * @return the URL with any password replaced by {@code **}
     */
    public static String maskPassword(String url) {
        int sep = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (sep < 0 || at < sep) {
            return url;
        }
        String userInfo = url.substring(sep + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? url : url.substring(0, sep + 3) + userInfo.substring(0, colon) + ":**" + url.substring(at);
    }
}
