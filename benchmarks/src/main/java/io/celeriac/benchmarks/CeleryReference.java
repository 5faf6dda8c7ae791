package io.celeriac.benchmarks;

import io.celeriac.json.CeleryJson;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Python Celery doing the harness's operations through its own code ({@code celery_reference.py}, written to
 * a temporary directory and run with {@code /usr/bin/python3}), for the "× Celery" column. Each call is a
 * child process with a timeout, stopped by its own handle.
 */
final class CeleryReference {

    static final String PYTHON = "/usr/bin/python3";

    private final Path script;

    private CeleryReference(Path script) {
        this.script = script;
    }

    /**
     * Writes the script when {@code /usr/bin/python3 -c 'import celery'} works.
     *
     * @param dir where to write it
     * @return the reference, or {@code null} when Python Celery is missing
     */
    static CeleryReference find(Path dir) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import celery").redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            if (p.exitValue() != 0) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        Path script = dir.resolve("celery_reference.py");
        try (InputStream in = CeleryReference.class.getResourceAsStream("celery_reference.py")) {
            if (in == null) {
                throw new IOException("celery_reference.py is missing from the class path");
            }
            Files.write(script, in.readAllBytes());
        }
        try (InputStream in = CeleryReference.class.getResourceAsStream("benchproj.py")) {
            if (in == null) {
                throw new IOException("benchproj.py is missing from the class path");
            }
            Files.write(dir.resolve("benchproj.py"), in.readAllBytes());
        }
        return new CeleryReference(script);
    }

    /**
     * Runs one mode of the script.
     *
     * @param timeoutSeconds how long it may take
     * @param args the mode and its arguments
     * @return the JSON object it printed
     */
    Map<String, Object> run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        return run(timeoutSeconds, Map.of(), args);
    }

    /**
     * Runs one mode of the script with more environment variables (a broker URL, which may hold a password, never
     * goes on the command line).
     *
     * @param timeoutSeconds how long it may take
     * @param env the variables
     * @param args the mode and its arguments
     * @return the JSON object it printed
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> run(long timeoutSeconds, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        String out = Yardsticks.run(pb, timeoutSeconds).strip();
        String last = out.substring(out.lastIndexOf('\n') + 1);
        return (Map<String, Object>) CeleryJson.decode(last);
    }

    /**
     * Starts a Python Celery worker (prefork, 2 processes, Celery's default pool) serving {@code proj.add} on one
     * queue, with the broker and result backend given as {@code BENCH_BROKER_URL} / {@code BENCH_BACKEND_URL}.
     * Stop it with {@link Process#destroy()}.
     *
     * @param env the broker and backend URLs
     * @param queue the queue it consumes
     * @param log where its output goes
     * @return the worker process
     */
    Process startWorker(Map<String, String> env, String queue, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-m", "celery", "-A", "benchproj", "worker", "-Q", queue, "-c",
                "2", "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "warning")
                .directory(script.getParent().toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb.start();
    }
}
