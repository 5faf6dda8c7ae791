package io.celeriac.testing;

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

/**
 * A child JVM running a test main on this JVM's class path, for tests that kill a process at a chosen point
 * (crash recovery, file locks held by another process). Its standard output is read on a thread and kept as
 * complete lines only (a line cut short by a kill is not a line); its standard error goes to a temporary
 * file. It is stopped by its own pid: {@link #kill()} is {@code Process.destroyForcibly()}, SIGKILL on Linux.
 */
public final class ChildJvm implements AutoCloseable {

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

    /**
     * Starts {@code main} in a new JVM under a command prefix (such as {@code bash -c 'ulimit -f 64; exec "$@"'}).
     *
     * @param prefix the command words before {@code java}
     * @param main the class whose {@code main} runs
     * @param args its arguments
     * @return the running child
     * @throws IOException when the JVM cannot be started
     */
    public static ChildJvm start(List<String> prefix, Class<?> main, String... args) throws IOException {
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

    /**
     * Starts {@code main} in a new JVM.
     *
     * @param main the class whose {@code main} runs
     * @param args its arguments
     * @return the running child
     * @throws IOException when the JVM cannot be started
     */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        return start(List.of(), main, args);
    }

    /** @return the child's pid */
    public long pid() {
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

    /** @return the complete lines printed so far */
    public List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /**
     * Waits until a printed line matches, failing at once when the child exited without printing one.
     *
     * @param matches the line wanted
     * @param atMost how long to wait
     * @return the first matching line
     * @throws AssertionError when no line matched in time or the child exited first (its stderr is included)
     */
    public String awaitLine(Predicate<String> matches, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            boolean ended = !process.isAlive() && !reader.isAlive(); // read before the lines: all of them are in
            for (String l : lines()) {
                if (matches.test(l)) {
                    return l;
                }
            }
            if (ended) {
                throw new AssertionError("the child exited without printing the line waited for; stderr:\n" + stderr());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no line printed by the child matched within " + atMost + "; stderr:\n" + stderr());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the child", e);
            }
        }
    }

    /**
     * SIGKILLs the child and waits until it is gone and its output is read to the end.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Sends SIGTERM (a normal termination: the child's shutdown hooks run). */
    public void terminate() {
        process.destroy();
    }

    /**
     * Closes the child's standard input (it reads EOF).
     *
     * @throws IOException when the pipe cannot be closed
     */
    public void closeStdin() throws IOException {
        OutputStream out = process.getOutputStream();
        out.close();
    }

    /**
     * Waits for a normal exit.
     *
     * @param atMost how long to wait
     * @return the exit code
     * @throws InterruptedException when interrupted while waiting
     */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child JVM did not exit within " + atMost + "; stderr:\n" + stderr());
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        return process.exitValue();
    }

    /** @return what the child printed on standard error so far */
    public String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** Kills the child if it still runs and deletes its standard error file. */
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
