package io.celeriac.url;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads URL text into a {@link BackendUrl}, as Celery and kombu read it: the scheme before {@code ://} (split
 * at the first {@code +} by {@link BackendUrl} itself), the rest with HTTP semantics ({@code urlparse}), user,
 * password, path and query values percent-decoded strictly as UTF-8, the host lower-cased, query parameters as
 * {@code parse_qsl} gives them (blank values dropped, the last of repeated names kept); plain paths, opaque
 * {@code jdbc:} URLs and {@code ;}-separated sentinel lists.
 *
 * <p>Every problem is collected and reported together in one {@link InvalidUrlException} whose URL is masked
 * by {@link UrlMasking#maskUnparsed(String)}; no problem quotes text that may hold a password
 * (see {@link #shown(String)}). Stateless and thread-safe.
 */
final class UrlParser {

    private UrlParser() {
    }

    /**
     * Parses a URL (see {@link BackendUrl#parse(String)}).
     *
     * @param url the URL text; surrounding whitespace is ignored
     * @return the parsed URL
     * @throws InvalidUrlException listing every problem found, with the password masked
     */
    static BackendUrl parse(String url) {
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
                throw new InvalidUrlException(UrlMasking.maskUnparsed(text), problems);
            }
            BackendUrl first = parsed.get(0);
            List<BackendUrl> all = List.copyOf(parsed);
            return new BackendUrl(text, first.scheme(), first.user(), first.password(), first.host(), first.port(),
                    first.path(), first.query(), false, all);
        }
        return parseSingle(text);
    }

    private static BackendUrl parseSingle(String text) {
        List<String> problems = new ArrayList<>();
        if (text.regionMatches(true, 0, "jdbc:", 0, 5)) {
            int colon = text.indexOf(':', 5);
            if (colon < 0) {
                throw new InvalidUrlException(UrlMasking.maskUnparsed(text), List.of("a JDBC URL needs a sub-protocol, as in jdbc:postgresql://host/db"));
            }
            String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
            String sub = scheme.substring(5);
            if (sub.isEmpty() || !isSchemeChars(sub) || sub.indexOf('+') >= 0) {
                throw new InvalidUrlException(UrlMasking.maskUnparsed(text), List.of(
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
            int colon = text.indexOf(':');
            if (colon >= 2 && Character.isLetter(text.charAt(0)) && isSchemeChars(text.substring(0, colon))) {
                // "redis:/host:6379/0" is a URL with a slash missing, not a file path (a drive letter is one letter)
                String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
                String rest = text.substring(colon + 1);
                if (scheme.equals(BackendUrl.FILE_SCHEME) && rest.startsWith("/")) {
                    return parseHierarchical(text, scheme, rest, problems); // RFC 8089's file:/path
                }
                String fixed = scheme + "://" + rest.replaceFirst("^[/\\\\]+", "");
                int at = fixed.lastIndexOf('@');
                if (at >= 0) {
                    // never echo what may hold a password: the user info, and anything after a query mark
                    String after = fixed.substring(at + 1);
                    int q = indexOfAny(after, '?', '#');
                    fixed = scheme + "://**@" + (q < 0 ? after : after.substring(0, q));
                }
                problems.add("'" + text.substring(0, colon) + ":' is not followed by '//': a URL reads "
                        + UrlMasking.maskUnparsed(fixed) + " (a plain path has no scheme)");
                throw new InvalidUrlException(UrlMasking.maskUnparsed(text), problems);
            }
            // A plain path, as Celery's --statedb accepts.
            if (text.indexOf('\0') >= 0) {
                problems.add("a path cannot contain a NUL character");
            }
            failIfProblems(text, problems);
            return new BackendUrl(text, BackendUrl.FILE_SCHEME, null, null, null, -1, text, Map.of(), true, null);
        }
        String scheme = text.substring(0, sep);
        if (scheme.isEmpty() || !isSchemeChars(scheme)) {
            boolean mayHoldSecrets = scheme.indexOf(':') >= 0 || scheme.indexOf('@') >= 0;
            problems.add((mayHoldSecrets ? "the text before '://' is not a valid scheme"
                    : "the scheme '" + scheme + "' is not valid") + "; a scheme starts with a letter and holds only letters, digits, '+', '-' and '.'");
            throw new InvalidUrlException(UrlMasking.maskUnparsed(text), problems);
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
        if (path == null && scheme.equals(BackendUrl.FILE_SCHEME)) {
            problems.add("in a file:// URL '%' starts a percent escape: write Celery's placeholders as %25n, %25h, ..."
                    + " (and '%' as %25), or give a plain path, where %n works as in Celery's --statedb");
        }
        if (!problems.isEmpty()) {
            throw new InvalidUrlException(UrlMasking.maskUnparsed(text), problems);
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

    /** Whether a scheme starts with a letter and holds only letters, digits, {@code +}, {@code -} and {@code .}. */
    static boolean isSchemeChars(String s) {
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
            throw new InvalidUrlException(UrlMasking.maskUnparsed(text), problems);
        }
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
