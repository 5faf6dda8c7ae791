package io.celeriac.url;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Hides passwords in URLs: a parsed {@link BackendUrl} is masked exactly as kombu's {@code maybe_sanitize_url}
 * masks it, with Celery's {@code as_uri} trimming; text that may not parse is masked by a cruder rule that
 * errs on the side of hiding. Neither result ever holds the password, the query string or anything written
 * before an {@code @} that is not plainly a user name. Stateless and thread-safe.
 */
final class UrlMasking {

    private UrlMasking() {
    }

    /**
     * A parsed URL with its password masked (see {@link BackendUrl#masked()}).
     *
     * @param url the URL
     * @return the masked URL; never contains the password
     */
    static String masked(BackendUrl url) {
        List<BackendUrl> parts = url.parts();
        if (parts.size() > 1) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                if (i > 0) {
                    sb.append(';');
                }
                sb.append(maskedSingle(parts.get(i)));
            }
            return sb.toString();
        }
        return maskedSingle(url);
    }

    private static String maskedSingle(BackendUrl url) {
        String scheme = url.scheme();
        String user = url.user();
        String password = url.password();
        String host = url.host();
        int port = url.port();
        if (url.isOpaque()) {
            String path = url.path();
            // an opaque path has no credentials, but never show what precedes an '@' in case it holds some
            int at = path.lastIndexOf('@');
            String shown = at < 0 ? path : "**" + path.substring(at);
            if (scheme.equals(BackendUrl.FILE_SCHEME) && !url.unmaskedText().regionMatches(true, 0, "file:", 0, 5)) {
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
        String p = url.pathWithoutLeadingSlash();
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
     * Masks the password in URL text that may not parse, for use in error messages: in each
     * {@code ;}-separated part, everything between the first {@code :} after {@code ://} and the last
     * {@code @} becomes {@code **} (also when an unescaped {@code ?} or {@code #} comes before that {@code @}),
     * and the query string and fragment are dropped.
     *
     * @param text URL text, possibly malformed
     * @return the text with any password replaced by {@code **}
     */
    static String maskUnparsed(String text) {
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
            boolean structured = sep > 0 && UrlParser.isSchemeChars(chunk.substring(0, sep));
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
}
