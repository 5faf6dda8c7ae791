package io.celeriac.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of a test's own, which the test may stop and start again: {@code rabbitmq-server} (the
 * installed {@code /usr/lib/rabbitmq/bin} scripts) run with its own {@code RABBITMQ_NODENAME}
 * ({@code celeriac-test-<random>@localhost}), free node and distribution ports, its own mnesia, log, config,
 * enabled-plugins and env files in a temporary directory (no plugin, so no management listener), and its own
 * {@code HOME}, so its Erlang cookie is its own too: {@code rabbitmqctl} can reach only this node, never the
 * machine's shared one.
 *
 * <p>It is stopped only by {@code rabbitmqctl -n <its node> stop} (and, if that fails, by the pid of the process
 * this helper started). {@link #stop()} keeps the data, {@link #start()} boots it again on the same port. Every
 * step is bounded in time (a boot takes a few seconds). Not thread-safe: one test drives it.
 */
public final class PrivateRabbitMq implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final Duration BOOT = Duration.ofSeconds(90);

    private final Path dir;
    private final String node;
    private final int port;
    private final int distPort;
    private Process process;
    private int starts;

    private PrivateRabbitMq(Path dir, String node, int port, int distPort) {
        this.dir = dir;
        this.node = node;
        this.port = port;
        this.distPort = distPort;
    }

    /**
     * Whether the RabbitMQ server scripts are installed here.
     *
     * @return {@code true} when {@code rabbitmq-server} and {@code rabbitmqctl} were found
     */
    public static boolean available() {
        return Files.isExecutable(BIN.resolve("rabbitmq-server")) && Files.isExecutable(BIN.resolve("rabbitmqctl"));
    }

    /**
     * Creates the node's directory and boots it.
     *
     * @return the running node; close it
     * @throws IllegalStateException when the scripts are missing or the node does not boot in time
     */
    public static PrivateRabbitMq start() {
        if (!available()) {
            throw new IllegalStateException("no RabbitMQ server scripts under " + BIN + "; install rabbitmq-server");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("celeriac-rabbit-");
            Files.writeString(dir.resolve("rabbitmq.conf"), "", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("enabled_plugins"), "[].\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("rabbitmq-env.conf"), "", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String node = "celeriac-test-" + UUID.randomUUID().toString().substring(0, 12) + "@localhost";
        PrivateRabbitMq r = new PrivateRabbitMq(dir, node, freePort(), freePort());
        try {
            r.boot();
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Boots the node again (after {@link #stop()}) on the same port, with the same data.
     *
     * @throws IllegalStateException when it does not boot in time
     */
    public void restart() {
        if (isRunning()) {
            stop();
        }
        boot();
    }

    private void boot() {
        Path log = dir.resolve("server-" + (++starts) + ".log");
        ProcessBuilder pb = new ProcessBuilder(BIN.resolve("rabbitmq-server").toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_"));
        env.put("HOME", dir.toString());
        env.put("RABBITMQ_NODENAME", node);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_PID_FILE", pidFile().toString());
        try {
            Files.deleteIfExists(pidFile());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ctl(BOOT, "wait", pidFile().toString(), "--timeout", Long.toString(BOOT.toSeconds()));
        } catch (IllegalStateException e) {
            throw new IllegalStateException("the private RabbitMQ node " + node + " did not boot: " + e.getMessage()
                    + "\nserver output:\n" + readQuietly(log), e);
        }
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (!RabbitTestServer.answers("127.0.0.1", port)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the private RabbitMQ node " + node + " does not answer on port " + port);
            }
            pause(50);
        }
    }

    /**
     * Stops the node with {@code rabbitmqctl -n <node> stop} (the data stays); if that fails, its process is killed.
     */
    public void stop() {
        try {
            ctl(Duration.ofSeconds(60), "stop", pidFile().toString());
        } catch (IllegalStateException e) {
            killOwnProcess();
        }
        Process p = process;
        if (p != null) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    killOwnProcess();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (RabbitTestServer.answers("127.0.0.1", port) && System.nanoTime() < deadline) {
            pause(50);
        }
    }

    private void killOwnProcess() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the node's process runs.
     *
     * @return {@code true} while it is alive
     */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** @return the AMQP port (the same across restarts) */
    public int port() {
        return port;
    }

    /** @return the node name, {@code celeriac-test-<random>@localhost} */
    public String node() {
        return node;
    }

    /** @return the broker URL of its default virtual host, user guest */
    public String url() {
        return "amqp://guest:guest@127.0.0.1:" + port + "//";
    }

    /**
     * Runs {@code rabbitmqctl -n <node> <args>} against this node.
     *
     * @param args the command and its arguments, e.g. {@code list_queues}
     * @return what it printed
     */
    public String rabbitmqctl(String... args) {
        return ctl(Duration.ofSeconds(60), args);
    }

    private String ctl(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-u", "RABBITMQ_NODENAME", "HOME=" + dir,
                "RABBITMQ_CONF_ENV_FILE=" + dir.resolve("rabbitmq-env.conf"),
                BIN.resolve("rabbitmqctl").toString(), "-n", node));
        cmd.addAll(List.of(args));
        return Processes.run(cmd, dir, timeout);
    }

    private Path pidFile() {
        return dir.resolve("node.pid");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the node and deletes its directory. */
    @Override
    public void close() {
        try {
            if (isRunning()) {
                stop();
            }
        } finally {
            killOwnProcess();
            Processes.deleteTree(dir);
        }
    }
}
