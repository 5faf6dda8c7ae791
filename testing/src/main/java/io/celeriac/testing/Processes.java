package io.celeriac.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the installed programs the test helpers drive, and removes the directories they leave. */
final class Processes {

    private Processes() {
    }

    /**
     * Runs a command and waits for it, bounded in time.
     *
     * @param command the program and its arguments
     * @param workDir its working directory, or {@code null} for this JVM's
     * @param timeout how long it may take; past that it is killed
     * @return what it printed (standard output and error together)
     * @throws IllegalStateException when it fails or times out, with what it printed
     */
    static String run(List<String> command, Path workDir, Duration timeout) {
        try {
            Path out = Files.createTempFile("celeriac-cmd-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
                if (workDir != null) {
                    pb.directory(workDir.toFile());
                }
                Process p = pb.start();
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

    /**
     * Deletes a directory and everything in it, as far as it can (best effort: a test's clean-up).
     *
     * @param dir the directory; nothing happens when it does not exist
     */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
