package io.celeriac.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * A PostgreSQL server for tests, from {@link TestServices#postgres()}. Tests isolate themselves with a
 * fresh schema ({@link #createSchema()}) or, when a peer such as Python Celery needs its own tables in
 * {@code public}, a fresh database ({@link #createDatabase()}); both are dropped after.
 */
public final class PostgresTestServer {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;
    private final ServiceResolver.Source source;

    PostgresTestServer(String host, int port, String user, String password, String database, ServiceResolver.Source source) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.source = source;
    }

    static PostgresTestServer fromUrl(String url, ServiceResolver.Source source) {
        String u = url.startsWith("jdbc:") ? url.substring(5) : url;
        if (u.startsWith("db+")) {
            u = u.substring(3);
        }
        int plus = u.indexOf('+');
        int sep = u.indexOf("://");
        if (plus >= 0 && plus < sep) {
            u = u.substring(0, plus) + u.substring(sep);
        }
        URI uri = URI.create(u);
        String user = "postgres";
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new PostgresTestServer(uri.getHost() == null ? "127.0.0.1" : uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                user, password, db, source);
    }

    /** @return the host */
    public String host() {
        return host;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the user */
    public String user() {
        return user;
    }

    /** @return the password, or {@code null} */
    public String password() {
        return password;
    }

    /** @return the database tests connect to by default */
    public String database() {
        return database;
    }

    /** @return where the server came from */
    public ServiceResolver.Source source() {
        return source;
    }

    /**
     * A JDBC URL of a database on this server (credentials are passed separately).
     *
     * @param db the database
     * @return the URL
     */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    /**
     * Celery's URL of a database on this server, with credentials: {@code db+postgresql://user[:pw]@host:port/db}.
     *
     * @param db the database
     * @return the URL
     */
    public String celeryUrl(String db) {
        StringBuilder sb = new StringBuilder("db+postgresql://").append(enc(user));
        if (password != null) {
            sb.append(':').append(enc(password));
        }
        return sb.append('@').append(host).append(':').append(port).append('/').append(db).toString();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Opens a JDBC connection.
     *
     * @param db the database
     * @return the connection; close it
     * @throws SQLException when the server refuses
     */
    public Connection connect(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(db), p);
    }

    /**
     * Creates a fresh schema in the default database.
     *
     * @return its name ({@code celeriac_test_<random>})
     */
    public String createSchema() {
        String name = "celeriac_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec(database, "CREATE SCHEMA " + name);
        return name;
    }

    /**
     * Drops a schema and everything in it.
     *
     * @param name the schema
     */
    public void dropSchema(String name) {
        exec(database, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    /**
     * Creates a fresh database.
     *
     * @return its name ({@code celeriac_test_<random>})
     */
    public String createDatabase() {
        String name = "celeriac_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec(database, "CREATE DATABASE " + name);
        return name;
    }

    /**
     * Drops a database, disconnecting its sessions.
     *
     * @param name the database
     */
    public void dropDatabase(String name) {
        exec(database, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private void exec(String db, String sql) {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test PostgreSQL at " + host + ":" + port + " refused: " + sql + ": " + e.getMessage(), e);
        }
    }
}
