package io.celeriac.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, which the test may crash and restart: a fresh cluster made with the
 * installed {@code initdb} (under {@code /usr/lib/postgresql/<version>/bin}, or {@code $CELERIAC_PG_BIN}) in
 * a temporary directory, listening on a free loopback port, with trust authentication for the user
 * {@code postgres}. PostgreSQL refuses to run as root, so when the JVM runs as root the directory is given
 * to the {@code postgres} user and every binary runs through {@code runuser -u postgres}.
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
     * Creates a cluster and starts it.
     *
     * @param settings extra server settings, each {@code name=value} (passed as {@code -c name=value})
     * @return the running server; close it
     * @throws IllegalStateException when the binaries are missing or the server does not start
     */
    public static PrivatePostgres start(String... settings) {
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
                run(List.of("chown", OWNER + ":", dir.toString()), COMMAND_TIMEOUT);
            }
            pg.runAsOwner(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", OWNER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            StringBuilder conf = new StringBuilder()
                    .append("listen_addresses = '127.0.0.1'\n")
                    .append("port = ").append(pg.port).append('\n')
                    .append("unix_socket_directories = '").append(dir).append("'\n")
                    .append("fsync = off\n")
                    .append("full_page_writes = off\n")
                    .append("max_connections = 200\n")
                    .append("log_min_messages = warning\n")
                    .append("log_min_error_statement = error\n");
            for (String s : settings) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("a setting is name=value: " + s);
                }
                conf.append(s, 0, eq).append(" = '").append(s.substring(eq + 1).replace("'", "''")).append("'\n");
            }
            Path auto = pg.data.resolve("postgresql.auto.conf");
            Files.writeString(auto, Files.readString(auto) + conf, StandardCharsets.UTF_8);
            pg.startServer();
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
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

    private static String run(List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile("celeriac-pg-cmd-", ".out");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("timed out after " + timeout + ": " + command);
                }
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("exit " + p.exitValue() + " from " + command + ":\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    private String runAsOwner(List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (asOwner) {
            cmd.addAll(List.of("runuser", "-u", OWNER, "--"));
        }
        cmd.addAll(command);
        return run(cmd, COMMAND_TIMEOUT);
    }

    private String pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
        cmd.addAll(List.of(args));
        return runAsOwner(cmd);
    }

    private void startServer() {
        Path log = dir.resolve("server-" + (++starts) + ".log");
        pgCtl("-l", log.toString(), "-w", "-t", "120", "start");
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
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
