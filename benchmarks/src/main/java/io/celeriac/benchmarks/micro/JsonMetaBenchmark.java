package io.celeriac.benchmarks.micro;

import io.celeriac.backend.TaskMeta;
import io.celeriac.json.CeleryJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Encoding and decoding of a result meta as Celery's JSON ({@link CeleryJson#encodeMeta},
 * {@link CeleryJson#decodeMeta}): a small scalar result and a nested one of about 1 KiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonMetaBenchmark {

    private static final String SMALL = "{\"status\": \"SUCCESS\", \"result\": 42, \"traceback\": null, \"children\": [], "
            + "\"date_done\": \"2026-11-21T15:00:00.123456\", \"task_id\": \"6c7a8f0e-2f1b-4d2a-9a63-3d3c1d2b4e5f\"}";

    private byte[] smallJson;
    private byte[] nestedJson;
    private TaskMeta small;
    private TaskMeta nested;

    /** Builds the metas and their JSON. */
    @Setup
    public void setUp() {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            items.append(i == 0 ? "" : ", ").append("{\"id\": ").append(i).append(", \"name\": \"item-").append(i)
                    .append("\", \"price\": ").append(i * 1.25).append(", \"tags\": [\"a\", \"b\"]}");
        }
        String nestedText = SMALL.replace("\"result\": 42", "\"result\": {\"items\": [" + items + "], \"total\": 237.5, \"ok\": true}");
        smallJson = SMALL.getBytes(StandardCharsets.UTF_8);
        nestedJson = nestedText.getBytes(StandardCharsets.UTF_8);
        small = CeleryJson.decodeMeta(smallJson);
        nested = CeleryJson.decodeMeta(nestedJson);
    }

    /** @return the small meta encoded */
    @Benchmark
    public byte[] encodeSmall() {
        return CeleryJson.encodeMeta(small);
    }

    /** @return the small meta decoded */
    @Benchmark
    public TaskMeta decodeSmall() {
        return CeleryJson.decodeMeta(smallJson);
    }

    /** @return the nested meta encoded */
    @Benchmark
    public byte[] encodeNested() {
        return CeleryJson.encodeMeta(nested);
    }

    /** @return the nested meta decoded */
    @Benchmark
    public TaskMeta decodeNested() {
        return CeleryJson.decodeMeta(nestedJson);
    }
}
