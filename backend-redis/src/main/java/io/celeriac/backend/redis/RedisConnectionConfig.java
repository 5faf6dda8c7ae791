package io.celeriac.backend.redis;

import io.celeriac.backend.spi.KeyValueBackend;
import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How to reach a Redis server, parsed once from a Celery URL and properties: the one connection config that
 * every area of this module takes (the result backend, the worker state store, the event source and
 * dispatcher, and the broker). It covers where the server is (TCP, TLS, a unix socket or sentinels),
 * the database, credentials, TLS, timeouts, health checks and the connection pool; each area reads its own
 * settings besides (see {@link #reader}).
 *
 * <p>Values come from three places, later ones winning, as in Celery: built-in defaults (Celery's),
 * properties (the query parameter names below, or Celery's setting names such as
 * {@code redis_socket_timeout}, {@code redis_max_connections}, {@code redis_username},
 * {@code redis_password}, {@code redis_backend_health_check_interval}), then the URL and its query
 * parameters:
 * <table>
 *   <caption>Query parameters</caption>
 *   <tr><th>parameter</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code db}</td><td>database number (overrides the path; {@code virtual_host} for {@code socket://})</td><td>0</td></tr>
 *   <tr><td>{@code socket_timeout}</td><td>seconds to wait for a reply</td><td>120</td></tr>
 *   <tr><td>{@code socket_connect_timeout}</td><td>seconds to wait for a connection</td><td>{@code socket_timeout}</td></tr>
 *   <tr><td>{@code socket_keepalive}</td><td>TCP keepalive on pooled connections</td><td>false</td></tr>
 *   <tr><td>{@code health_check_interval}</td><td>seconds between PINGs of idle connections (0: off)</td><td>0</td></tr>
 *   <tr><td>{@code max_connections}</td><td>size of the connection pool</td><td>32</td></tr>
 *   <tr><td>{@code client_name}</td><td>{@code CLIENT SETNAME} of every connection</td><td>none</td></tr>
 *   <tr><td>{@code global_keyprefix}</td><td>Celery 5.3's prefix of every key and channel</td><td>none</td></tr>
 *   <tr><td>{@code master_name}</td><td>the sentinel service name ({@code sentinel://} only, required)</td><td></td></tr>
 *   <tr><td>{@code min_other_sentinels}</td><td>accepted for compatibility ({@code sentinel://} only)</td><td></td></tr>
 *   <tr><td>{@code ssl_cert_reqs}</td><td>{@code required}, {@code optional} or {@code none} ({@code rediss://} only, required)</td><td></td></tr>
 *   <tr><td>{@code ssl_ca_certs}, {@code ssl_certfile}, {@code ssl_keyfile}</td><td>PEM files ({@code rediss://} only)</td><td>JDK trust store, no client certificate</td></tr>
 *   <tr><td>{@code ssl_check_hostname}</td><td>verify the server's host name against its certificate (checked
 *       whenever the certificate is verified, that is unless {@code ssl_cert_reqs=none}); {@code false} is an
 *       explicit opt-out</td><td>true (redis-py defaults to false)</td></tr>
 *   <tr><td>{@code retry_on_timeout}, {@code retry_on_error}</td><td>accepted for compatibility; timeouts and
 *       connection errors are always retried with the area's retry policy</td><td></td></tr>
 * </table>
 * The sentinels' own credentials are the properties {@code sentinel_username} and {@code sentinel_password}.
 * Every value is read with {@link SettingsReader}, so integers, booleans and seconds are spelt as under every
 * other scheme.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a password; {@link #password()} and
 * {@link #sentinelPassword()} must never be logged.
 */
public final class RedisConnectionConfig {

    /** How Redis is reached. */
    public enum Transport {
        /** {@code redis://}: plain TCP. */
        TCP,
        /** {@code rediss://}: TCP with TLS. */
        TLS,
        /** {@code socket://}: a unix domain socket. */
        UNIX_SOCKET,
        /** {@code sentinel://}: the master named {@code master_name}, found through sentinels. */
        SENTINEL
    }

    /**
     * Celery's {@code ssl_cert_reqs}: whether the server's certificate is verified. As in Python's
     * {@code ssl} module, {@link #OPTIONAL} means the same as {@link #REQUIRED} on a client.
     */
    public enum CertRequirement {
        /** {@code CERT_REQUIRED} / {@code required}: verify the server's certificate chain. */
        REQUIRED,
        /** {@code CERT_OPTIONAL} / {@code optional}: verified as REQUIRED (a server always sends one). */
        OPTIONAL,
        /** {@code CERT_NONE} / {@code none}: no verification at all; open to man-in-the-middle attacks. */
        NONE
    }

    /**
     * A server address.
     *
     * @param host the host name or address
     * @param port the TCP port
     */
    public record Endpoint(String host, int port) {
        /**
         * Validates.
         *
         * @param host the host name or address
         * @param port the TCP port
         * @throws NullPointerException when {@code host} is null
         */
        public Endpoint {
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Celery's {@code redis_socket_timeout}. */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(120);
    /** The default size of the connection pool. */
    public static final int DEFAULT_MAX_CONNECTIONS = 32;
    /** How often a subscriber connection is pinged when no {@code health_check_interval} is set. */
    public static final Duration DEFAULT_SUBSCRIBER_PING = Duration.ofSeconds(10);

    /** Every query parameter (and property) about reaching Redis; each area accepts these and its own. */
    public static final Set<String> PARAMETERS = Set.of(
            "db", "virtual_host", "socket_timeout", "socket_connect_timeout", "socket_keepalive", "retry_on_timeout",
            "retry_on_error", "max_connections", "health_check_interval", "client_name", "global_keyprefix",
            "master_name", "min_other_sentinels", "ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile",
            "ssl_check_hostname");

    static final String E_SSL_SCHEME_MISMATCH = "SSL connection parameters have been provided but the specified URL "
            + "scheme is redis://. A Redis SSL connection URL should use the scheme rediss://";
    static final String E_SSL_CERT_REQS = "A rediss:// URL must have parameter ssl_cert_reqs and this must be set "
            + "to CERT_REQUIRED, CERT_OPTIONAL, or CERT_NONE";

    private static final List<String> SSL_KEYS = List.of("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile",
            "ssl_check_hostname");

    /** Celery setting names accepted as properties, and the parameter each stands for. */
    private static final Map<String, String> PROPERTY_ALIASES = Map.ofEntries(
            Map.entry("redis_socket_timeout", "socket_timeout"),
            Map.entry("redis_socket_connect_timeout", "socket_connect_timeout"),
            Map.entry("redis_socket_keepalive", "socket_keepalive"),
            Map.entry("redis_retry_on_timeout", "retry_on_timeout"),
            Map.entry("redis_max_connections", "max_connections"),
            Map.entry("redis_backend_health_check_interval", "health_check_interval"),
            Map.entry("redis_client_name", "client_name"),
            Map.entry("redis_db", "db"));

    private final Transport transport;
    private final List<Endpoint> endpoints;
    private final Path socketPath;
    private final int database;
    private final String username;
    private final String password;
    private final Duration socketTimeout;
    private final Duration connectTimeout;
    private final boolean socketKeepalive;
    private final Duration healthCheckInterval;
    private final int maxConnections;
    private final String clientName;
    private final String globalKeyPrefix;
    private final String masterName;
    private final String sentinelUsername;
    private final String sentinelPassword;
    private final CertRequirement certRequirement;
    private final Path caCerts;
    private final Path certFile;
    private final Path keyFile;
    private final boolean checkHostname;

    private RedisConnectionConfig(Parser p) {
        this.transport = p.transport;
        this.endpoints = List.copyOf(p.endpoints);
        this.socketPath = p.socketPath;
        this.database = p.database;
        this.username = p.username;
        this.password = p.password;
        this.socketTimeout = p.socketTimeout;
        this.connectTimeout = p.connectTimeout;
        this.socketKeepalive = p.socketKeepalive;
        this.healthCheckInterval = p.healthCheckInterval;
        this.maxConnections = p.maxConnections;
        this.clientName = p.clientName;
        this.globalKeyPrefix = p.globalKeyPrefix;
        this.masterName = p.masterName;
        this.sentinelUsername = p.sentinelUsername;
        this.sentinelPassword = p.sentinelPassword;
        this.certRequirement = p.certRequirement;
        this.caCerts = p.caCerts;
        this.certFile = p.certFile;
        this.keyFile = p.keyFile;
        this.checkHostname = p.checkHostname;
    }

    /**
     * The settings of a Redis URL and its properties as one map, in a reader that an area's config parses with:
     * the properties named in {@link #PARAMETERS} (also by Celery's names such as {@code redis_socket_timeout})
     * or in {@code areaParameters}, overridden by the query parameters of every part of the URL (a sentinel URL
     * has several). A query parameter that is neither is a problem ("unknown query parameter"), already added
     * to the reader; any other property is left alone (it may belong to another plugin).
     *
     * @param url the URL
     * @param properties the properties (of {@code BackendOptions}, {@code StateStoreOptions}, ...)
     * @param areaParameters the names the area reads itself, besides the connection's
     * @return a reader over the merged settings, holding the problems found so far
     * @throws NullPointerException when an argument is null
     */
    public static SettingsReader reader(BackendUrl url, Map<String, String> properties, Set<String> areaParameters) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(areaParameters, "areaParameters");
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String name = PROPERTY_ALIASES.getOrDefault(e.getKey(), e.getKey());
            if (PARAMETERS.contains(name) || areaParameters.contains(name)) {
                settings.put(name, e.getValue());
            }
        }
        for (BackendUrl part : url.parts()) {
            for (Map.Entry<String, String> e : part.query().entrySet()) {
                if (PARAMETERS.contains(e.getKey()) || areaParameters.contains(e.getKey())) {
                    settings.put(e.getKey(), e.getValue());
                } else {
                    Set<String> known = new TreeSet<>(PARAMETERS);
                    known.addAll(areaParameters);
                    problems.add("unknown query parameter '" + e.getKey() + "'; known parameters are " + known);
                }
            }
        }
        return new SettingsReader(settings, problems);
    }

    /**
     * Whether a property is one of the connection's: a name of {@link #PARAMETERS}, a Celery setting name that
     * stands for one ({@code redis_socket_timeout}, ...) or a credential ({@code redis_username},
     * {@code redis_password}, {@code sentinel_username}, {@code sentinel_password}). An area that reports
     * unknown properties accepts these.
     *
     * @param name the property
     * @return whether the connection reads it
     */
    public static boolean isConnectionProperty(String name) {
        return PARAMETERS.contains(name) || PROPERTY_ALIASES.containsKey(name) || name.equals("redis_username")
                || name.equals("redis_password") || name.equals("sentinel_username") || name.equals("sentinel_password");
    }

    /**
     * Reads the connection settings of a {@code redis://}, {@code rediss://}, {@code socket://} or
     * {@code sentinel://} URL, adding every problem to {@code settings} instead of throwing, so that an area
     * reports them together with its own.
     *
     * @param url the URL
     * @param properties the properties, for the credentials ({@code redis_username}, {@code redis_password},
     *                   {@code sentinel_username}, {@code sentinel_password})
     * @param settings the reader made by {@link #reader}
     * @return the settings; only meaningful when {@code settings} holds no problem
     * @throws NullPointerException when an argument is null
     */
    public static RedisConnectionConfig parse(BackendUrl url, Map<String, String> properties, SettingsReader settings) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(settings, "settings");
        Parser p = new Parser(url, properties, settings);
        p.run();
        return new RedisConnectionConfig(p);
    }

    /**
     * Parses a URL that holds connection settings only (any other query parameter is refused).
     *
     * @param url the URL
     * @param properties the properties; those that are not connection settings are ignored
     * @return the settings
     * @throws InvalidUrlException listing every problem found, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisConnectionConfig parse(BackendUrl url, Map<String, String> properties) {
        SettingsReader r = reader(url, properties, Set.of());
        RedisConnectionConfig config = parse(url, properties, r);
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(url, r.problems());
        }
        return config;
    }

    /** @return how Redis is reached */
    public Transport transport() {
        return transport;
    }

    /**
     * The server for TCP and TLS, or every sentinel for {@link Transport#SENTINEL}; empty for a unix socket.
     *
     * @return the endpoints
     */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * The first endpoint, for TCP and TLS.
     *
     * @return the endpoint, empty for a unix socket
     */
    public Optional<Endpoint> endpoint() {
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.get(0));
    }

    /** @return the unix socket's path, or {@code null} unless {@link Transport#UNIX_SOCKET} */
    public Path socketPath() {
        return socketPath;
    }

    /** @return the database number */
    public int database() {
        return database;
    }

    /** @return the ACL user name, or {@code null} */
    public String username() {
        return username;
    }

    /**
     * The password, or {@code null}. <b>Never log or print it.</b>
     *
     * @return the password
     */
    public String password() {
        return password;
    }

    /** @return how long to wait for a reply */
    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** @return how long to wait for a connection */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return whether pooled TCP connections use keepalive */
    public boolean socketKeepalive() {
        return socketKeepalive;
    }

    /** @return how often idle connections are checked with PING; zero means never */
    public Duration healthCheckInterval() {
        return healthCheckInterval;
    }

    /**
     * How often a subscriber connection is pinged: {@link #healthCheckInterval()} when set, else
     * {@link #DEFAULT_SUBSCRIBER_PING}. A subscriber that hears nothing for three intervals reconnects.
     *
     * @return the interval
     */
    public Duration subscriberPingInterval() {
        return healthCheckInterval.isZero() ? DEFAULT_SUBSCRIBER_PING : healthCheckInterval;
    }

    /** @return the largest number of pooled connections */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the client name, or {@code null} */
    public String clientName() {
        return clientName;
    }

    /**
     * Celery 5.3's {@code global_keyprefix} as configured, or {@code null}; see
     * {@link KeyValueBackend#normalizePrefix} for how keys apply it (kombu puts it before channels as it is).
     *
     * @return the prefix
     */
    public String globalKeyPrefix() {
        return globalKeyPrefix;
    }

    /**
     * The key prefix actually put before every key, after Celery's normalization.
     *
     * @return the prefix, {@code ""} for none
     */
    public String normalizedKeyPrefix() {
        return KeyValueBackend.normalizePrefix(globalKeyPrefix);
    }

    /** @return the sentinel service name, or {@code null} unless {@link Transport#SENTINEL} */
    public String masterName() {
        return masterName;
    }

    /** @return the user name for the sentinels themselves, or {@code null} */
    public String sentinelUsername() {
        return sentinelUsername;
    }

    /**
     * The password of the sentinels themselves (the {@code sentinel_password} property), or {@code null}.
     * <b>Never log or print it.</b>
     *
     * @return the password
     */
    public String sentinelPassword() {
        return sentinelPassword;
    }

    /** @return the certificate requirement, or {@code null} unless {@link Transport#TLS} */
    public CertRequirement certRequirement() {
        return certRequirement;
    }

    /** @return the PEM file of trusted CAs, or {@code null} for the JDK's trust store */
    public Path caCerts() {
        return caCerts;
    }

    /** @return the PEM file of the client certificate, or {@code null} */
    public Path certFile() {
        return certFile;
    }

    /** @return the PEM file of the client key, or {@code null} (the key may then be in {@link #certFile()}) */
    public Path keyFile() {
        return keyFile;
    }

    /** @return whether the server's host name is checked against its certificate */
    public boolean checkHostname() {
        return checkHostname;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RedisConnectionConfig{transport=").append(transport);
        if (transport == Transport.UNIX_SOCKET) {
            sb.append(", socket=").append(socketPath);
        } else {
            sb.append(", endpoints=").append(endpoints);
        }
        sb.append(", db=").append(database);
        if (username != null) {
            sb.append(", user=").append(username);
        }
        if (password != null) {
            sb.append(", password=**");
        }
        sb.append(", socketTimeout=").append(socketTimeout).append(", connectTimeout=").append(connectTimeout)
                .append(", keepalive=").append(socketKeepalive).append(", healthCheck=").append(healthCheckInterval)
                .append(", maxConnections=").append(maxConnections);
        if (clientName != null) {
            sb.append(", clientName=").append(clientName);
        }
        if (globalKeyPrefix != null) {
            sb.append(", globalKeyPrefix=").append(globalKeyPrefix);
        }
        if (masterName != null) {
            sb.append(", masterName=").append(masterName);
        }
        if (certRequirement != null) {
            sb.append(", certReqs=").append(certRequirement).append(", caCerts=").append(caCerts)
                    .append(", certFile=").append(certFile).append(", keyFile=").append(keyFile)
                    .append(", checkHostname=").append(checkHostname);
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------------------------------

    /** Reads the URL's form and the connection settings, adding every problem to the reader. */
    private static final class Parser {
        private final BackendUrl url;
        private final SettingsReader r;

        Transport transport;
        final List<Endpoint> endpoints = new ArrayList<>();
        Path socketPath;
        int database;
        String username;
        String password;
        Duration socketTimeout = DEFAULT_SOCKET_TIMEOUT;
        Duration connectTimeout = DEFAULT_SOCKET_TIMEOUT;
        boolean socketKeepalive;
        Duration healthCheckInterval = Duration.ZERO;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        String clientName;
        String globalKeyPrefix;
        String masterName;
        String sentinelUsername;
        String sentinelPassword;
        CertRequirement certRequirement;
        Path caCerts;
        Path certFile;
        Path keyFile;
        boolean checkHostname;

        Parser(BackendUrl url, Map<String, String> properties, SettingsReader r) {
            this.url = url;
            this.r = r;
            username = properties.get("redis_username");
            password = properties.get("redis_password");
            sentinelUsername = properties.get("sentinel_username");
            sentinelPassword = properties.get("sentinel_password");
        }

        void run() {
            switch (url.scheme()) {
                case "redis":
                    transport = Transport.TCP;
                    tcp();
                    for (String k : SSL_KEYS) {
                        if (r.has(k)) {
                            r.problem(E_SSL_SCHEME_MISMATCH + " (found '" + k + "')");
                            break;
                        }
                    }
                    break;
                case "rediss":
                    transport = Transport.TLS;
                    tcp();
                    tls();
                    break;
                case "socket":
                    transport = Transport.UNIX_SOCKET;
                    socket();
                    break;
                case "sentinel":
                    transport = Transport.SENTINEL;
                    sentinel();
                    break;
                default:
                    r.problem("the scheme '" + url.scheme() + "' is not a Redis scheme; use redis://, rediss://, socket:// or sentinel://");
                    return;
            }
            if (transport != Transport.TLS && transport != Transport.TCP) {
                for (String k : SSL_KEYS) {
                    if (r.has(k)) {
                        r.problem("'" + k + "' applies to rediss:// URLs only, not " + url.scheme() + "://");
                    }
                }
            }
            common();
        }

        private void credentials(BackendUrl u) {
            if (u.user() != null) {
                username = u.user();
            }
            if (u.password() != null) {
                password = u.password();
            }
        }

        /** TCP and TLS; Celery ignores {@code virtual_host} for them (the path wins), and so do we. */
        private void tcp() {
            credentials(url);
            endpoints.add(new Endpoint(stripBrackets(url.host("localhost")), url.port(6379)));
            database = pathDatabase(url);
        }

        private void socket() {
            credentials(url);
            String path = url.path();
            if (path.isEmpty() || path.equals("/")) {
                r.problem("a socket:// URL needs the socket's absolute path, as in socket:///var/run/redis/redis.sock");
            } else {
                try {
                    socketPath = Paths.get(path);
                } catch (RuntimeException e) {
                    r.problem("the socket path '" + path + "' is not a valid path: " + e.getMessage());
                }
            }
            database = r.integer("virtual_host", 0, 0, Integer.MAX_VALUE);
        }

        /** Sentinels; {@code virtual_host} is ignored, as for TCP. */
        private void sentinel() {
            List<BackendUrl> parts = url.parts();
            credentials(parts.get(0));
            database = pathDatabase(parts.get(0));
            for (int i = 0; i < parts.size(); i++) {
                BackendUrl part = parts.get(i);
                if (!part.scheme().equals("sentinel")) {
                    r.problem("sentinel part " + (i + 1) + " has the scheme '" + part.scheme() + "'; every part must be sentinel://");
                    continue;
                }
                if (part.host() == null) {
                    r.problem("sentinel part " + (i + 1) + " has no host");
                    continue;
                }
                endpoints.add(new Endpoint(stripBrackets(part.host()), part.port(26379)));
            }
            masterName = r.string("master_name", null);
            if (masterName == null || masterName.isBlank()) {
                r.problem("a sentinel:// URL needs the master's name: add ?master_name=<name> or the property master_name");
            }
        }

        private void tls() {
            String reqs = r.string("ssl_cert_reqs", null);
            if (reqs == null) {
                r.problem(E_SSL_CERT_REQS + " (it is missing)");
            } else {
                switch (reqs) {
                    case "CERT_REQUIRED": case "required":
                        certRequirement = CertRequirement.REQUIRED;
                        break;
                    case "CERT_OPTIONAL": case "optional":
                        certRequirement = CertRequirement.OPTIONAL;
                        break;
                    case "CERT_NONE": case "none":
                        certRequirement = CertRequirement.NONE;
                        break;
                    default:
                        r.problem(E_SSL_CERT_REQS + " (found '" + reqs + "')");
                }
            }
            caCerts = readableFile("ssl_ca_certs");
            certFile = readableFile("ssl_certfile");
            keyFile = readableFile("ssl_keyfile");
            if (r.has("ssl_keyfile") && !r.has("ssl_certfile")) {
                r.problem("ssl_keyfile is set without ssl_certfile; give the client certificate too");
            }
            // Safer than redis-py, whose default is false: a verified certificate must also name the host.
            checkHostname = r.bool("ssl_check_hostname", true) && certRequirement != CertRequirement.NONE;
        }

        private Path readableFile(String name) {
            String v = r.string(name, null);
            if (v == null) {
                return null;
            }
            try {
                Path p = Paths.get(v);
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    r.problem("the file given as " + name + " (" + v + ") does not exist or cannot be read");
                    return null;
                }
                return p;
            } catch (RuntimeException e) {
                r.problem("the " + name + " value '" + v + "' is not a valid path: " + e.getMessage());
                return null;
            }
        }

        private void common() {
            database = r.integer("db", database, 0, Integer.MAX_VALUE);
            socketTimeout = r.seconds("socket_timeout", DEFAULT_SOCKET_TIMEOUT, false);
            connectTimeout = r.seconds("socket_connect_timeout", socketTimeout, false);
            socketKeepalive = r.bool("socket_keepalive", false);
            healthCheckInterval = r.seconds("health_check_interval", Duration.ZERO, true);
            r.bool("retry_on_timeout", false); // validated, see the class comment
            maxConnections = r.integer("max_connections", DEFAULT_MAX_CONNECTIONS, 1, 100_000);
            clientName = r.string("client_name", null);
            if (clientName != null && (clientName.isBlank() || clientName.chars().anyMatch(c -> c <= ' '))) {
                r.problem("client_name must be a non-empty name without spaces, not '" + clientName + "'");
            }
            globalKeyPrefix = r.string("global_keyprefix", null);
            if (r.has("min_other_sentinels")) {
                r.integer("min_other_sentinels", 0, 0, 1000);
                if (transport != Transport.SENTINEL) {
                    r.problem("min_other_sentinels applies to sentinel:// URLs only");
                }
            }
            if (r.has("master_name") && transport != Transport.SENTINEL) {
                r.problem("master_name applies to sentinel:// URLs only");
            }
        }

        /** The database in the URL's path, read as an integer setting named for where it is. */
        private int pathDatabase(BackendUrl u) {
            String db = u.pathWithoutLeadingSlash();
            while (db.endsWith("/")) {
                db = db.substring(0, db.length() - 1);
            }
            if (db.isEmpty()) {
                return 0;
            }
            String name = "the database number in the path";
            return new SettingsReader(Map.of(name, db), r.problems()).integer(name, 0, 0, Integer.MAX_VALUE);
        }

        private static String stripBrackets(String host) {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }
    }
}
