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
 * kombu (Celery's messaging library) doing the harness's broker work through its own code
 * ({@code kombu_reference.py}, written to a temporary directory and run with {@code /usr/bin/python3}), for the
 * "× Celery / kombu" column of the broker rows. Each call is a child process with a timeout, stopped by its own
 * handle.
 */
final class KombuReference {

    private final Path script;

    private KombuReference(Path script) {
        this.script = script;
    }

    /**
     * Writes the script when {@code /usr/bin/python3 -c 'import kombu'} works.
     *
     * @param dir where to write it
     * @return the reference, or {@code null} when kombu is missing
     */
    static KombuReference find(Path dir) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(CeleryReference.PYTHON, "-c", "import kombu").redirectErrorStream(true).start();
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
        Path script = dir.resolve("kombu_reference.py");
        try (InputStream in = KombuReference.class.getResourceAsStream("kombu_reference.py")) {
            if (in == null) {
                throw new IOException("kombu_reference.py is missing from the class path");
            }
            Files.write(script, in.readAllBytes());
        }
        return new KombuReference(script);
    }

    /**
     * Publishes for {@code seconds}, drains with ack, and (when {@code confirm}) publishes again waiting for each
     * confirm, on one queue; see the script.
     *
     * @param url the broker URL as kombu reads it
     * @param queue a queue of the caller's own, which the caller deletes afterwards
     * @param body the task message's body
     * @param keyPrefix Redis's {@code global_keyprefix}, {@code ""} for none
     * @return messages/s: {@code publish}, {@code consume} and, when {@code confirm}, {@code publish_confirm}
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> broker(String url, String queue, double seconds, String body, String keyPrefix, boolean confirm)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CeleryReference.PYTHON, script.toString(), "broker", queue,
                Double.toString(seconds), body, keyPrefix, confirm ? "1" : "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("BENCH_BROKER_URL", url); // never on the command line: it may hold a password
        String out = Yardsticks.run(pb, (long) (seconds * 5) + 120).strip();
        String last = out.substring(out.lastIndexOf('\n') + 1);
        return (Map<String, Object>) CeleryJson.decode(last);
    }
}
