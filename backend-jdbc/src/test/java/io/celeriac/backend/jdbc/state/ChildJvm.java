package io.celeriac.backend.jdbc.state;

import java.io.IOException;
import java.io.InputStream;
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
 * A child JVM running a test main on this JVM's class path (after statedb-file's helper of the same name).
 * Its standard output is read on a thread, complete lines only; its standard input is never read by the
 * child. It is stopped by its own pid ({@code Process.destroyForcibly()}).
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

    /** Starts {@code main} in a new JVM. */
    static ChildJvm start(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
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
        p.getOutputStream().close(); // the child never reads standard input
        return new ChildJvm(p, err);
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

    /** Waits until a printed line matches, failing fast when the child died without printing it. */
    String awaitLine(Predicate<String> matches, Duration atMost) {
        String[] found = new String[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(5))
                .failFast("the child exited; stderr: " + stderr(), () -> !process.isAlive() && !reader.isAlive()
                        && lines().stream().noneMatch(matches))
                .until(() -> {
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

    /** Waits for the exit and returns the exit code. */
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
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(stderr);
    }
}
