package io.celeriac.url;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    private BackendUrl(String raw, String scheme, String user, String password, String host, int port,
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
        if (url == null || url.isBlank()) {
            throw new InvalidUrlException("<empty>", List.of("the URL is empty; give one such as redis://localhost:6379/0 or db+sqlite:///results.sqlite"));
        }
        String text = url.strip();
        int sep = text.indexOf("://");
        String lowerScheme = sep > 0 ? text.substring(0, sep).toLowerCase(Locale.ROOT) : "";
        if (lowerScheme.equals("sentinel") && text.indexOf(';') >= 0) {
            List<BackendUrl> parsed = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            String[] chunks = text.split(";", -1);
            for (int i = 0; i < chunks.length; i++) {
                String chunk = chunks[i].strip();
                if (chunk.isEmpty()) {
                    problems.add("sentinel part " + (i + 1) + " is empty (parts are separated by ';')");
                    continue;
                }
                try {
                    parsed.add(parseSingle(chunk));
                } catch (InvalidUrlException e) {
                    for (String p : e.problems()) {
                        problems.add("sentinel part " + (i + 1) + ": " + p);
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new InvalidUrlException(maskUnparsed(text), problems);
            }
            BackendUrl first = parsed.get(0);
            List<BackendUrl> all = List.copyOf(parsed);
            return new BackendUrl(text, first.scheme, first.user, first.password, first.host, first.port,
                    first.path, first.query, false, all);
        }
        return parseSingle(text);
    }

    private static BackendUrl parseSingle(String text) {
        List<String> problems = new ArrayList<>();
        if (text.regionMatches(true, 0, "jdbc:", 0, 5)) {
            int colon = text.indexOf(':', 5);
            if (colon < 0) {
                throw new InvalidUrlException(maskUnparsed(text), List.of("a JDBC URL needs a sub-protocol, as in jdbc:postgresql://host/db"));
            }
            String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
            String sub = scheme.substring(5);
            if (sub.isEmpty() || !isSchemeChars(sub) || sub.indexOf('+') >= 0) {
                throw new InvalidUrlException(maskUnparsed(text), List.of(
                        "the JDBC sub-protocol is not valid; a JDBC URL reads jdbc:postgresql://host/db or jdbc:sqlite:/path"));
            }
            String rest = text.substring(colon + 1);
            if (rest.startsWith("//")) {
                return parseHierarchical(text, scheme, rest.substring(2), problems);
            }
            // jdbc:sqlite:relative/or/absolute/path
            String opaquePath = rest;
            Map<String, String> query = Map.of();
            int q = rest.indexOf('?');
            if (q >= 0) {
                opaquePath = rest.substring(0, q);
                query = parseQuery(rest.substring(q + 1), problems);
            }
            String decoded = decode(opaquePath, "path", problems);
            failIfProblems(text, problems);
            return new BackendUrl(text, scheme, null, null, null, -1, decoded, query, true, null);
        }
        int sep = text.indexOf("://");
        if (sep < 0) {
            // A plain path, as Celery's --statedb accepts.
            if (text.indexOf('\0') >= 0) {
                problems.add("a path cannot contain a NUL character");
            }
            failIfProblems(text, problems);
            return new BackendUrl(text, FILE_SCHEME, null, null, null, -1, text, Map.of(), true, null);
        }
        String scheme = text.substring(0, sep);
        if (scheme.isEmpty() || !isSchemeChars(scheme)) {
            boolean mayHoldSecrets = scheme.indexOf(':') >= 0 || scheme.indexOf('@') >= 0;
            problems.add((mayHoldSecrets ? "the text before '://' is not a valid scheme"
                    : "the scheme '" + scheme + "' is not valid") + "; a scheme starts with a letter and holds only letters, digits, '+', '-' and '.'");
            throw new InvalidUrlException(maskUnparsed(text), problems);
        }
        return parseHierarchical(text, scheme.toLowerCase(Locale.ROOT), text.substring(sep + 3), problems);
    }

    private static BackendUrl parseHierarchical(String text, String scheme, String rest, List<String> problems) {
        boolean hasAt = rest.indexOf('@') >= 0;
        // Strip a fragment, then split off the query, as urlparse does.
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        Map<String, String> query = Map.of();
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = parseQuery(rest.substring(q + 1), problems);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String netloc = slash < 0 ? rest : rest.substring(0, slash);
        String rawPath = slash < 0 ? "" : rest.substring(slash);

        String user = null;
        String password = null;
        String hostPort = netloc;
        int at = netloc.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = netloc.substring(0, at);
            hostPort = netloc.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
            user = emptyToNull(decode(rawUser, "user name", problems));
            if (colon >= 0) {
                password = emptyToNull(decode(userInfo.substring(colon + 1), "password", problems));
            }
        }
        String host;
        int port = -1;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                problems.add("the IPv6 host is missing its closing ']'");
                host = null;
            } else {
                host = hostPort.substring(0, close + 1);
                String after = hostPort.substring(close + 1);
                if (after.startsWith(":")) {
                    portText = after.substring(1);
                } else if (!after.isEmpty()) {
                    problems.add("unexpected text " + shown(after) + " after the IPv6 host");
                }
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0) {
                host = hostPort.substring(0, colon);
                portText = hostPort.substring(colon + 1);
            } else {
                host = hostPort;
            }
        }
        if (portText != null && !portText.isEmpty()) {
            // with an '@' anywhere, the user info may have held an unescaped '/', '?' or '#': what looks like
            // the port may then be the start of the password
            port = parsePort(portText, hasAt, problems);
        }
        if (host != null) {
            host = emptyToNull(decode(host, "host", problems));
            if (host != null) {
                host = host.toLowerCase(Locale.ROOT);
            }
        }
        String path = decode(rawPath, "path", problems);
        if (path == null && scheme.equals(FILE_SCHEME)) {
            problems.add("in a file:// URL '%' starts a percent escape: write Celery's placeholders as %25n, %25h, ..."
                    + " (and '%' as %25), or give a plain path, where %n works as in Celery's --statedb");
        }
        if (!problems.isEmpty()) {
            throw new InvalidUrlException(maskUnparsed(text), problems);
        }
        return new BackendUrl(text, scheme, user, password, host, port, path, query, false, null);
    }

    private static int parsePort(String portText, boolean mayHoldSecrets, List<String> problems) {
        for (int i = 0; i < portText.length(); i++) {
            if (!Character.isDigit(portText.charAt(i)) || portText.charAt(i) > '9') {
                problems.add(mayHoldSecrets
                        ? "the port is not a number (not shown: it may hold credentials); a password holding '/', '@', ':', '?'"
                        + " or '#' must percent-encode them (%2F, %40, %3A, %3F, %23)"
                        : "the port " + shown(portText) + " is not a number");
                return -1;
            }
        }
        if (portText.length() > 5) {
            problems.add("the port " + (mayHoldSecrets ? "" : portText + " ") + "is out of range 0-65535");
            return -1;
        }
        int value = Integer.parseInt(portText);
        if (value > 65535) {
            problems.add("the port " + (mayHoldSecrets ? "" : value + " ") + "is out of range 0-65535");
            return -1;
        }
        return value;
    }

    private static Map<String, String> parseQuery(String queryText, List<String> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (queryText.isEmpty()) {
            return Map.of();
        }
        for (String pair : queryText.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            String name = decode(rawName.replace('+', ' '), "query parameter name", problems);
            String value = decode(rawValue.replace('+', ' '), "value of query parameter " + shown(rawName), problems);
            if (value == null || value.isEmpty()) {
                continue; // parse_qsl drops blank values
            }
            out.remove(name);
            out.put(name, value);
        }
        return Collections.unmodifiableMap(out);
    }

    private static boolean isSchemeChars(String s) {
        if (!Character.isLetter(s.charAt(0)) || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '-' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Percent-decodes {@code text} as UTF-8, strictly: a {@code %} not followed by two hex digits, or
     * bytes that are not UTF-8, are reported as problems.
     */
    static String decode(String text, String what, List<String> problems) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || hex(text.charAt(i + 1)) < 0 || hex(text.charAt(i + 2)) < 0) {
                    problems.add("the " + what + " has a malformed percent escape at position " + i
                            + " (a '%' must be followed by two hex digits)");
                    return null;
                }
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 3;
                continue;
            }
            if (bytes.size() > 0) {
                if (!flushUtf8(bytes, out)) {
                    problems.add("the " + what + " holds percent-encoded bytes that are not UTF-8");
                    return null;
                }
            }
            out.append(c);
            i++;
        }
        if (bytes.size() > 0 && !flushUtf8(bytes, out)) {
            problems.add("the " + what + " holds percent-encoded bytes that are not UTF-8");
            return null;
        }
        return out.toString();
    }

    private static boolean flushUtf8(ByteArrayOutputStream bytes, StringBuilder out) {
        try {
            out.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())));
            bytes.reset();
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Quotes user text for a message only when it looks like a plain identifier or number (so that a
     * password pasted in the wrong place is never echoed); otherwise says it is not shown.
     */
    static String shown(String s) {
        if (s == null) {
            return "(none)";
        }
        if (s.length() <= 40 && s.matches("[A-Za-z0-9_.+\\- ]*")) {
            return "'" + s + "'";
        }
        return "(not shown: it may hold credentials)";
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void failIfProblems(String text, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidUrlException(maskUnparsed(text), problems);
        }
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
        if (text == null) {
            return "<null>";
        }
        StringBuilder out = new StringBuilder();
        String[] chunks = text.split(";", -1);
        for (int c = 0; c < chunks.length; c++) {
            String chunk = chunks[c];
            if (c > 0) {
                out.append(';');
            }
            int sep = chunk.indexOf("://");
            boolean structured = sep > 0 && isSchemeChars(chunk.substring(0, sep));
            // the user info ends at the last '@' of the part, also when an unescaped '?' or '#' in the password
            // precedes it: find it before dropping the query
            int at = chunk.lastIndexOf('@');
            int queryFrom = 0;
            if (structured && at > sep) {
                String userInfo = chunk.substring(sep + 3, at);
                int colon = userInfo.indexOf(':');
                if (colon >= 0) {
                    chunk = chunk.substring(0, sep + 3) + userInfo.substring(0, colon) + ":**" + chunk.substring(at);
                    queryFrom = sep + 3 + colon + 3;
                }
            }
            int q = indexOfAny(chunk, queryFrom, '?', '#');
            if (q >= 0) {
                chunk = chunk.substring(0, q);
            }
            at = chunk.lastIndexOf('@');
            if (at >= 0 && structured && at > sep) {
                // masked above (or no password)
            } else if (at >= 0) {
                // no scheme://user:pw@ structure (jdbc:postgresql:user:pw@..., a mangled scheme): drop what precedes '@'
                chunk = "**" + chunk.substring(at);
            }
            out.append(chunk);
        }
        return out.toString();
    }

    private static int indexOfAny(String s, int from, char a, char b) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
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
     * A boolean query parameter: {@code true/yes/on/1} or {@code false/no/off/0}, any case.
     *
     * @param name the parameter
     * @param defaultValue used when the parameter is absent
     * @return the value
     * @throws InvalidUrlException when the value is not a boolean
     */
    public boolean booleanParam(String name, boolean defaultValue) {
        String v = query.get(name);
        if (v == null) {
            return defaultValue;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1":
                return true;
            case "false": case "no": case "off": case "0":
                return false;
            default:
                throw new InvalidUrlException(masked(), List.of("the query parameter " + shown(name) + " must be true or false, not " + shown(v)));
        }
    }

    /**
     * An integer query parameter.
     *
     * @param name the parameter
     * @param defaultValue used when the parameter is absent
     * @return the value
     * @throws InvalidUrlException when the value is not an integer
     */
    public int intParam(String name, int defaultValue) {
        String v = query.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidUrlException(masked(), List.of("the query parameter " + shown(name) + " must be an integer, not " + shown(v)));
        }
    }

    /**
     * A duration query parameter given in (possibly fractional) seconds, as Celery's settings are.
     *
     * @param name the parameter
     * @param defaultValue used when the parameter is absent, may be {@code null}
     * @return the value, or the default
     * @throws InvalidUrlException when the value is not a non-negative number
     */
    public Duration secondsParam(String name, Duration defaultValue) {
        String v = query.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            double seconds = Double.parseDouble(v.strip());
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(seconds * 1e9));
        } catch (NumberFormatException e) {
            throw new InvalidUrlException(masked(), List.of("the query parameter " + shown(name) + " must be a non-negative number of seconds, not " + shown(v)));
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
        if (parts.size() > 1) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                if (i > 0) {
                    sb.append(';');
                }
                sb.append(parts.get(i).maskedSingle());
            }
            return sb.toString();
        }
        return maskedSingle();
    }

    private String maskedSingle() {
        if (opaque) {
            // an opaque path has no credentials, but never show what precedes an '@' in case it holds some
            int at = path.lastIndexOf('@');
            String shown = at < 0 ? path : "**" + path.substring(at);
            if (scheme.equals(FILE_SCHEME) && !raw.regionMatches(true, 0, "file:", 0, 5)) {
                return shown;
            }
            return scheme + ":" + shown;
        }
        StringBuilder sb = new StringBuilder(scheme).append("://");
        if (user != null || password != null) {
            if (user != null) {
                sb.append(quote(user));
            }
            if (password != null) {
                sb.append(":**");
            }
            sb.append('@');
        }
        if (host != null) {
            sb.append(host.startsWith("[") ? host : quote(host));
        }
        if (port >= 0) {
            sb.append(':').append(port);
        }
        sb.append('/');
        String p = pathWithoutLeadingSlash();
        int at = p.lastIndexOf('@');
        if (at >= 0) {
            // an '@' in the path means credentials were written with an unescaped '/': never show them
            p = "**" + p.substring(at);
        }
        if (!p.isEmpty()) {
            sb.append(p);
        }
        String s = sb.toString();
        return s.endsWith(":///") ? s.substring(0, s.length() - 1) : s;
    }

    /** Python's {@code urllib.parse.quote(s, safe='')}. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-' || c == '~';
            if (unreserved) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
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
