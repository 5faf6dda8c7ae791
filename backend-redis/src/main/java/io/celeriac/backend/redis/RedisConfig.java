package io.celeriac.backend.redis;

import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.spi.KeyValueBackend;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of a Redis result backend, parsed once from a Celery URL and {@link BackendOptions}:
 * where the server is and how to reach it (TCP, TLS, a unix socket or sentinels), credentials, timeouts,
 * the connection pool, the key prefix and the chord mode.
 *
 * <p>Values come from three places, later ones winning, as in Celery: built-in defaults (Celery's),
 * {@link BackendOptions#properties()} (the query parameter names below, or Celery's setting names such as
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
 *   <tr><td>{@code result_chord_ordered}</td><td>chord results in a sorted set (true) or a list (false)</td><td>true</td></tr>
 *   <tr><td>{@code master_name}</td><td>the sentinel service name ({@code sentinel://} only, required)</td><td></td></tr>
 *   <tr><td>{@code ssl_cert_reqs}</td><td>{@code required}, {@code optional} or {@code none} ({@code rediss://} only, required)</td><td></td></tr>
 *   <tr><td>{@code ssl_ca_certs}, {@code ssl_certfile}, {@code ssl_keyfile}</td><td>PEM files ({@code rediss://} only)</td><td>JDK trust store, no client certificate</td></tr>
 *   <tr><td>{@code ssl_check_hostname}</td><td>verify the server's host name against its certificate (checked
 *       whenever the certificate is verified, that is unless {@code ssl_cert_reqs=none}); {@code false} is an
 *       explicit opt-out</td><td>true (redis-py defaults to false)</td></tr>
 *   <tr><td>{@code retry_on_timeout}, {@code retry_on_error}</td><td>accepted for compatibility; timeouts and
 *       connection errors are always retried with the backend's retry policy</td><td></td></tr>
 *   <tr><td>{@code result_expires}, {@code result_extended}</td><td>see {@link BackendOptions}</td><td></td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a password.
 */
public final class RedisConfig {

    /** How the backend reaches Redis. */
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
    /** How often the subscriber connection is pinged when no {@code health_check_interval} is set. */
    public static final Duration DEFAULT_SUBSCRIBER_PING = Duration.ofSeconds(10);

    static final String E_SSL_SCHEME_MISMATCH = "SSL connection parameters have been provided but the specified URL "
            + "scheme is redis://. A Redis SSL connection URL should use the scheme rediss://";
    static final String E_SSL_CERT_REQS = "A rediss:// URL must have parameter ssl_cert_reqs and this must be set "
            + "to CERT_REQUIRED, CERT_OPTIONAL, or CERT_NONE";

    private static final Set<String> SSL_KEYS = Set.of("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname");

    /** Every query parameter this backend understands. */
    static final Set<String> KNOWN_PARAMETERS = Set.of(
            "db", "virtual_host", "socket_timeout", "socket_connect_timeout", "socket_keepalive", "retry_on_timeout",
            "retry_on_error", "max_connections", "health_check_interval", "client_name", "global_keyprefix",
            "result_chord_ordered", "master_name", "min_other_sentinels", "ssl_cert_reqs", "ssl_ca_certs",
            "ssl_certfile", "ssl_keyfile", "ssl_check_hostname", "result_expires", "result_extended");

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
    private final boolean chordOrdered;
    private final String masterName;
    private final String sentinelUsername;
    private final String sentinelPassword;
    private final CertRequirement certRequirement;
    private final Path caCerts;
    private final Path certFile;
    private final Path keyFile;
    private final boolean checkHostname;

    private RedisConfig(Parser p) {
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
        this.chordOrdered = p.chordOrdered;
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
     * Parses the settings of a {@code redis://}, {@code rediss://}, {@code socket://} or
     * {@code sentinel://} URL.
     *
     * @param url the URL
     * @param options the options, whose {@link BackendOptions#properties()} may hold settings
     * @return the settings
     * @throws InvalidUrlException listing every problem found, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisConfig parse(BackendUrl url, BackendOptions options) {
        return parse(url, options, Set.of());
    }

    /**
     * Parses the connection settings of a Redis URL that also carries settings of its own user (such as the
     * Redis worker state store's {@code state_name}): the query parameters named in {@code ownParameters} are
     * left to the caller, neither read nor refused; every other parameter is read as by
     * {@link #parse(BackendUrl, BackendOptions)}.
     *
     * @param url the URL
     * @param options the options, whose {@link BackendOptions#properties()} may hold settings
     * @param ownParameters query parameter names the caller reads itself
     * @return the settings
     * @throws InvalidUrlException listing every problem found, with the password masked
     * @throws NullPointerException when an argument is null
     */
    public static RedisConfig parse(BackendUrl url, BackendOptions options, Set<String> ownParameters) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(ownParameters, "ownParameters");
        Parser p = new Parser(url, options, ownParameters);
        p.run();
        if (!p.problems.isEmpty()) {
            throw InvalidUrlException.of(url, p.problems);
        }
        return new RedisConfig(p);
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
     * How often the subscriber connection is pinged: {@link #healthCheckInterval()} when set, else
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
     * {@link KeyValueBackend#normalizePrefix} for how it is applied.
     *
     * @return the prefix
     */
    public String globalKeyPrefix() {
        return globalKeyPrefix;
    }

    /** @return {@code true} when chord results go to a sorted set (Celery's default), {@code false} for a list */
    public boolean chordOrdered() {
        return chordOrdered;
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
        StringBuilder sb = new StringBuilder("RedisConfig{transport=").append(transport);
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
        sb.append(", chordOrdered=").append(chordOrdered);
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

    /** Collects every problem while reading the URL and the properties. */
    private static final class Parser {
        private final BackendUrl url;
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Set<String> fromUrl = new LinkedHashSet<>();
        private final List<String> problems = new ArrayList<>();

        Transport transport;
        final List<Endpoint> endpoints = new ArrayList<>();
        Path socketPath;
        int database;
        String username;
        String password;
        Duration socketTimeout;
        Duration connectTimeout;
        boolean socketKeepalive;
        Duration healthCheckInterval = Duration.ZERO;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        String clientName;
        String globalKeyPrefix;
        boolean chordOrdered = true;
        String masterName;
        String sentinelUsername;
        String sentinelPassword;
        CertRequirement certRequirement;
        Path caCerts;
        Path certFile;
        Path keyFile;
        boolean checkHostname;

        Parser(BackendUrl url, BackendOptions options, Set<String> ownParameters) {
            this.url = url;
            for (Map.Entry<String, String> e : options.properties().entrySet()) {
                String name = PROPERTY_ALIASES.getOrDefault(e.getKey(), e.getKey());
                if (KNOWN_PARAMETERS.contains(name)) {
                    values.put(name, e.getValue());
                }
            }
            username = options.property("redis_username").orElse(null);
            password = options.property("redis_password").orElse(null);
            sentinelUsername = options.property("sentinel_username").orElse(null);
            sentinelPassword = options.property("sentinel_password").orElse(null);
            // The query of every part (sentinel URLs have several) overrides the properties.
            for (BackendUrl part : url.parts()) {
                for (Map.Entry<String, String> e : part.query().entrySet()) {
                    if (ownParameters.contains(e.getKey())) {
                        continue;
                    }
                    if (!KNOWN_PARAMETERS.contains(e.getKey())) {
                        Set<String> known = new TreeSet<>(KNOWN_PARAMETERS);
                        known.addAll(ownParameters);
                        problems.add("unknown query parameter '" + e.getKey() + "'; known parameters are " + known);
                        continue;
                    }
                    values.put(e.getKey(), e.getValue());
                    fromUrl.add(e.getKey());
                }
            }
        }

        void run() {
            switch (url.scheme()) {
                case "redis":
                    transport = Transport.TCP;
                    tcp();
                    for (String k : SSL_KEYS) {
                        if (values.containsKey(k)) {
                            problems.add(E_SSL_SCHEME_MISMATCH + " (found '" + k + "')");
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
                    problems.add("the scheme '" + url.scheme() + "' is not a Redis scheme; use redis://, rediss://, socket:// or sentinel://");
                    return;
            }
            if (transport != Transport.TLS && transport != Transport.TCP) {
                for (String k : SSL_KEYS) {
                    if (values.containsKey(k)) {
                        problems.add("'" + k + "' applies to rediss:// URLs only, not " + url.scheme() + "://");
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

        private void tcp() {
            credentials(url);
            endpoints.add(new Endpoint(stripBrackets(url.host("localhost")), url.port(6379)));
            database = pathDatabase(url);
            if (values.containsKey("virtual_host")) {
                // Celery ignores virtual_host for redis:// (the path wins); so do we.
                values.remove("virtual_host");
            }
        }

        private void socket() {
            credentials(url);
            String path = url.path();
            if (path.isEmpty() || path.equals("/")) {
                problems.add("a socket:// URL needs the socket's absolute path, as in socket:///var/run/redis/redis.sock");
            } else {
                try {
                    socketPath = Paths.get(path);
                } catch (RuntimeException e) {
                    problems.add("the socket path '" + path + "' is not a valid path: " + e.getMessage());
                }
            }
            String vhost = values.remove("virtual_host");
            database = vhost == null ? 0 : integer("virtual_host", vhost, 0, Integer.MAX_VALUE);
        }

        private void sentinel() {
            List<BackendUrl> parts = url.parts();
            credentials(parts.get(0));
            database = pathDatabase(parts.get(0));
            for (int i = 0; i < parts.size(); i++) {
                BackendUrl part = parts.get(i);
                if (!part.scheme().equals("sentinel")) {
                    problems.add("sentinel part " + (i + 1) + " has the scheme '" + part.scheme() + "'; every part must be sentinel://");
                    continue;
                }
                if (part.host() == null) {
                    problems.add("sentinel part " + (i + 1) + " has no host");
                    continue;
                }
                endpoints.add(new Endpoint(stripBrackets(part.host()), part.port(26379)));
            }
            masterName = values.get("master_name");
            if (masterName == null || masterName.isBlank()) {
                problems.add("a sentinel:// URL needs the master's name: add ?master_name=<name> or the property master_name");
            }
            values.remove("virtual_host");
        }

        private void tls() {
            String reqs = values.get("ssl_cert_reqs");
            if (reqs == null) {
                problems.add(E_SSL_CERT_REQS + " (it is missing)");
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
                        problems.add(E_SSL_CERT_REQS + " (found '" + reqs + "')");
                }
            }
            caCerts = readableFile("ssl_ca_certs");
            certFile = readableFile("ssl_certfile");
            keyFile = readableFile("ssl_keyfile");
            if (values.containsKey("ssl_keyfile") && !values.containsKey("ssl_certfile")) {
                problems.add("ssl_keyfile is set without ssl_certfile; give the client certificate too");
            }
            // Safer than redis-py, whose default is false: a verified certificate must also name the host.
            checkHostname = bool("ssl_check_hostname", true) && certRequirement != CertRequirement.NONE;
        }

        private Path readableFile(String name) {
            String v = values.get(name);
            if (v == null) {
                return null;
            }
            try {
                Path p = Paths.get(v);
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    problems.add("the file given as " + name + " (" + v + ") does not exist or cannot be read");
                    return null;
                }
                return p;
            } catch (RuntimeException e) {
                problems.add("the " + name + " value '" + v + "' is not a valid path: " + e.getMessage());
                return null;
            }
        }

        private void common() {
            if (values.containsKey("db")) {
                database = integer("db", values.get("db"), 0, Integer.MAX_VALUE);
            }
            socketTimeout = seconds("socket_timeout", DEFAULT_SOCKET_TIMEOUT, false);
            connectTimeout = seconds("socket_connect_timeout", socketTimeout, false);
            socketKeepalive = bool("socket_keepalive", false);
            healthCheckInterval = seconds("health_check_interval", Duration.ZERO, true);
            bool("retry_on_timeout", false); // validated, see the class comment
            String max = values.get("max_connections");
            if (max != null) {
                maxConnections = integer("max_connections", max, 1, 100_000);
            }
            clientName = values.get("client_name");
            if (clientName != null && (clientName.isBlank() || clientName.chars().anyMatch(c -> c <= ' '))) {
                problems.add("client_name must be a non-empty name without spaces, not '" + clientName + "'");
            }
            globalKeyPrefix = values.get("global_keyprefix");
            chordOrdered = bool("result_chord_ordered", true);
            String minOthers = values.get("min_other_sentinels");
            if (minOthers != null) {
                integer("min_other_sentinels", minOthers, 0, 1000);
                if (transport != Transport.SENTINEL) {
                    problems.add("min_other_sentinels applies to sentinel:// URLs only");
                }
            }
            if (values.containsKey("master_name") && transport != Transport.SENTINEL) {
                problems.add("master_name applies to sentinel:// URLs only");
            }
        }

        private int pathDatabase(BackendUrl u) {
            String db = u.pathWithoutLeadingSlash();
            while (db.endsWith("/")) {
                db = db.substring(0, db.length() - 1);
            }
            if (db.isEmpty()) {
                return 0;
            }
            return integer("database number in the path", db, 0, Integer.MAX_VALUE);
        }

        private int integer(String name, String v, int min, int max) {
            try {
                long n = Long.parseLong(v.strip());
                if (n < min || n > max) {
                    problems.add("the " + describe(name) + " must be between " + min + " and " + max + ", not " + v);
                    return min;
                }
                return (int) n;
            } catch (NumberFormatException e) {
                problems.add("the " + describe(name) + " must be an integer, not '" + v + "'");
                return min;
            }
        }

        private Duration seconds(String name, Duration dflt, boolean zeroAllowed) {
            String v = values.get(name);
            if (v == null) {
                return dflt;
            }
            try {
                double s = Double.parseDouble(v.strip());
                if (Double.isNaN(s) || Double.isInfinite(s) || s < 0 || (!zeroAllowed && s == 0) || s > 86_400 * 365) {
                    throw new NumberFormatException();
                }
                return Duration.ofNanos(Math.round(s * 1e9));
            } catch (NumberFormatException e) {
                problems.add("the " + describe(name) + " must be a " + (zeroAllowed ? "non-negative" : "positive")
                        + " number of seconds, not '" + v + "'");
                return dflt;
            }
        }

        private boolean bool(String name, boolean dflt) {
            String v = values.get(name);
            if (v == null) {
                return dflt;
            }
            switch (v.strip().toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "y": case "t": case "on": case "1":
                    return true;
                case "false": case "no": case "n": case "f": case "off": case "0":
                    return false;
                default:
                    problems.add("the " + describe(name) + " must be true or false, not '" + v + "'");
                    return dflt;
            }
        }

        private String describe(String name) {
            if (name.contains(" ")) {
                return name;
            }
            return (fromUrl.contains(name) ? "query parameter '" : "property '") + name + "'";
        }

        private static String stripBrackets(String host) {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }
    }

    /**
     * Parses the connection settings of a component that has settings of its own (a state store, an event
     * source): like {@link #parse(BackendUrl, BackendOptions, Set)} on the given string properties, but the
     * problems are added to {@code problems} instead of thrown, so the caller can report them together with
     * its own.
     *
     * @param url the URL
     * @param properties the properties, connection settings and the caller's own
     * @param ownParameters the names the caller reads itself (see {@link #ownSettings})
     * @param problems where the problems go
     * @return the configuration, or {@code null} when there were problems
     */
    public static RedisConfig parseCollecting(BackendUrl url, Map<String, String> properties, Set<String> ownParameters,
                                              List<String> problems) {
        BackendOptions.Builder b = BackendOptions.builder();
        properties.forEach(b::property);
        try {
            return parse(url, b.build(), ownParameters);
        } catch (InvalidUrlException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    /**
     * The settings of a Redis URL's user that {@link #parse(BackendUrl, BackendOptions, Set)} leaves to it: the
     * properties named in {@code names}, overridden by the query parameters of that name of every part of the URL.
     *
     * @param url the URL
     * @param properties the properties
     * @param names the names the caller reads itself
     * @return name to value, in the order found
     */
    public static Map<String, String> ownSettings(BackendUrl url, Map<String, String> properties, Set<String> names) {
        Map<String, String> settings = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (names.contains(k)) {
                settings.put(k, v);
            }
        });
        for (BackendUrl part : url.parts()) {
            part.query().forEach((k, v) -> {
                if (names.contains(k)) {
                    settings.put(k, v);
                }
            });
        }
        return settings;
    }

    /**
     * Escapes Redis glob characters ({@code * ? [ ] \}) so that a text matches only itself in a pattern
     * (SCAN MATCH, PSUBSCRIBE).
     *
     * @param s the text
     * @return the escaped text
     */
    public static String globEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * Whether a query parameter (or property) name is one this backend understands; any other query
     * parameter makes the URL invalid.
     *
     * @param name a query parameter name
     * @return whether the parameter is understood
     */
    public static boolean isKnownParameter(String name) {
        return KNOWN_PARAMETERS.contains(name);
    }

    /**
     * The key prefix actually put before every key, after Celery's normalization.
     *
     * @return the prefix, {@code ""} for none
     */
    public String normalizedKeyPrefix() {
        return KeyValueBackend.normalizePrefix(globalKeyPrefix);
    }

    /**
     * The first endpoint, for TCP and TLS.
     *
     * @return the endpoint, empty for a unix socket
     */
    public Optional<Endpoint> endpoint() {
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.get(0));
    }
}
