package io.celeriac.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs real Python Celery for interop tests: Debian's {@code python3-celery} under {@code /usr/bin/python3}
 * (never the {@code python3} on PATH). Scripts run as child processes with a timeout and are stopped by
 * their own pid, never by name.
 *
 * <p>When Python Celery is missing, the calling test fails under {@code CI=true} and is skipped elsewhere,
 * with a message saying how to install it.
 */
public final class PythonCelery {

    /** The interpreter every interop test uses. */
    public static final String PYTHON = "/usr/bin/python3";
    private static final String INSTALL = "apt-get install -y python3-celery python3-redis python3-sqlalchemy python3-psycopg2";
    private static Boolean available;

    private PythonCelery() {
    }

    /**
     * Whether {@code /usr/bin/python3 -c 'import celery, redis, sqlalchemy, psycopg2'} works.
     *
     * @return {@code true} when Python Celery can be driven
     */
    public static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import celery, redis, sqlalchemy, psycopg2")
                        .redirectErrorStream(true).start();
                boolean done = p.waitFor(30, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly();
                }
                available = done && p.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
        }
        return available;
    }

    /**
     * Fails (under {@code CI=true}) or skips the calling test when Python Celery is missing.
     */
    public static void assumeAvailable() {
        if (available()) {
            return;
        }
        String message = "Python Celery is not installed under " + PYTHON + "; install it with: " + INSTALL;
        if ("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip())) {
            throw new AssertionError(message + " (CI=true, so this is a failure)");
        }
        Assumptions.abort(message);
    }

    /**
     * What a script printed and how it ended.
     *
     * @param exitCode the exit code
     * @param stdout standard output
     * @param stderr standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {
        /**
         * Throws unless the exit code is 0.
         *
         * @return this result
         * @throws AssertionError with the script's output
         */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("python exited with " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr);
            }
            return this;
        }

        /** @return the non-empty lines of standard output */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            for (String l : stdout.split("\n")) {
                if (!l.isBlank()) {
                    out.add(l);
                }
            }
            return out;
        }
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
    public static Result run(String script, Duration timeout, Map<String, String> env, String... args) {
        assumeAvailable();
        Path file = writeScript(script);
        try {
            Process p = start(file, env, args);
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
                    throw new AssertionError("python did not finish within " + timeout + "\n--- stdout ---\n" + stdout
                            + "\n--- stderr ---\n" + stderr);
                }
                return new Result(p.exitValue(), stdout, stderr);
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
    public static Process startBackground(String script, Path log, Map<String, String> env, Path workDir, String... args) {
        assumeAvailable();
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        if (script != null) {
            cmd.add(writeScript(script).toString());
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
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

    private static Process start(Path file, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        cmd.add(file.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb.start();
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

    /**
     * Reads a script shipped as a class-path resource.
     *
     * @param owner a class next to the resource
     * @param name the resource name
     * @return the script's text
     */
    public static String resource(Class<?> owner, String name) {
        try (var in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + owner.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
