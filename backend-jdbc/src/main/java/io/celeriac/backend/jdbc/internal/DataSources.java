package io.celeriac.backend.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.celeriac.backend.jdbc.JdbcConnectionConfig;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the connection pools: HikariCP over the PostgreSQL JDBC driver (credentials passed as driver
 * properties, never in the JDBC URL) or over the xerial SQLite driver (WAL journal, busy timeout,
 * immediate transactions), and the PostgreSQL connection that listens for notifications.
 */
public final class DataSources {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private DataSources() {
    }

    /** The name prefix of every pool's threads. */
    public static final String POOL_PREFIX = "celeriac-jdbc-";

    /**
     * A connection pool for a database.
     *
     * @param s the connection settings
     * @return the pool, not yet connected (HikariCP connects on first use)
     */
    public static HikariDataSource pool(JdbcConnectionConfig s) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(POOL_PREFIX + POOLS.incrementAndGet());
        c.setMaximumPoolSize(s.poolSize());
        c.setMinimumIdle(Math.min(2, s.poolSize()));
        c.setConnectionTimeout(Math.max(250, s.connectTimeout().toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(5000, s.connectTimeout().toMillis())));
        c.setInitializationFailTimeout(1);
        c.setAutoCommit(true);
        c.setRegisterMbeans(false);
        if (s.database() == JdbcConnectionConfig.Database.POSTGRESQL) {
            c.setDriverClassName("org.postgresql.Driver");
            c.setJdbcUrl(s.jdbcUrl());
            postgresProperties(s, "celeriac").forEach((k, v) -> c.addDataSourceProperty((String) k, v));
        } else {
            c.setDataSource(sqlite(s));
            if (s.sqlitePath().isEmpty()) {
                c.setMaxLifetime(0);
                c.setIdleTimeout(0);
                c.setMinimumIdle(1);
            }
        }
        return new HikariDataSource(c);
    }

    /** The PostgreSQL driver's properties: credentials, pass-through parameters and celeriac's defaults. */
    private static Properties postgresProperties(JdbcConnectionConfig s, String applicationName) {
        Properties p = new Properties();
        if (s.user() != null) {
            p.setProperty("user", s.user());
        }
        s.password().ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", Long.toString(Math.max(1, (s.connectTimeout().toMillis() + 999) / 1000)));
        for (Map.Entry<String, String> e : s.driverProperties().entrySet()) {
            p.setProperty(e.getKey(), e.getValue());
        }
        return p;
    }

    /**
     * A PostgreSQL connection outside the pool, for LISTEN.
     *
     * @param s the connection settings
     * @return the connection, in auto-commit mode; the caller closes it
     * @throws SQLException when the database cannot be reached
     */
    public static Connection listenConnection(JdbcConnectionConfig s) throws SQLException {
        Properties p = postgresProperties(s, "celeriac-listener");
        Connection c = new org.postgresql.Driver().connect(s.jdbcUrl(), p);
        if (c == null) {
            throw new SQLException("the PostgreSQL driver does not accept the URL", "08001");
        }
        c.setAutoCommit(true);
        return c;
    }

    /**
     * A SQLite data source outside any pool (the connection that keeps an in-memory database alive).
     *
     * @param s the connection settings
     * @return the data source
     */
    public static SQLiteDataSource sqlite(JdbcConnectionConfig s) {
        Properties p = new Properties();
        p.putAll(s.driverProperties());
        boolean memory = s.sqlitePath().isEmpty();
        if (!memory) {
            p.putIfAbsent(SQLiteConfig.Pragma.JOURNAL_MODE.pragmaName, "WAL");
        }
        p.putIfAbsent(SQLiteConfig.Pragma.BUSY_TIMEOUT.pragmaName, Long.toString(s.busyTimeout().toMillis()));
        p.putIfAbsent(SQLiteConfig.Pragma.SYNCHRONOUS.pragmaName, s.synchronous().toUpperCase(Locale.ROOT));
        p.putIfAbsent(SQLiteConfig.Pragma.TRANSACTION_MODE.pragmaName, "IMMEDIATE");
        SQLiteConfig cfg = new SQLiteConfig(p);
        if (memory) {
            cfg.setSharedCache(true);
        }
        SQLiteDataSource ds = new BusyRetrying(cfg, s.busyTimeout());
        ds.setUrl(s.jdbcUrl());
        return ds;
    }

    /**
     * Opens SQLite connections and, when opening one fails with {@code SQLITE_BUSY}, tries again for up to the
     * busy timeout. Opening a connection runs the pragmas, and switching a new file to WAL needs the file's
     * exclusive lock: when several connections or processes open a new file at once, SQLite answers
     * {@code SQLITE_BUSY} at once rather than waiting in its busy handler.
     */
    private static final class BusyRetrying extends SQLiteDataSource {
        private static final long serialVersionUID = 1L;
        private final long busyNanos;

        BusyRetrying(SQLiteConfig config, java.time.Duration busyTimeout) {
            super(config);
            this.busyNanos = busyTimeout.toNanos();
        }

        @Override
        public org.sqlite.SQLiteConnection getConnection(String username, String password) throws SQLException {
            long deadline = System.nanoTime() + busyNanos;
            long pauseMillis = 1;
            while (true) {
                try {
                    return super.getConnection(username, password);
                } catch (org.sqlite.SQLiteException e) {
                    if (!isBusy(e) || System.nanoTime() - deadline >= 0) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while the SQLite file was locked by another connection", "08001", e);
                }
                pauseMillis = Math.min(50, pauseMillis * 2);
            }
        }

        private static boolean isBusy(org.sqlite.SQLiteException e) {
            org.sqlite.SQLiteErrorCode code = e.getResultCode();
            return code != null && (code == org.sqlite.SQLiteErrorCode.SQLITE_BUSY || code.name().startsWith("SQLITE_BUSY_"));
        }
    }
}
