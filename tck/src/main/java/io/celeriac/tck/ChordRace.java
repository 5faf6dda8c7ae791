package io.celeriac.tck;

import io.celeriac.backend.Backend;
import io.celeriac.backend.ChordCompletion;
import io.celeriac.backend.ChordPart;
import io.celeriac.backend.TaskState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * A chord completed by many threads at once while something goes wrong, for a plugin's fault tests: the
 * parts {@code part-0} ... of one chord (each part's result is its index, a {@code Long}) are reported from
 * a pool of threads, and once a fifth of them are reported the fault runs on the calling thread (a server
 * killed and restarted, connections cut). The caller counts the body's firings with its chord callback and
 * checks the {@link Outcome}. Not thread-safe: one race per call.
 */
public final class ChordRace {

    /** A fault to inject during the race. */
    @FunctionalInterface
    public interface Fault {
        /**
         * Injects the fault.
         *
         * @throws Exception when it cannot be injected
         */
        void inject() throws Exception;
    }

    /**
     * What a race saw.
     *
     * @param reportedBeforeFault how many parts were reported when the fault was over (fewer than all, or the
     *                            fault came too late to count)
     * @param reported how many parts were reported in the end (every part, once)
     * @param completions the completions returned to the reporting parts (exactly one is expected)
     * @param errors what reporting parts threw
     */
    public record Outcome(int reportedBeforeFault, int reported, List<ChordCompletion> completions, List<Throwable> errors) {
    }

    private ChordRace() {
    }

    /**
     * Runs a race: sets the chord's size, reports every part from {@code threads} threads, injects the fault
     * after a fifth of them, and waits for every report.
     *
     * @param backend the backend
     * @param groupId the chord's group id
     * @param parts how many parts
     * @param threads how many reporting threads
     * @param within how long the whole race may take
     * @param fault the fault
     * @return the outcome
     * @throws Exception when the fault fails or a reporting thread does not end in time
     */
    public static Outcome run(Backend backend, String groupId, int parts, int threads, Duration within, Fault fault)
            throws Exception {
        backend.setChordSize(groupId, parts);
        ConcurrentLinkedQueue<Integer> todo = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < parts; i++) {
            todo.add(i);
        }
        AtomicInteger reported = new AtomicInteger();
        List<ChordCompletion> completions = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        int beforeFault;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                workers.add(pool.submit(() -> {
                    for (Integer i = todo.poll(); i != null; i = todo.poll()) {
                        try {
                            Optional<ChordCompletion> done = backend.onChordPartReturn(
                                    new ChordPart(groupId, "part-" + i, i, TaskState.SUCCESS, (long) i, null, null));
                            done.ifPresent(completions::add);
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                        reported.incrementAndGet();
                    }
                }));
            }
            await().atMost(within).pollInterval(Duration.ofMillis(1)).until(() -> reported.get() >= parts / 5);
            fault.inject();
            beforeFault = reported.get();
            for (Future<?> w : workers) {
                w.get(within.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new AssertionError("reporting threads still running");
            }
        }
        return new Outcome(beforeFault, reported.get(), completions, errors);
    }

    /**
     * The results a complete race's body receives: {@code 0L} to {@code parts - 1}, in order.
     *
     * @param parts how many parts
     * @return the results
     */
    public static List<Object> results(int parts) {
        List<Object> out = new ArrayList<>(parts);
        for (long i = 0; i < parts; i++) {
            out.add(i);
        }
        return out;
    }
}
