package io.celeriac.url;

import io.celeriac.spi.SettingsReader;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed celeriac or Celery URL: {@code redis://}, {@code rediss://}, {@code socket://},
 * {@code sentinel://h1;sentinel://h2}, {@code db+postgresql://}, {@code db+sqlite:///path},
 * {@code disabled://}, {@code memory://}, {@code file:///path}, a plain file path, or a plain
 * {@code jdbc:} URL.
 *
 * <p>Parsing follows Celery and kombu: the scheme is the text before {@code ://}; a scheme holding
 * {@code +} is split at the first {@code +} into the backend {@linkplain #alias() alias} and the
 * {@linkplain #driverScheme() driver scheme} ({@code db+postgresql+psycopg2} gives {@code db} and
 * {@code postgresql+psycopg2}); everything after {@code ://} is read with HTTP semantics; user,
 * password, path and query values are percent-decoded, the host is lower-cased; query parameters are
 * split on {@code &}, blank values dropped and the last of repeated names kept. Unlike Python's lenient
 * {@code unquote}, a malformed percent escape is an error here.
 *
 * <p>For {@code sentinel} URLs the text is first split on {@code ;}; each part is parsed on its own and
 * is available from {@link #parts()}; this object describes the first part.
 *
 * <p>{@link #toString()} and {@link #masked()} never show the password. Instances are immutable and
 * thread-safe.
 *
 * <p>This class is the value; the reading is done by {@code UrlParser}, the masking by {@code UrlMasking}, and
 * typed access to the query parameters by {@link SettingsReader} (see {@link #settings()}), as every plugin
 * reads its settings.
 */
public final class BackendUrl {

    /** The scheme given to plain file paths such as {@code /var/run/celery/worker.state}. */
    public static final String FILE_SCHEME = "file";

    private final String raw;
    private final String scheme;
    private final String alias;
    private final String driverScheme;
    private final String user;
    private final String password;
    private final String host;
    private final int port;
    private final String path;
    private final Map<String, String> query;
    private final boolean opaque;
    private final List<BackendUrl> parts;

    /** Used by {@link UrlParser} only; {@code parts} is {@code null} for a URL of one part. */
    BackendUrl(String raw, String scheme, String user, String password, String host, int port,
               String path, Map<String, String> query, boolean opaque, List<BackendUrl> parts) {
        this.raw = raw;
        this.scheme = scheme;
        int plus = scheme.indexOf('+');
        this.alias = plus < 0 ? null : scheme.substring(0, plus);
        this.driverScheme = plus < 0 ? scheme : scheme.substring(plus + 1);
        this.user = user;
        this.password = password;
        this.host = host;
        this.port = port;
        this.path = path;
        this.query = query;
        this.opaque = opaque;
        this.parts = parts == null ? List.of(this) : parts;
    }

    /**
     * Parses a URL.
     *
     * @param url the URL text; surrounding whitespace is ignored
     * @return the parsed URL
     * @throws InvalidUrlException listing every problem found, with the password masked
     */
    public static BackendUrl parse(String url) {
        return UrlParser.parse(url);
    }

    /**
     * Masks the password in URL text that may not parse, for use in error messages: in each
     * {@code ;}-separated part, everything between the first {@code :} after {@code ://} and the last
     * {@code @} becomes {@code **} (also when an unescaped {@code ?} or {@code #} comes before that {@code @}),
     * and the query string and fragment are dropped.
     *
     * @param text URL text, possibly malformed
     * @return the text with any password replaced by {@code **}
     */
    public static String maskUnparsed(String text) {
        return UrlMasking.maskUnparsed(text);
    }

    // ------------------------------------------------------------------------------------------
    // accessors

    /**
     * The full scheme, lower-cased: {@code redis}, {@code db+postgresql+psycopg2}, {@code jdbc:postgresql},
     * or {@value #FILE_SCHEME} for a plain path.
     *
     * @return the scheme, never {@code null}
     */
    public String scheme() {
        return scheme;
    }

    /**
     * The backend alias before the first {@code +} ({@code db} in {@code db+postgresql://}), or
     * {@code null} when the scheme has no {@code +}.
     *
     * @return the alias or {@code null}
     */
    public String alias() {
        return alias;
    }

    /**
     * The scheme after the first {@code +} ({@code postgresql+psycopg2} in
     * {@code db+postgresql+psycopg2://}), or the whole scheme when there is no {@code +}.
     *
     * @return the driver scheme, never {@code null}
     */
    public String driverScheme() {
        return driverScheme;
    }

    /**
     * The decoded user name, if any.
     *
     * @return the user or {@code null}
     */
    public String user() {
        return user;
    }

    /**
     * The decoded password, if any. <b>Never log or print it.</b>
     *
     * @return the password or {@code null}
     */
    public String password() {
        return password;
    }

    /**
     * The lower-cased, decoded host, or {@code null} when the URL has none. An IPv6 host keeps its brackets.
     *
     * @return the host or {@code null}
     */
    public String host() {
        return host;
    }

    /**
     * The host, or a default when the URL has none.
     *
     * @param defaultHost the default
     * @return the host
     */
    public String host(String defaultHost) {
        return host == null ? defaultHost : host;
    }

    /**
     * The port, or -1 when the URL has none.
     *
     * @return the port or -1
     */
    public int port() {
        return port;
    }

    /**
     * The port, or a default when the URL has none.
     *
     * @param defaultPort the default
     * @return the port
     */
    public int port(int defaultPort) {
        return port < 0 ? defaultPort : port;
    }

    /**
     * The decoded path exactly as written, with its leading slash: {@code /3} for {@code redis://h/3},
     * {@code //abs/file.db} for {@code db+sqlite:////abs/file.db}, {@code /var/x} for {@code file:///var/x},
     * the path itself for a plain path. Empty when the URL has none.
     *
     * @return the path, never {@code null}
     */
    public String path() {
        return path == null ? "" : path;
    }

    /**
     * The path with one leading slash removed, as kombu and SQLAlchemy read it: the Redis db number
     * ({@code 3}), the SQLite file ({@code relative/file.db} or {@code /abs/file.db}), the PostgreSQL
     * database name.
     *
     * @return the path without its first slash; empty when there is none
     */
    public String pathWithoutLeadingSlash() {
        String p = path();
        return p.startsWith("/") ? p.substring(1) : p;
    }

    /**
     * Every query parameter, decoded, in order of first appearance (the last value of a repeated name wins).
     *
     * @return an unmodifiable map
     */
    public Map<String, String> query() {
        return query;
    }

    /**
     * One query parameter.
     *
     * @param name the parameter name
     * @return its value, if present
     */
    public Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /**
     * Whether the URL has no {@code //} authority: a plain path, or an opaque {@code jdbc:sqlite:file} URL.
     *
     * @return {@code true} for a plain path or opaque URL
     */
    public boolean isOpaque() {
        return opaque;
    }

    /**
     * For a {@code ;}-separated sentinel URL every part in order; otherwise a list holding this URL only.
     *
     * @return the parts, never empty
     */
    public List<BackendUrl> parts() {
        return parts;
    }

    /**
     * The URL text as given. <b>It may contain a password: never log or print it.</b>
     *
     * @return the original text
     */
    public String unmaskedText() {
        return raw;
    }

    /**
     * This URL with the backend alias removed ({@code db+postgresql://u:p@h/d} gives
     * {@code postgresql://u:p@h/d}), as Celery hands it to the backend.
     *
     * @return the URL without alias, or this URL when it has none
     */
    public BackendUrl withoutAlias() {
        if (alias == null) {
            return this;
        }
        return parse(raw.strip().substring(alias.length() + 1));
    }

    // ------------------------------------------------------------------------------------------
    // typed parameter access

    /**
     * A {@link SettingsReader} over this URL's query parameters, which reads every kind of setting (integers,
     * booleans, seconds, choices, identifiers, sizes) with the one wording every plugin uses and collects the
     * problems; report them with {@link InvalidUrlException#of(BackendUrl, List)}, which keeps the password out.
     *
     * @return a new reader with no problems yet
     */
    public SettingsReader settings() {
        return new SettingsReader(query);
    }

    /**
     * A boolean query parameter, read as {@link SettingsReader#bool(String, boolean)} reads it:
     * {@code true/yes/on/1} or {@code false/no/off/0}, any case.
     *
     * @param name the parameter
     * @param defaultValue used when the parameter is absent
     * @return the value
     * @throws InvalidUrlException when the value is not a boolean
     */
    public boolean booleanParam(String name, boolean defaultValue) {
        SettingsReader r = settings();
        boolean value = r.bool(name, defaultValue);
        throwIfProblems(r);
        return value;
    }

    /**
     * An integer query parameter, read as {@link SettingsReader#integer(String, int, int, int)} reads it, with
     * the bounds of an {@code int}.
     *
     * @param name the parameter
     * @param defaultValue used when the parameter is absent
     * @return the value
     * @throws InvalidUrlException when the value is not an integer
     */
    public int intParam(String name, int defaultValue) {
        SettingsReader r = settings();
        int value = r.integer(name, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
        throwIfProblems(r);
        return value;
    }

    /**
     * A duration query parameter given in (possibly fractional) seconds, as Celery's settings are, read as
     * {@link SettingsReader#seconds(String, boolean, Duration)} reads it: zero allowed, at most
     * {@link SettingsReader#MAX_SECONDS}.
     *
     * @param name the parameter
     * @param defaultValue used when the parameter is absent, may be {@code null}
     * @return the value, or the default
     * @throws InvalidUrlException when the value is not a number of seconds from 0 to
     *         {@link SettingsReader#MAX_SECONDS}
     */
    public Duration secondsParam(String name, Duration defaultValue) {
        SettingsReader r = settings();
        Optional<Duration> value = r.seconds(name, true, Duration.ofSeconds(SettingsReader.MAX_SECONDS));
        throwIfProblems(r);
        return value.orElse(defaultValue);
    }

    private void throwIfProblems(SettingsReader r) {
        if (!r.problems().isEmpty()) {
            throw InvalidUrlException.of(this, r.problems());
        }
    }

    // ------------------------------------------------------------------------------------------
    // masking

    /**
     * The URL with its password masked exactly as kombu's {@code maybe_sanitize_url} masks it and with
     * Celery's {@code as_uri} trimming: {@code scheme://[user][:**]@host[:port]/path}, the query dropped,
     * a bare host given a trailing {@code /}, a lone trailing {@code :///} trimmed to {@code ://}. Each
     * sentinel part is masked on its own and the parts joined with {@code ;}.
     *
     * @return the masked URL; never contains the password
     */
    public String masked() {
        return UrlMasking.masked(this);
    }

    /**
     * The masked URL (see {@link #masked()}).
     *
     * @return the masked URL
     */
    @Override
    public String toString() {
        return masked();
    }

    /**
     * Two URLs are equal when their text is equal.
     *
     * @param o the other object
     * @return whether equal
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof BackendUrl && ((BackendUrl) o).raw.equals(raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(raw);
    }
}
