package io.celeriac.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A Redis server for tests, from {@link TestServices#redis()}. Tests isolate themselves with a fresh key
 * prefix ({@link #newKeyPrefix()}, removed with {@link #deleteKeys}) or, when a peer such as Python
 * Celery cannot use a prefix, a leased database number ({@link #leaseDatabase()}).
 */
public final class RedisTestServer {

    private static final String LEASE_PREFIX = "celeriac-test-lease:";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final ServiceResolver.Source source;

    RedisTestServer(String host, int port, String user, String password, ServiceResolver.Source source) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.source = source;
    }

    static RedisTestServer fromUrl(String url, ServiceResolver.Source source) {
        URI u = URI.create(url);
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            user = parts[0].isEmpty() ? null : URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        return new RedisTestServer(u.getHost() == null ? "127.0.0.1" : u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(),
                user, password, source);
    }

    /** @return the host */
    public String host() {
        return host;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the ACL user, or {@code null} */
    public String user() {
        return user;
    }

    /** @return the password, or {@code null} */
    public String password() {
        return password;
    }

    /** @return where the server came from */
    public ServiceResolver.Source source() {
        return source;
    }

    /**
     * The {@code redis://} URL of a database on this server, with credentials.
     *
     * @param db the database number
     * @return the URL
     */
    public String url(int db) {
        StringBuilder sb = new StringBuilder("redis://");
        if (password != null) {
            if (user != null) {
                sb.append(enc(user));
            }
            sb.append(':').append(enc(password)).append('@');
        }
        return sb.append(host).append(':').append(port).append('/').append(db).toString();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * A fresh key prefix ({@code celeriac-test-<random>:}) for a test to isolate its keys in database 0.
     *
     * @return the prefix
     */
    public String newKeyPrefix() {
        return "celeriac-test-" + UUID.randomUUID().toString().substring(0, 13) + ":";
    }

    /**
     * Opens a raw connection to a database, for tests that inspect keys.
     *
     * @param db the database
     * @return the connection; close it
     */
    public Resp connect(int db) {
        try {
            Resp r = new Resp(host, port, user, password, 5000);
            if (db != 0) {
                r.call("SELECT", Integer.toString(db));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the test Redis at " + host + ":" + port, e);
        }
    }

    /**
     * Deletes every key starting with {@code prefix} in database {@code db}.
     *
     * @param db the database
     * @param prefix the prefix (no glob characters)
     * @return how many keys were deleted
     */
    @SuppressWarnings("unchecked")
    public long deleteKeys(int db, String prefix) {
        long deleted = 0;
        try (Resp r = connect(db)) {
            String cursor = "0";
            do {
                List<Object> reply = (List<Object>) r.call("SCAN", cursor, "MATCH", escapeGlob(prefix) + "*", "COUNT", "1000");
                cursor = (String) reply.get(0);
                List<Object> keys = (List<Object>) reply.get(1);
                if (!keys.isEmpty()) {
                    String[] cmd = new String[keys.size() + 1];
                    cmd[0] = "DEL";
                    for (int i = 0; i < keys.size(); i++) {
                        cmd[i + 1] = (String) keys.get(i);
                    }
                    deleted += (Long) r.call(cmd);
                }
            } while (!"0".equals(cursor));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return deleted;
    }

    private static String escapeGlob(String s) {
        return s.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    /**
     * Leases a whole database (1 to 15) for a test whose peer cannot use a key prefix: the database is
     * emptied when leased and when the lease is closed. Leases are recorded in database 0 with an expiry,
     * so concurrent test runs never share one and a crashed run frees its lease after 30 minutes.
     *
     * @return the lease; close it
     * @throws IllegalStateException when every database is leased
     */
    public DatabaseLease leaseDatabase() {
        String token = UUID.randomUUID().toString();
        try (Resp r = connect(0)) {
            for (int db = 15; db >= 1; db--) {
                Object ok = r.call("SET", LEASE_PREFIX + db, token, "NX", "EX", "1800");
                if ("OK".equals(ok)) {
                    try (Resp target = connect(db)) {
                        target.call("FLUSHDB");
                    }
                    return new DatabaseLease(db, token);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("every test database (1-15) of the Redis at " + host + ":" + port + " is leased");
    }

    /** A leased database; closing it empties the database and frees the lease. */
    public final class DatabaseLease implements AutoCloseable {
        private final int db;
        private final String token;

        private DatabaseLease(int db, String token) {
            this.db = db;
            this.token = token;
        }

        /** @return the database number */
        public int db() {
            return db;
        }

        /** @return the database's {@code redis://} URL */
        public String url() {
            return RedisTestServer.this.url(db);
        }

        @Override
        public void close() {
            try (Resp r = connect(0)) {
                if (token.equals(r.call("GET", LEASE_PREFIX + db))) {
                    try (Resp target = connect(db)) {
                        target.call("FLUSHDB");
                    }
                    r.call("DEL", LEASE_PREFIX + db);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
