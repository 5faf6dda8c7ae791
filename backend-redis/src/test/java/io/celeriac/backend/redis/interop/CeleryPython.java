package io.celeriac.backend.redis.interop;

import io.celeriac.json.CeleryJson;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.PythonPeer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code celery_interop.py} (a test resource) under one version of Python Celery and decodes what it prints. */
final class CeleryPython {

    static final String SCRIPT = PythonCelery.resource(CeleryPython.class, "celery_interop.py");

    private CeleryPython() {
    }

    /**
     * Runs one command to completion.
     *
     * @param peer the Python Celery to run it with
     * @param command the script's command
     * @param backendUrl Celery's result_backend
     * @param spec the command's input, encoded as JSON
     * @param broker the broker URL, or {@code null}
     * @return every line printed, decoded
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> run(PythonPeer peer, String command, String backendUrl, Object spec, String broker) {
        Path file = specFile(spec);
        try {
            List<String> args = new ArrayList<>(List.of(command, backendUrl, file.toString()));
            if (broker != null) {
                args.add(broker);
            }
            PythonCelery.Result r = peer.run(SCRIPT, Duration.ofSeconds(120), Map.of(), args.toArray(new String[0]))
                    .assertSuccess();
            List<Map<String, Object>> out = new ArrayList<>();
            for (String line : r.lines()) {
                out.add((Map<String, Object>) CeleryJson.decode(line));
            }
            return out;
        } finally {
            file.toFile().delete();
        }
    }

    static List<Map<String, Object>> run(PythonPeer peer, String command, String backendUrl, Object spec) {
        return run(peer, command, backendUrl, spec, null);
    }

    /**
     * Starts a command in the background, its output going to {@code log}; the script is written next to the
     * log, so give a log in a temporary directory.
     *
     * @return the process; stop it with {@link PythonPeer#stop}
     */
    static Process start(PythonPeer peer, String command, String backendUrl, Object spec, Path log) {
        Path file = specFile(spec);
        Path script = log.resolveSibling("celery_interop.py");
        try {
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.toFile().deleteOnExit();
        // the script lives next to the log (in the test's temporary directory), so nothing is left behind
        return peer.startBackground(null, log, Map.of("PYTHONDONTWRITEBYTECODE", "1"), null,
                script.toString(), command, backendUrl, file.toString());
    }

    private static Path specFile(Object spec) {
        try {
            Path f = Files.createTempFile("celeriac-interop-spec", ".json");
            Files.writeString(f, CeleryJson.encodeToString(spec), StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes the JSON lines of a background command's log. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> lines(Path log) {
        try {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("{")) {
                    out.add((Map<String, Object>) CeleryJson.decode(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
