package io.celeriac.monitor.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Checks credentials: HTTP basic auth, a bearer token ({@code Authorization: Bearer}), or the token in the
 * {@code celeriac_monitor_token} cookie set by the login form. Comparisons take constant time; nothing here logs.
 */
final class Auth {
    static final String COOKIE = "celeriac_monitor_token";

    private final byte[] user;
    private final byte[] password;
    private final byte[] token;

    Auth(String user, String password, String token) {
        this.user = user == null ? null : user.getBytes(StandardCharsets.UTF_8);
        this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean required() {
        return user != null || token != null;
    }

    boolean basic() {
        return user != null;
    }

    boolean tokenOnly() {
        return user == null && token != null;
    }

    /** @return whether the request carries valid credentials (or none are required) */
    boolean allows(Request r) {
        if (!required()) {
            return true;
        }
        String h = r.header("Authorization");
        if (h != null) {
            if (user != null && h.regionMatches(true, 0, "Basic ", 0, 6)) {
                byte[] decoded;
                try {
                    decoded = Base64.getDecoder().decode(h.substring(6).strip());
                } catch (IllegalArgumentException e) {
                    return false;
                }
                int colon = indexOf(decoded, (byte) ':');
                if (colon < 0) {
                    return false;
                }
                byte[] u = java.util.Arrays.copyOfRange(decoded, 0, colon);
                byte[] p = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
                boolean userOk = MessageDigest.isEqual(u, user);
                boolean passOk = MessageDigest.isEqual(p, password);
                return userOk & passOk;
            }
            if (token != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return tokenMatches(h.substring(7).strip());
            }
        }
        String cookies = r.header("Cookie");
        if (token != null && cookies != null) {
            for (String c : cookies.split(";")) {
                String s = c.strip();
                if (s.startsWith(COOKIE + "=") && tokenMatches(s.substring(COOKIE.length() + 1))) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean tokenMatches(String candidate) {
        return token != null && MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8), token);
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
