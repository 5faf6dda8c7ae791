package io.celeriac.testing;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    public static final String PYTHON = PythonPeer.PYTHON;

    private PythonCelery() {
    }

    /**
     * Whether the machine's Python Celery (5.2) can be driven.
     *
     * @return {@code true} when Python Celery can be driven
     */
    public static boolean available() {
        return PythonPeer.system().available();
    }

    /**
     * Fails (under {@code CI=true}) or skips the calling test when Python Celery is missing.
     */
    public static void assumeAvailable() {
        PythonPeer.system().assumeAvailable();
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
     * Runs a Python script to completion on the machine's Celery 5.2 (see {@link PythonPeer#run}).
     *
     * @param script the script's text
     * @param timeout how long it may run; it is killed (by its pid) after that
     * @param env extra environment variables
     * @param args command-line arguments
     * @return what it printed
     */
    public static Result run(String script, Duration timeout, Map<String, String> env, String... args) {
        return PythonPeer.system().run(script, timeout, env, args);
    }

    /**
     * Starts a long-running Python process on the machine's Celery 5.2 (see {@link PythonPeer#startBackground}).
     *
     * @param script the script's text, or {@code null} to run {@code args} as {@code python3 <args>} directly
     * @param log where standard output and error go
     * @param env extra environment variables
     * @param workDir the working directory
     * @param args command-line arguments
     * @return the process
     */
    public static Process startBackground(String script, Path log, Map<String, String> env, Path workDir, String... args) {
        return PythonPeer.system().startBackground(script, log, env, workDir, args);
    }

    /**
     * Stops a process by its own pid: a polite termination, then a kill after 10 seconds.
     *
     * @param p the process
     */
    public static void stop(Process p) {
        PythonPeer.stop(p);
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
