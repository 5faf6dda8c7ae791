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
        return start(env, queue, log, "prefork", 2, null, false);
    }

    /**
     * Starts a Python Celery worker of {@code benchproj.py} ({@code proj.add}, {@code bench.noop},
     * {@code bench.sleep10}) on one queue, without mingle and gossip, logging warnings only; its heartbeat stays on,
     * as the Java worker's does. Stop it with {@link #stop(Process)}.
     *
     * @param env the broker and backend URLs ({@code BENCH_BROKER_URL} / {@code BENCH_BACKEND_URL})
     * @param queue the queue it consumes
     * @param log where its output goes
     * @param pool {@code prefork}, {@code threads} or {@code solo}
     * @param concurrency the pool size ({@code -c})
     * @param nodename its node name ({@code -n}), or {@code null} for Celery's default
     * @return the worker process
     */
    Process startWorker(Map<String, String> env, String queue, Path log, String pool, int concurrency,
                        String nodename) throws IOException {
        return start(env, queue, log, pool, concurrency, nodename, true);
    }

    private Process start(Map<String, String> env, String queue, Path log, String pool, int concurrency,
                          String nodename, boolean heartbeat) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-m", "celery", "-A", "benchproj", "worker", "-Q", queue,
                "-P", pool, "-c", Integer.toString(concurrency), "--without-mingle", "--without-gossip"));
        if (!heartbeat) {
            cmd.add("--without-heartbeat");
        }
        cmd.addAll(List.of("-l", "warning"));
        if (nodename != null) {
            cmd.addAll(List.of("-n", nodename));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(script.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb.start();
    }

    /**
     * Stops a worker started here: a warm shutdown (SIGTERM) first; after 30 s it is killed, and so is any of its
     * own child processes (the prefork pool) still alive 5 s after it ended, by their process handles.
     *
     * @param worker the worker process
     */
    static void stop(Process worker) throws InterruptedException {
        List<ProcessHandle> children = worker.descendants().toList();
        worker.destroy();
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
            worker.destroyForcibly();
            worker.waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                child.destroyForcibly();
            }
        }
    }
}
