package io.celeriac.backend.redis;

import io.celeriac.tck.Tck;
import io.celeriac.testing.Resp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A redis-server (or sentinel) of a test's own, started from the installed binary on a free loopback port
 * in a temporary directory and stopped by its own pid, never by name. It can be killed and restarted on
 * the same port, keeping its directory (and so its append-only file). Public for the tests of the state
 * store's package.
 */
public final class PrivateRedis implements AutoCloseable {

    private static final String BINARY = "/usr/bin/redis-server";

    private final Path dir;
    private final int port;
    private final List<String> args;
    private final String readyLine;
    private Process process;
    private int starts;

    private PrivateRedis(Path dir, int port, List<String> args, String readyLine) {
        this.dir = dir;
        this.port = port;
        this.args = args;
        this.readyLine = readyLine;
    }

    /**
     * A free loopback port (bound and released, so a tiny race is possible).
     *
     * @return the port
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a plain server on a free port with no persistence.
     *
     * @param extra more arguments
     * @return the running server
     */
    public static PrivateRedis start(String... extra) {
        int port = freePort();
        List<String> a = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"));
        a.addAll(List.of(extra));
        return launch(port, a, "ready to accept connections");
    }

    /**
     * Starts a server with the given arguments; {@code port} is where it listens (or 0 for none).
     *
     * @param port the port the arguments use, for {@link #port()}
     * @param args every argument
     * @param readyLine a line of its log that tells it is ready
     * @return the running server
     */
    public static PrivateRedis launch(int port, List<String> args, String readyLine) {
        return launch(newDir(), port, args, readyLine);
    }

    private static Path newDir() {
        try {
            return Files.createTempDirectory("celeriac-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PrivateRedis launch(Path dir, int port, List<String> args, String readyLine) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--dir", dir.toString()));
        PrivateRedis r = new PrivateRedis(dir, port, List.copyOf(a), readyLine);
        r.startProcess();
        return r;
    }

    /**
     * Starts a sentinel monitoring {@code master} as {@code name}.
     *
     * @param masterPort the master's port
     * @param name the service name
     * @return the running sentinel
     */
    public static PrivateRedis sentinel(int masterPort, String name) {
        int port = freePort();
        Path dir = newDir();
        Path conf = dir.resolve("sentinel.conf");
        try {
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + name + " 127.0.0.1 "
                    + masterPort + " 1\nsentinel down-after-milliseconds " + name + " 5000\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return launch(dir, port, List.of(conf.toString(), "--sentinel"), "+monitor master " + name);
    }

    private void startProcess() {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY);
        cmd.addAll(args);
        Path log = dir.resolve("server-" + (++starts) + ".log");
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        Process p = process;
        try {
            await().atMost(Tck.timeout(Duration.ofSeconds(20))).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("redis-server exited with " + p.exitValue() + ":\n" + Files.readString(log));
                }
                return Files.readString(log).toLowerCase(java.util.Locale.ROOT).contains(readyLine.toLowerCase(java.util.Locale.ROOT));
            });
        } catch (RuntimeException e) {
            stopProcess(true);
            if (starts == 1) {
                close();
            }
            throw e;
        }
    }

    private void stopProcess(boolean forcibly) {
        Process p = process;
        if (p == null) {
            return;
        }
        if (forcibly) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Kills the server (SIGKILL, by its pid): no shutdown save, connections drop at once. */
    public void kill() {
        stopProcess(true);
    }

    /** Starts the server again with the same arguments, port and directory. */
    public void restart() {
        if (process != null) {
            stopProcess(false);
        }
        startProcess();
    }

    /** @return whether the process runs */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** @return the pid */
    public long pid() {
        return process.pid();
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the working directory */
    public Path dir() {
        return dir;
    }

    /**
     * The {@code redis://} URL of a database.
     *
     * @param db the database
     * @return the URL
     */
    public String url(int db) {
        return "redis://127.0.0.1:" + port + "/" + db;
    }

    /**
     * A raw connection for inspecting the server.
     *
     * @return the connection; close it
     */
    public Resp connect() {
        try {
            return new Resp("127.0.0.1", port, null, null, 5000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs one command on a fresh raw connection.
     *
     * @param command the command and arguments
     * @return the reply
     */
    public Object call(String... command) {
        try (Resp r = connect()) {
            return r.call(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopProcess(false);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
