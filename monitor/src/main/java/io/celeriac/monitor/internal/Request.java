package io.celeriac.monitor.internal;

import com.sun.net.httpserver.HttpExchange;
import io.celeriac.json.CeleryJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP exchange with its parsed parameters (query string, and a form body on POST) and the monitor's
 * responses: JSON, text and files, always with the security headers (a strict Content-Security-Policy: no
 * inline script can run, whatever a page shows).
 */
final class Request {
    /** The largest request body read. */
    static final int MAX_BODY = 1 << 20;
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    final HttpExchange x;
    final String method;
    final String path;
    final Map<String, String> params = new LinkedHashMap<>();
    private byte[] body;

    Request(HttpExchange x) throws IOException {
        this.x = x;
        this.method = x.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
        this.path = x.getRequestURI().getRawPath() == null ? "/" : x.getRequestURI().getRawPath();
        parseForm(x.getRequestURI().getRawQuery());
        String type = x.getRequestHeaders().getFirst("Content-Type");
        if (method.equals("POST") && type != null && type.toLowerCase(java.util.Locale.ROOT)
                .startsWith("application/x-www-form-urlencoded")) {
            parseForm(new String(body(), StandardCharsets.UTF_8));
        }
    }

    private void parseForm(String raw) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.putIfAbsent(k, v);
        }
    }

    static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** The path after a prefix, percent-decoded. */
    String rest(String prefix) {
        return decode(path.substring(prefix.length()));
    }

    byte[] body() throws IOException {
        if (body == null) {
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                throw new HttpError(413, "the request body is larger than " + MAX_BODY + " bytes");
            }
        }
        return body;
    }

    String header(String name) {
        return x.getRequestHeaders().getFirst(name);
    }

    boolean flag(String name) {
        String v = params.get(name);
        return v != null && (v.isEmpty() || v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes"));
    }

    void securityHeaders() {
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().set("X-Frame-Options", "DENY");
        x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        x.getResponseHeaders().set("Content-Security-Policy", CSP);
    }

    void json(int status, Object value) throws IOException {
        send(status, "application/json; charset=UTF-8", CeleryJson.encode(value));
    }

    void text(int status, String text) throws IOException {
        send(status, "text/plain; charset=UTF-8", text.getBytes(StandardCharsets.UTF_8));
    }

    void send(int status, String contentType, byte[] bytes) throws IOException {
        securityHeaders();
        x.getResponseHeaders().set("Content-Type", contentType);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        if (method.equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            x.close();
            return;
        }
        x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    void redirect(String location) throws IOException {
        securityHeaders();
        x.getResponseHeaders().set("Location", location);
        x.sendResponseHeaders(303, -1);
        x.close();
    }

    /** An HTTP error answered as {@code {"error": message}}. */
    static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
