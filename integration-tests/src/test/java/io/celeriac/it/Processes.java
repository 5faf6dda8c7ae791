package io.celeriac.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command as a child process with a timeout (stopped by its own pid), capturing its output. */
final class Processes {
    private Processes() {
    }

    record Result(int code, String out, String err) {
        Result ok() {
            if (code != 0) {
                throw new AssertionError("exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err);
            }
            return this;
        }
    }

    static Result run(Path workDir, Map<String, String> env, Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("celeriac-it-out", ".txt");
        Path err = Files.createTempFile("celeriac-it-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout + ": " + command + "\n" + Files.readString(out) + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
