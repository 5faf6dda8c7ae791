package io.celeriac.benchmarks.micro;

import io.celeriac.backend.jdbc.backend.internal.pickle.PickleReader;
import io.celeriac.backend.jdbc.backend.internal.pickle.PickleWriter;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The database backend's pickle codec (protocol 4, as Celery's {@code PickleType} column writes it): a
 * scalar result and a nested one of about 1 KiB, each pickled and unpickled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickleBenchmark {

    private Object scalar;
    private Object nested;
    private byte[] scalarPickle;
    private byte[] nestedPickle;

    /** Builds the values and their pickles. */
    @Setup
    public void setUp() {
        scalar = "x".repeat(48);
        List<Object> items = new ArrayList<>();
        for (long i = 0; i < 20; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", i);
            item.put("name", "item-" + i);
            item.put("price", i * 1.25);
            item.put("tags", List.of("a", "b"));
            items.add(item);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("total", 237.5);
        m.put("ok", Boolean.TRUE);
        nested = m;
        scalarPickle = PickleWriter.dumps(scalar, 4);
        nestedPickle = PickleWriter.dumps(nested, 4);
    }

    /** @return the scalar pickled */
    @Benchmark
    public byte[] dumpsScalar() {
        return PickleWriter.dumps(scalar, 4);
    }

    /** @return the scalar unpickled */
    @Benchmark
    public Object loadsScalar() {
        return PickleReader.loads(scalarPickle);
    }

    /** @return the nested value pickled */
    @Benchmark
    public byte[] dumpsNested() {
        return PickleWriter.dumps(nested, 4);
    }

    /** @return the nested value unpickled */
    @Benchmark
    public Object loadsNested() {
        return PickleReader.loads(nestedPickle);
    }
}
