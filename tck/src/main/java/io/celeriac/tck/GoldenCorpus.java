package io.celeriac.tck;

import io.celeriac.backend.GroupResult;
import io.celeriac.backend.TaskMeta;
import io.celeriac.json.CeleryJson;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Metas and groups written by a real Python Celery 5.2.6 (kombu 5.2.4), byte for byte: the examples
 * observed on Redis and a generated set covering every JSON type and edge (big integers, float
 * formatting, control characters, astral characters, children tuples, extended fields).
 */
public final class GoldenCorpus {
    private static final String BASE = "/io/celeriac/tck/golden/";

    private GoldenCorpus() {
    }

    /**
     * Every golden meta document, exactly as Celery stored it (one JSON document per entry).
     *
     * @return the documents
     */
    public static List<String> metaDocuments() {
        List<String> out = new ArrayList<>(lines("redis-metas.jsonl"));
        out.addAll(lines("celery-generated-metas.jsonl"));
        return out;
    }

    /**
     * Every golden meta, decoded.
     *
     * @return the metas
     */
    public static List<TaskMeta> metas() {
        List<TaskMeta> out = new ArrayList<>();
        for (String doc : metaDocuments()) {
            out.add(CeleryJson.decodeMeta(doc));
        }
        return out;
    }

    /**
     * Every golden saved-group document, exactly as Celery stored it.
     *
     * @return the documents
     */
    public static List<String> groupDocuments() {
        return lines("redis-groups.jsonl");
    }

    /**
     * Every golden group, decoded.
     *
     * @return the groups
     */
    public static List<GroupResult> groups() {
        List<GroupResult> out = new ArrayList<>();
        for (String doc : groupDocuments()) {
            out.add(CeleryJson.decodeGroup(doc.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static List<String> lines(String name) {
        try (InputStream in = GoldenCorpus.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("missing kit resource " + BASE + name);
            }
            List<String> out = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        out.add(line);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
