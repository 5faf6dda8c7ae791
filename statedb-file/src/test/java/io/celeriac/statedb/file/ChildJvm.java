package io.celeriac.statedb.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A child JVM running a test main on this JVM's class path. Its standard output is read on a thread and
 * kept as complete lines only (a line cut short by a kill is not a line). It is stopped by its own pid:
 * {@link #kill()} is {@code Process.destroyForcibly()}, SIGKILL on Linux.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private final Path stderr;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readLines, "child-jvm-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code main} in a new JVM, optionally under a command prefix (such as {@code setpriv ...}). */
    static ChildJvm start(List<String> prefix, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("celeriac-child-", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        return new ChildJvm(p, err);
    }

    static ChildJvm start(Class<?> main, String... args) throws IOException {
        return start(List.of(), main, args);
    }

    long pid() {
        return process.pid();
    }

    private void readLines() {
        StringBuilder partial = new StringBuilder();
        try (InputStream in = process.getInputStream()) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
                for (int i = 0; i < chunk.length(); i++) {
                    char c = chunk.charAt(i);
                    if (c == '\n') {
                        synchronized (lines) {
                            lines.add(partial.toString());
                        }
                        partial.setLength(0);
                    } else {
                        partial.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The complete lines printed so far. */
    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Waits until a printed line matches. */
    String awaitLine(Predicate<String> matches, Duration atMost) {
        String[] found = new String[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(5)).failFast(() -> !process.isAlive() && !reader.isAlive()
                && lines().stream().noneMatch(matches)).until(() -> {
                    for (String l : lines()) {
                        if (matches.test(l)) {
                            found[0] = l;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** SIGKILLs the child and waits until it is gone and its output is read to the end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Sends SIGTERM (a normal termination: the child's shutdown hooks run). */
    void terminate() {
        process.destroy();
    }

    /** Closes the child's standard input (it reads EOF). */
    void closeStdin() throws IOException {
        OutputStream out = process.getOutputStream();
        out.close();
    }

    /** Waits for a normal exit and returns the exit code. */
    int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child JVM did not exit within " + atMost + "; stderr:\n" + stderr());
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        return process.exitValue();
    }

    String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(stderr);
    }
}
