package io.celeriac.benchmarks.micro;

import io.celeriac.benchmarks.SyntheticEvents;
import io.celeriac.events.Event;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.state.internal.MemoryEventState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Event application in {@link MemoryEventState} with Celery's default limits: the first {@value #EVENTS}
 * events of the synthetic stream ({@link SyntheticEvents}) applied to a fresh state; the score is per event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class EventStateBenchmark {

    static final int EVENTS = 100_000;

    private List<Event> events;

    /** Generates the stream once. */
    @Setup
    public void setUp() {
        events = SyntheticEvents.generate(42).subList(0, EVENTS);
    }

    /** @return the state after the events (closed) */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long apply() {
        try (MemoryEventState state = new MemoryEventState(EventStateOptions.defaults())) {
            for (Event e : events) {
                state.event(e);
            }
            return state.eventCount();
        }
    }
}
