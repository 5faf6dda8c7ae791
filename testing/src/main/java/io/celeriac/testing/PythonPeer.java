package io.celeriac.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real Python Celery of one version for interop tests: {@link CeleryVersion#V5_2} is the machine's
 * {@code /usr/bin/python3} (never the {@code python3} on PATH); 5.5 and 5.6 run the same interpreter path inside a
 * Debian root from {@link CeleryRoots}. Scripts, SQLite files and working folders under {@code /tmp} (and the
 * test's working folder) are at the same paths inside and outside a root, so a test passes paths unchanged.
 * Processes are stopped by their own pid, never by name.
 *
 * <p>When a version is not available (Python Celery not installed; a root that cannot be built), the calling test
 * fails under {@code CI=true} and is skipped elsewhere, with a message saying why and how to fix it.
 */
public final class PythonPeer {

    /** The interpreter path, outside and inside a root. */
    public static final String PYTHON = "/usr/bin/python3";
    private static final String INSTALL = "apt-get install -y python3-celery python3-redis python3-sqlalchemy "
            + "python3-psycopg2 python3-amqp";
    private static final Map<CeleryVersion, PythonPeer> PEERS = new EnumMap<>(CeleryVersion.class);

    private final CeleryVersion version;
    private String unavailable;
    private boolean checked;

    private PythonPeer(CeleryVersion version) {
        this.version = version;
    }

    /**
     * The peer of a version (one per JVM).
     *
     * @param version the version
     * @return the peer
     */
    public static synchronized PythonPeer of(CeleryVersion version) {
        return PEERS.computeIfAbsent(version, PythonPeer::new);
    }

    /** @return the machine's own Celery 5.2 */
    public static PythonPeer system() {
        return of(CeleryVersion.V5_2);
    }

    /** @return the version this peer runs */
    public CeleryVersion version() {
        return version;
    }

    /**
     * Whether this version can run here; for a chrooted version the first call builds its root (about a minute).
     *
     * @return {@code true} when scripts can run
     */
    public synchronized boolean available() {
        if (!checked) {
            checked = true;
            unavailable = check();
        }
        return unavailable == null;
    }

    private String check() {
        if (version.isChrooted()) {
            try {
                CeleryRoots.root(version);
                return null;
            } catch (CeleryRoots.RootUnavailableException e) {
                return e.getMessage();
            }
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import celery, redis, sqlalchemy, psycopg2")
                    .redirectErrorStream(true).start();
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            return done && p.exitValue() == 0 ? null
                    : "Python Celery is not installed under " + PYTHON + "; install it with: " + INSTALL;
        } catch (IOException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage() + "; install Python Celery with: " + INSTALL;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking for Python Celery";
        }
    }

    /**
     * Fails (under {@code CI=true}) or skips the calling test when this version cannot run.
     */
    public void assumeAvailable() {
        if (available()) {
            return;
        }
        if ("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip())) {
            throw new AssertionError(unavailable + " (CI=true, so this is a failure)");
        }
        Assumptions.abort(unavailable);
    }

    /**
     * The command line that runs the interpreter with arguments in this version.
     *
     * @param workDir the working folder, or {@code null}
     * @param args the interpreter's arguments
     * @return the command
     */
    public List<String> command(Path workDir, List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (version.isChrooted()) {
            Path root = CeleryRoots.root(version);
            Set<String> mounts = new LinkedHashSet<>();
            mounts.add("/tmp");
            mounts.add(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString());
            mounts.add(Path.of(System.getProperty("user.dir")).toAbsolutePath().toString());
            if (workDir != null) {
                mounts.add(workDir.toAbsolutePath().toString());
            }
            cmd.addAll(List.of("/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh",
                    CeleryRoots.launcher().toString(), root.toString(),
                    workDir == null ? "/" : workDir.toAbsolutePath().toString(), String.join(":", mounts)));
        }
        cmd.add(PYTHON);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs a Python script to completion.
     *
     * @param script the script's text
     * @param timeout how long it may run; it is killed (by its pid) after that
     * @param env extra environment variables
     * @param args command-line arguments
     * @return what it printed
     */
    public PythonCelery.Result run(String script, Duration timeout, Map<String, String> env, String... args) {
        assumeAvailable();
        Path file = writeScript(script);
        try {
            List<String> a = new ArrayList<>();
            a.add(file.toString());
            a.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command(null, a));
            pb.environment().putAll(env);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process p = pb.start();
            Path out = Files.createTempFile("celeriac-py-out", ".txt");
            Path err = Files.createTempFile("celeriac-py-err", ".txt");
            try {
                // Read both streams fully on threads so a chatty script never blocks on a full pipe.
                Thread o = pump(p.getInputStream(), out);
                Thread e = pump(p.getErrorStream(), err);
                boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done) {
                    stop(p);
                }
                o.join(5000);
                e.join(5000);
                String stdout = Files.readString(out, StandardCharsets.UTF_8);
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                if (!done) {
                    throw new AssertionError(version + ": python did not finish within " + timeout
                            + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr);
                }
                return new PythonCelery.Result(p.exitValue(), stdout, stderr);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while python ran", e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * Starts a long-running Python process (a worker, a waiter), with its output going to {@code log}.
     * Stop it with {@link #stop(Process)}.
     *
     * @param script the script's text, or {@code null} to run {@code args} as {@code python3 <args>} directly
     * @param log where standard output and error go
     * @param env extra environment variables
     * @param workDir the working directory
     * @param args command-line arguments
     * @return the process
     */
    public Process startBackground(String script, Path log, Map<String, String> env, Path workDir, String... args) {
        assumeAvailable();
        List<String> a = new ArrayList<>();
        if (script != null) {
            a.add(writeScript(script).toString());
        }
        a.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command(workDir, a)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops a process by its own pid: a polite termination, then a kill after 10 seconds.
     *
     * @param p the process
     */
    public static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Path writeScript(String script) {
        try {
            Path f = Files.createTempFile("celeriac-interop", ".py");
            Files.writeString(f, script, StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread pump(java.io.InputStream in, Path to) {
        Thread t = new Thread(() -> {
            try (in) {
                Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "python-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public String toString() {
        return version.toString();
    }
}
