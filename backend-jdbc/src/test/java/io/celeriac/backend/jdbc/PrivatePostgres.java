package io.celeriac.backend.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own: {@code initdb} in a temporary directory, run as the {@code postgres}
 * user (PostgreSQL refuses root) on a free loopback port, with TLS on (the given certificate and key) and
 * the given {@code pg_hba.conf}; stopped with {@code pg_ctl stop}, which signals the cluster's own postmaster
 * pid. The superuser {@code postgres} connects over TCP from 127.0.0.1 without a password, for setup.
 */
final class PrivatePostgres implements AutoCloseable {

    private static final Path BIN = findBin();

    private final Path dir;
    private final Path data;
    private final int port;

    private PrivatePostgres(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    private static Path findBin() {
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under /usr/lib/postgresql"));
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL binaries under /usr/lib/postgresql", e);
        }
    }

    /**
     * Creates and starts a cluster.
     *
     * @param serverCert the server's certificate (PEM)
     * @param serverKey its unencrypted key (PEM)
     * @param hbaLines the lines of {@code pg_hba.conf} after the superuser's trusted ones
     * @return the running cluster
     */
    static PrivatePostgres start(Path serverCert, Path serverKey, List<String> hbaLines) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("celeriac-pg-");
        PrivatePostgres pg = new PrivatePostgres(dir, freePort());
        try {
            pg.init(serverCert, serverKey, hbaLines);
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    private void init(Path serverCert, Path serverKey, List<String> hbaLines) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        chownToPostgres(dir);
        run(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C"));
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Files.copy(serverCert, cert);
        Files.copy(serverKey, key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        chownToPostgres(cert);
        chownToPostgres(key);
        List<String> hba = new ArrayList<>(List.of(
                "local all all trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres 127.0.0.2/32 trust"));
        hba.addAll(hbaLines);
        Path hbaFile = data.resolve("pg_hba.conf");
        Files.write(hbaFile, hba, StandardCharsets.UTF_8);
        chownToPostgres(hbaFile);
        String options = String.join(" ", "-p", Integer.toString(port), "-k", dir.toString(),
                "-c", "listen_addresses=127.0.0.1,127.0.0.2", "-c", "ssl=on",
                "-c", "ssl_cert_file=" + cert, "-c", "ssl_key_file=" + key,
                "-c", "password_encryption=scram-sha-256", "-c", "fsync=off", "-c", "max_connections=40",
                "-c", "shared_buffers=16MB");
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "120", "-o", options, "start"));
    }

    private static void chownToPostgres(Path p) throws IOException {
        UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = users.lookupPrincipalByName("postgres");
        GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
        Files.setOwner(p, user);
        Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
    }

    /** Runs a command as the postgres user and waits for it; fails with its output when it fails. */
    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(command);
        Path out = Files.createTempFile("celeriac-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 180 s");
            }
            if (p.exitValue() != 0) {
                String log = Files.isRegularFile(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
                throw new IllegalStateException(String.join(" ", command) + " failed with " + p.exitValue() + ":\n"
                        + Files.readString(out) + "\n" + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the TCP port */
    int port() {
        return port;
    }

    /**
     * A superuser connection over TCP without TLS, for setup.
     *
     * @param database the database
     * @return the connection; close it
     */
    Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres&sslmode=disable");
    }

    /**
     * Runs statements as the superuser.
     *
     * @param database the database
     * @param statements the statements
     */
    void sql(String database, String... statements) throws SQLException {
        try (Connection c = superuser(database); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Override
    public void close() {
        try {
            if (Files.isRegularFile(data.resolve("postmaster.pid"))) {
                run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // best effort: the directory is removed below either way
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
