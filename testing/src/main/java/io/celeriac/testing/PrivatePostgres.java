package io.celeriac.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * A PostgreSQL server of a test's own, which the test may crash and restart: a fresh cluster made with the
 * installed {@code initdb} (under {@code /usr/lib/postgresql/<version>/bin}, or {@code $CELERIAC_PG_BIN}) in
 * a temporary directory, listening on a free loopback port, with trust authentication for the user
 * {@code postgres}. PostgreSQL refuses to run as root, so when the JVM runs as root the directory is given
 * to the {@code postgres} user and every binary runs through {@code runuser -u postgres}.
 * {@link #start(String...)} makes the default cluster; {@link #builder()} one with TLS, other listen
 * addresses or its own {@code pg_hba.conf} lines. {@link #superuser(String)} and {@link #sql(String, String...)}
 * set it up.
 *
 * <p>It is only ever stopped through {@code pg_ctl} on its own data directory (that is, by the pid in its
 * own {@code postmaster.pid}), never by name. {@link #crash()} is an immediate shutdown (every backend is
 * cut off at once, recovery runs on the next start, as after a crash); {@link #restart()} starts it again
 * on the same port with the same data. Not thread-safe: one test drives it.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final String OWNER = "postgres";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asOwner;
    private int starts;

    private PrivatePostgres(Path bin, Path dir, int port, boolean asOwner) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asOwner = asOwner;
    }

    /**
     * Whether the PostgreSQL server binaries are installed here.
     *
     * @return {@code true} when {@code initdb} and {@code pg_ctl} were found
     */
    public static boolean available() {
        return findBin() != null;
    }

    /**
     * Creates a cluster with the default configuration (listening on 127.0.0.1, trust for every user from
     * there, no TLS) and starts it.
     *
     * @param settings extra server settings, each {@code name=value} (written to {@code postgresql.auto.conf})
     * @return the running server; close it
     * @throws IllegalStateException when the binaries are missing or the server does not start
     */
    public static PrivatePostgres start(String... settings) {
        Builder b = builder();
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a setting is name=value: " + s);
            }
            b.setting(s.substring(0, eq), s.substring(eq + 1));
        }
        return b.start();
    }

    /**
     * A cluster with more than the defaults: other listen addresses, TLS, its own {@code pg_hba.conf}.
     *
     * @return a builder; {@link Builder#start()} makes and starts the cluster
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How a private cluster is made. Without {@link #hba(String...)} lines the {@code pg_hba.conf} that
     * {@code initdb -A trust} writes is kept (every user trusted from 127.0.0.1); with them the file is
     * replaced by: {@code local all all trust}, {@code host all postgres <address>/32 trust} for each listen
     * address (so the superuser helpers keep working), then the given lines in order.
     */
    public static final class Builder {

        private final List<String> listen = new ArrayList<>(List.of("127.0.0.1"));
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> hba = new ArrayList<>();
        private Path tlsCertificate;
        private Path tlsKey;

        private Builder() {
        }

        /**
         * The loopback addresses the server listens on (instead of just 127.0.0.1), e.g. 127.0.0.1 and
         * 127.0.0.2 to reach one server under two names.
         *
         * @param addresses IPv4 addresses (at least one)
         * @return this builder
         */
        public Builder listenAddresses(String... addresses) {
            if (addresses.length == 0) {
                throw new IllegalArgumentException("at least one listen address");
            }
            listen.clear();
            listen.addAll(List.of(addresses));
            return this;
        }

        /**
         * A server setting, written to {@code postgresql.auto.conf} after the defaults (so it overrides them).
         *
         * @param name the setting, e.g. {@code password_encryption}
         * @param value its value, unquoted
         * @return this builder
         */
        public Builder setting(String name, String value) {
            if (name.isBlank() || !name.matches("[A-Za-z0-9_.]+")) {
                throw new IllegalArgumentException("not a setting name: " + name);
            }
            settings.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Turns TLS on ({@code ssl = on}) with a certificate and key that are copied into the cluster's
         * directory, owned by the server's user, the key readable by it only (as PostgreSQL demands).
         *
         * @param certificate the server's certificate chain (PEM)
         * @param key its unencrypted private key (PEM)
         * @return this builder
         */
        public Builder tls(Path certificate, Path key) {
            this.tlsCertificate = Objects.requireNonNull(certificate, "certificate");
            this.tlsKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * Lines of {@code pg_hba.conf}, after the superuser's trusted ones (see {@link Builder}).
         *
         * @param lines the lines, e.g. {@code host all all 127.0.0.1/32 scram-sha-256}
         * @return this builder
         */
        public Builder hba(String... lines) {
            hba.addAll(List.of(lines));
            return this;
        }

        /**
         * Makes the cluster and starts it.
         *
         * @return the running server; close it
         * @throws IllegalStateException when the binaries are missing or the server does not start
         */
        public PrivatePostgres start() {
            return PrivatePostgres.create(this);
        }
    }

    private static PrivatePostgres create(Builder b) {
        Path bin = findBin();
        if (bin == null) {
            throw new IllegalStateException("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin;"
                    + " install postgresql or set CELERIAC_PG_BIN");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir;
        try {
            dir = Files.createTempDirectory("celeriac-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, freePort(), root);
        try {
            if (root) {
                pg.giveToOwner(dir);
            }
            pg.runAsOwner(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", OWNER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            Map<String, String> conf = new LinkedHashMap<>();
            conf.put("listen_addresses", String.join(",", b.listen));
            conf.put("port", Integer.toString(pg.port));
            conf.put("unix_socket_directories", dir.toString());
            conf.put("fsync", "off");
            conf.put("full_page_writes", "off");
            conf.put("max_connections", "200");
            conf.put("log_min_messages", "warning");
            conf.put("log_min_error_statement", "error");
            if (b.tlsCertificate != null) {
                conf.put("ssl", "on");
                conf.put("ssl_cert_file", pg.install(b.tlsCertificate, "server.crt", "rw-r--r--").toString());
                conf.put("ssl_key_file", pg.install(b.tlsKey, "server.key", "rw-------").toString());
            }
            conf.putAll(b.settings);
            StringBuilder text = new StringBuilder();
            conf.forEach((k, v) -> text.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
            Path auto = pg.data.resolve("postgresql.auto.conf");
            Files.writeString(auto, Files.readString(auto) + text, StandardCharsets.UTF_8);
            if (!b.hba.isEmpty()) {
                List<String> lines = new ArrayList<>(List.of("local all all trust"));
                for (String address : b.listen) {
                    lines.add("host all " + OWNER + " " + address + "/32 trust");
                }
                lines.addAll(b.hba);
                // the file initdb wrote keeps its owner and mode
                Files.write(pg.data.resolve("pg_hba.conf"), lines, StandardCharsets.UTF_8);
            }
            pg.startServer();
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Copies a file into the cluster's directory, for the server's user, with the given permissions. */
    private Path install(Path source, String name, String permissions) throws IOException {
        Path target = dir.resolve(name);
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
        if (asOwner) {
            giveToOwner(target);
        }
        return target;
    }

    private void giveToOwner(Path p) {
        Processes.run(List.of("chown", OWNER + ":", p.toString()), null, COMMAND_TIMEOUT);
    }

    private static Path findBin() {
        String env = System.getenv("CELERIAC_PG_BIN");
        if (env != null && Files.isExecutable(Path.of(env, "pg_ctl"))) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
            for (Path v : versions) {
                if (Files.isExecutable(v.resolve("bin/initdb")) && Files.isExecutable(v.resolve("bin/pg_ctl"))) {
                    found.add(v.resolve("bin"));
                }
            }
        } catch (IOException e) {
            return null;
        }
        // the newest version: compare the version directory names as numbers where they are
        found.sort(Comparator.comparingInt(p -> {
            try {
                return Integer.parseInt(p.getParent().getFileName().toString());
            } catch (NumberFormatException e) {
                return 0;
            }
        }));
        return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String runAsOwner(List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (asOwner) {
            cmd.addAll(List.of("runuser", "-u", OWNER, "--"));
        }
        cmd.addAll(command);
        return Processes.run(cmd, null, COMMAND_TIMEOUT);
    }

    private String pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
        cmd.addAll(List.of(args));
        return runAsOwner(cmd);
    }

    private void startServer() {
        Path log = dir.resolve("server-" + (++starts) + ".log");
        try {
            pgCtl("-l", log.toString(), "-w", "-t", "120", "start");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\nserver log:\n" + log(), e);
        }
    }

    /**
     * Starts the server again on the same port with the same data (after {@link #crash()} or {@link #stop()}).
     */
    public void restart() {
        if (isRunning()) {
            stop();
        }
        startServer();
    }

    /**
     * An immediate shutdown, as after a crash: every connection is cut off at once and nothing is flushed
     * or checkpointed; the next start recovers from the write-ahead log.
     */
    public void crash() {
        pgCtl("-m", "immediate", "-w", "-t", "60", "stop");
    }

    /** A fast, clean shutdown. */
    public void stop() {
        pgCtl("-m", "fast", "-w", "-t", "60", "stop");
    }

    /**
     * Whether the server runs.
     *
     * @return {@code true} while its postmaster is alive
     */
    public boolean isRunning() {
        long pid = pid();
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * The postmaster's pid, from its own {@code postmaster.pid}.
     *
     * @return the pid, or {@code -1} when it is not running
     */
    public long pid() {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** @return the port it listens on (the same across restarts) */
    public int port() {
        return port;
    }

    /**
     * The server as the other test helpers see it: user {@code postgres}, no password, database
     * {@code postgres}.
     *
     * @return the server
     */
    public PostgresTestServer server() {
        return new PostgresTestServer("127.0.0.1", port, OWNER, null, "postgres", ServiceResolver.Source.LOOPBACK);
    }

    /**
     * A connection as the superuser {@code postgres}, over TCP to 127.0.0.1 without TLS and without a
     * password, for a test's setup and checks.
     *
     * @param database the database
     * @return the connection; close it
     * @throws SQLException when the server refuses
     */
    public Connection superuser(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", OWNER);
        p.setProperty("sslmode", "disable");
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
    }

    /**
     * Runs statements in order as the superuser (see {@link #superuser(String)}), each in its own
     * transaction (so {@code CREATE DATABASE} works).
     *
     * @param database the database
     * @param statements the statements
     * @throws SQLException when one fails; the ones after it do not run
     */
    public void sql(String database, String... statements) throws SQLException {
        try (Connection c = superuser(database); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /**
     * Everything the server logged, across every start.
     *
     * @return the log text
     */
    public String log() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            try {
                sb.append(Files.readString(dir.resolve("server-" + i + ".log"), StandardCharsets.UTF_8));
            } catch (IOException e) {
                sb.append("(log ").append(i).append(" unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }

    /**
     * How many lines of the server's log contain a text (case-insensitive).
     *
     * @param text the text
     * @return the count
     */
    public long logLinesContaining(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return log().lines().filter(l -> l.toLowerCase(Locale.ROOT).contains(t)).count();
    }

    /** Stops the server (fast, else immediate) and deletes its directory. */
    @Override
    public void close() {
        try {
            if (isRunning()) {
                try {
                    stop();
                } catch (RuntimeException e) {
                    crash();
                }
            }
        } finally {
            Processes.deleteTree(dir);
        }
    }
}
