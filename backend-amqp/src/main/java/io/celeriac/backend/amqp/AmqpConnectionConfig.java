package io.celeriac.backend.amqp;

import io.celeriac.spi.SettingsReader;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to reach a RabbitMQ broker, read from Celery's {@code broker_url} exactly as kombu reads it, plus the
 * settings kombu's {@code Connection} takes: shared by every area of the AMQP module.
 *
 * <pre>
 * amqp://[user[:password]@]host[:port][/virtual_host][?settings]        (also pyamqp://, librabbitmq://)
 * amqps://user:password@host:5671//?ssl_cert_reqs=required&amp;ssl_ca_certs=/ca.pem
 * amqp://guest:guest@h1:5672//;amqp://h2:5672//;h3                     (failover: tried in turn)
 * </pre>
 *
 * <ul>
 *   <li>user and password default to {@code guest}/{@code guest}, the host to {@code localhost}, the port to 5672
 *       (5671 with TLS), as kombu's pyamqp transport does;</li>
 *   <li>the virtual host is the path with one leading {@code /} removed, URL-decoded: none or {@code /} gives
 *       {@code /}, {@code //} gives {@code /}, {@code /foo} gives {@code foo}, {@code /%2Ffoo} or {@code //foo}
 *       gives {@code /foo};</li>
 *   <li>a failover list is split on {@code ;}; a later part is a URL or a bare {@code host[:port]}, and takes the
 *       first part's user, password, virtual host and settings: it may repeat them, not change them;</li>
 *   <li>settings (query parameters of the first part, or properties): {@code heartbeat} (seconds, 0 = off;
 *       Celery's {@code broker_heartbeat}, 120), {@code connect_timeout} (seconds; Celery's
 *       {@code broker_connection_timeout}, 4), {@code recovery_interval} (seconds between reconnection attempts,
 *       2), {@code failover_strategy} ({@code round-robin} or {@code shuffle}), {@code login_method}
 *       ({@code PLAIN} or {@code EXTERNAL}), {@code ssl} (true for TLS on {@code amqp://}), and Celery's
 *       {@code broker_use_ssl} keys {@code ssl_ca_certs}, {@code ssl_certfile}, {@code ssl_keyfile} (PEM files),
 *       {@code ssl_cert_reqs} ({@code required}, {@code optional}, {@code none}, or {@code CERT_REQUIRED}...) and
 *       {@code ssl_check_hostname}; any {@code ssl_*} setting turns TLS on, as in kombu.</li>
 * </ul>
 *
 * <p>With TLS the server's certificate is checked by default against {@code ssl_ca_certs} (else the JDK's trust
 * store) and its name against the host, as py-amqp's default client context does; {@code ssl_cert_reqs=none}
 * turns both checks off.
 *
 * <p>Immutable and thread-safe. {@link #toString()} and {@link #masked()} never show the password.
 */
public final class AmqpConnectionConfig {

    /** The settings read here. */
    public static final Set<String> SETTINGS = Set.of("heartbeat", "connect_timeout", "recovery_interval",
            "failover_strategy", "login_method", "ssl", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs",
            "ssl_check_hostname");

    /** The schemes of kombu's AMQP transports. */
    public static final Set<String> SCHEMES = Set.of("amqp", "amqps", "pyamqp", "librabbitmq");

    /** What {@code ssl_cert_reqs} asks of the server's certificate. */
    public enum CertReqs {
        /** The certificate must be valid (Python's {@code CERT_REQUIRED}). */
        REQUIRED,
        /** Checked when given; here the same as required, as a client always gets one (Python's {@code CERT_OPTIONAL}). */
        OPTIONAL,
        /** Not checked at all (Python's {@code CERT_NONE}). */
        NONE
    }

    /** How failover addresses are tried. */
    public enum FailoverStrategy {
        /** In the order given, the first first (kombu's default). */
        ROUND_ROBIN,
        /** In a random order on each connection attempt. */
        SHUFFLE
    }

    /**
     * One address of the broker.
     *
     * @param host the host name or address
     * @param port the port
     */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private final String scheme;
    private final List<Endpoint> endpoints;
    private final String user;
    private final String password;
    private final String virtualHost;
    private final boolean tls;
    private final CertReqs certReqs;
    private final boolean checkHostname;
    private final Path caCerts;
    private final Path certFile;
    private final Path keyFile;
    private final Duration heartbeat;
    private final Duration connectTimeout;
    private final Duration recoveryInterval;
    private final FailoverStrategy failoverStrategy;
    private final boolean externalLogin;

    private AmqpConnectionConfig(String scheme, List<Endpoint> endpoints, String user, String password,
                                 String virtualHost, boolean tls, CertReqs certReqs, boolean checkHostname,
                                 Path caCerts, Path certFile, Path keyFile, Duration heartbeat,
                                 Duration connectTimeout, Duration recoveryInterval, FailoverStrategy failoverStrategy,
                                 boolean externalLogin) {
        this.scheme = scheme;
        this.endpoints = List.copyOf(endpoints);
        this.user = user;
        this.password = password;
        this.virtualHost = virtualHost;
        this.tls = tls;
        this.certReqs = certReqs;
        this.checkHostname = checkHostname;
        this.caCerts = caCerts;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.heartbeat = heartbeat;
        this.connectTimeout = connectTimeout;
        this.recoveryInterval = recoveryInterval;
        this.failoverStrategy = failoverStrategy;
        this.externalLogin = externalLogin;
    }

    /**
     * Parses a broker URL and settings on their own.
     *
     * @param url the broker URL (its text may hold a {@code ;}-separated failover list)
     * @param settings settings as properties; the URL's query parameters override them
     * @return the configuration
     * @throws io.celeriac.InvalidConfigurationException listing every problem, unknown settings included
     */
    public static AmqpConnectionConfig parse(BackendUrl url, Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        List<BackendUrl> parts = splitFailover(url, problems);
        Map<String, String> merged = new LinkedHashMap<>(settings);
        if (!parts.isEmpty()) {
            merged.putAll(parts.get(0).query());
        }
        SettingsReader reader = new SettingsReader(merged, problems);
        AmqpConnectionConfig c = read(parts, reader);
        for (String name : merged.keySet()) {
            if (!SETTINGS.contains(name)) {
                reader.problem(unknownSetting(name, SETTINGS));
            }
        }
        reader.validate("Invalid broker URL " + maskedText(url));
        return c;
    }

    /**
     * The problem text for a setting nobody knows.
     *
     * @param name the setting
     * @param known the settings known
     * @return the sentence
     */
    public static String unknownSetting(String name, Set<String> known) {
        return "unknown setting '" + (BackendUrlShown.plain(name) ? name : "(not shown)") + "'; the known ones are "
                + String.join(", ", new java.util.TreeSet<>(known));
    }

    /**
     * Splits a broker URL into its failover parts, each parsed on its own (a bare {@code host[:port]} part is
     * given the first part's scheme). Problems are added, naming the part.
     *
     * @param url the URL
     * @param problems where problems go
     * @return the parts, empty when the first part did not parse
     */
    public static List<BackendUrl> splitFailover(BackendUrl url, List<String> problems) {
        String text = url.unmaskedText().strip();
        if (text.indexOf(';') < 0) {
            return List.of(url);
        }
        List<BackendUrl> out = new ArrayList<>();
        String[] chunks = text.split(";", -1);
        String firstScheme = null;
        for (int i = 0; i < chunks.length; i++) {
            String chunk = chunks[i].strip();
            if (chunk.isEmpty()) {
                problems.add("failover part " + (i + 1) + " is empty (parts are separated by ';')");
                continue;
            }
            if (!chunk.contains("://")) {
                chunk = (firstScheme == null ? "amqp" : firstScheme) + "://" + chunk;
            }
            try {
                BackendUrl part = BackendUrl.parse(chunk);
                if (firstScheme == null) {
                    firstScheme = part.scheme();
                }
                out.add(part);
            } catch (InvalidUrlException e) {
                for (String p : e.problems()) {
                    problems.add("failover part " + (i + 1) + ": " + p);
                }
                if (i == 0) {
                    return List.of();
                }
            }
        }
        return out;
    }

    /**
     * Reads the connection from parsed failover parts and settings, adding problems to the reader; unknown settings
     * are not checked here (the caller knows its own).
     *
     * @param parts the failover parts, first first (see {@link #splitFailover})
     * @param reader the settings
     * @return the configuration (meaningful only when no problem was added)
     */
    public static AmqpConnectionConfig read(List<BackendUrl> parts, SettingsReader reader) {
        if (parts.isEmpty()) {
            return new AmqpConnectionConfig("amqp", List.of(new Endpoint("localhost", 5672)), "guest", "guest", "/",
                    false, CertReqs.REQUIRED, true, null, null, null, Duration.ofSeconds(120), Duration.ofSeconds(4),
                    Duration.ofSeconds(2), FailoverStrategy.ROUND_ROBIN, false);
        }
        BackendUrl first = parts.get(0);
        String scheme = first.scheme();
        if (!SCHEMES.contains(scheme)) {
            reader.problem("the scheme '" + scheme + "' is not an AMQP scheme; use amqp, amqps, pyamqp or librabbitmq");
        }
        boolean anySsl = false;
        for (String k : SETTINGS) {
            if (k.startsWith("ssl_") && reader.has(k)) {
                anySsl = true;
            }
        }
        boolean tls = scheme.equals("amqps") || reader.bool("ssl", false) || anySsl;
        int defaultPort = tls ? 5671 : 5672;
        String user = first.user() == null ? "guest" : first.user();
        String password = first.password() == null ? (first.user() == null ? "guest" : null) : first.password();
        String vhost = virtualHostOf(first);
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            BackendUrl p = parts.get(i);
            String where = parts.size() > 1 ? "failover part " + (i + 1) + ": " : "";
            if (i > 0) {
                if (!p.scheme().equals(scheme) && !(SCHEMES.contains(p.scheme()) && SCHEMES.contains(scheme)
                        && p.scheme().equals("amqps") == scheme.equals("amqps"))) {
                    reader.problem(where + "the scheme '" + p.scheme() + "' differs from the first part's '" + scheme
                            + "'; every part must use the same transport and TLS");
                }
                if (p.user() != null && !p.user().equals(user)) {
                    reader.problem(where + "the user differs from the first part's; give one user for every part");
                }
                if (p.password() != null && !Objects.equals(p.password(), password)) {
                    reader.problem(where + "the password differs from the first part's; give one password for every part");
                }
                if (!p.path().isEmpty() && !virtualHostOf(p).equals(vhost)) {
                    reader.problem(where + "the virtual host differs from the first part's; give one for every part");
                }
                if (!p.query().isEmpty()) {
                    reader.problem(where + "settings (query parameters) are read from the first part only");
                }
            }
            if (p.host() != null && p.host().indexOf(';') >= 0) {
                reader.problem(where + "the host holds a ';'");
            }
            endpoints.add(new Endpoint(p.host("localhost"), p.port(defaultPort)));
        }
        Duration heartbeat = reader.seconds("heartbeat", Duration.ofSeconds(120), true, Duration.ofSeconds(65_535));
        Duration connectTimeout = reader.seconds("connect_timeout", Duration.ofSeconds(4), false, Duration.ofSeconds(3600));
        Duration recovery = reader.seconds("recovery_interval", Duration.ofSeconds(2), false, Duration.ofSeconds(3600));
        String strategy = reader.choice("failover_strategy", "round-robin", Set.of("round-robin", "shuffle"));
        String login = reader.choice("login_method", "plain", Set.of("plain", "external", "amqplain"));
        String reqs = reader.choice("ssl_cert_reqs", "required",
                Set.of("required", "optional", "none", "cert_required", "cert_optional", "cert_none"));
        CertReqs certReqs = switch (reqs) {
            case "none", "cert_none" -> CertReqs.NONE;
            case "optional", "cert_optional" -> CertReqs.OPTIONAL;
            default -> CertReqs.REQUIRED;
        };
        boolean checkHostname = reader.bool("ssl_check_hostname", certReqs != CertReqs.NONE);
        Path ca = file(reader, "ssl_ca_certs");
        Path cert = file(reader, "ssl_certfile");
        Path key = file(reader, "ssl_keyfile");
        if ((cert == null) != (key == null) && (reader.has("ssl_certfile") != reader.has("ssl_keyfile"))) {
            reader.problem("ssl_certfile and ssl_keyfile go together: give both or neither");
        }
        if (login.equals("external") && cert == null && tls) {
            reader.problem("login_method EXTERNAL authenticates with the client certificate: give ssl_certfile and ssl_keyfile");
        }
        if (login.equals("external") && !tls) {
            reader.problem("login_method EXTERNAL needs TLS (amqps:// or ssl_* settings)");
        }
        if (vhost.getBytes(StandardCharsets.UTF_8).length > 255) {
            reader.problem("the virtual host is longer than 255 bytes");
        }
        return new AmqpConnectionConfig(scheme, endpoints, user, password, vhost, tls, certReqs, checkHostname, ca, cert,
                key, heartbeat, connectTimeout, recovery,
                strategy.equals("shuffle") ? FailoverStrategy.SHUFFLE : FailoverStrategy.ROUND_ROBIN,
                login.equals("external"));
    }

    private static Path file(SettingsReader reader, String name) {
        String v = reader.raw(name).orElse(null);
        if (v == null || v.isBlank()) {
            return null;
        }
        Path p = Path.of(v.strip());
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            reader.problem(name + " must name a readable PEM file, not '" + v + "'");
            return null;
        }
        return p;
    }

    /** kombu's virtual host: the path without one leading slash, decoded; empty gives {@code /}. */
    private static String virtualHostOf(BackendUrl u) {
        String v = u.pathWithoutLeadingSlash();
        return v.isEmpty() ? "/" : v;
    }

    /** @return the scheme as written ({@code amqp}, {@code amqps}, {@code pyamqp}, {@code librabbitmq}) */
    public String scheme() {
        return scheme;
    }

    /** @return the addresses to try, first first; never empty */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** @return the user name */
    public String user() {
        return user;
    }

    /**
     * The password. <b>Never log or print it.</b>
     *
     * @return the password, or {@code null} when a user was given without one
     */
    public String password() {
        return password;
    }

    /** @return the virtual host, {@code /} by default */
    public String virtualHost() {
        return virtualHost;
    }

    /** @return whether the connection uses TLS */
    public boolean tls() {
        return tls;
    }

    /** @return what is asked of the server's certificate */
    public CertReqs certReqs() {
        return certReqs;
    }

    /** @return whether the server's name is checked against its certificate */
    public boolean checkHostname() {
        return checkHostname;
    }

    /** @return the PEM file of trusted certificates, or {@code null} for the JDK's trust store */
    public Path caCerts() {
        return caCerts;
    }

    /** @return the client certificate chain (PEM), or {@code null} */
    public Path certFile() {
        return certFile;
    }

    /** @return the client's private key (PEM, PKCS#8 or PKCS#1), or {@code null} */
    public Path keyFile() {
        return keyFile;
    }

    /** @return the heartbeat interval; zero turns heartbeats off */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** @return how long a connection (TCP, TLS and AMQP handshake) may take */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the pause between reconnection attempts after a lost connection */
    public Duration recoveryInterval() {
        return recoveryInterval;
    }

    /** @return how failover addresses are tried */
    public FailoverStrategy failoverStrategy() {
        return failoverStrategy;
    }

    /** @return whether the client authenticates with its certificate (SASL EXTERNAL) rather than a password */
    public boolean externalLogin() {
        return externalLogin;
    }

    /**
     * The URL with the password masked, as Celery's {@code as_uri()} prints it
     * ({@code amqp://guest:**@127.0.0.1:5672//}); failover addresses joined with {@code ;}.
     *
     * @return the masked URL
     */
    public String masked() {
        StringBuilder sb = new StringBuilder();
        for (Endpoint e : endpoints) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(scheme).append("://").append(quote(user)).append(password == null ? "" : ":**").append('@')
                    .append(e.host()).append(':').append(e.port()).append('/').append(quoteVhost(virtualHost));
        }
        return sb.toString();
    }

    /**
     * Masks any URL text for messages, also one that did not parse.
     *
     * @param url the URL
     * @return the text with every password replaced by {@code **} and the query dropped
     */
    public static String maskedText(BackendUrl url) {
        return BackendUrl.maskUnparsed(url.unmaskedText());
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    private static String quoteVhost(String v) {
        List<String> segments = new ArrayList<>();
        for (String seg : v.split("/", -1)) {
            segments.add(quote(seg));
        }
        return String.join("/", segments);
    }

    @Override
    public String toString() {
        return "AmqpConnectionConfig[" + masked() + (tls ? ", tls " + certReqs.name().toLowerCase(Locale.ROOT) : "")
                + ", heartbeat=" + heartbeat.toSeconds() + "s]";
    }

    /** Whether a name may be shown in a message (no credentials can hide in it). */
    private static final class BackendUrlShown {
        static boolean plain(String s) {
            return s.length() <= 64 && s.matches("[A-Za-z0-9_.\\-]*");
        }
    }
}
