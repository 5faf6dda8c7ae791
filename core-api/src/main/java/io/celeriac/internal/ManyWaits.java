package io.celeriac.internal;

import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.WaitOutcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Waits for many tasks under one deadline, on any {@link Backend}: one read of every id, then one asynchronous wait
 * (a future, not a thread) for each that is not ready; each id ends with its own {@link WaitOutcome}, in the order
 * given ({@link #each}) or as they complete ({@link #asCompleted}). At the deadline the ids still waited for are
 * read once more, so each NOT_READY outcome carries the last state. Every wait left is cancelled at the end.
 * Thread-safe; each call is independent.
 */
public final class ManyWaits {

    private final Backend backend;
    private final List<String> ids;
    private final long deadline;
    private final Map<String, TaskMeta> firstRead = new LinkedHashMap<>();
    private final Map<String, CompletableFuture<TaskMeta>> waits = new LinkedHashMap<>();
    private final Map<String, WaitOutcome> done = new LinkedHashMap<>();

    private ManyWaits(Backend backend, Collection<String> taskIds, Duration timeout) {
        this.backend = Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(timeout, "timeout");
        this.ids = new ArrayList<>(new LinkedHashSet<>(taskIds));
        this.ids.forEach(id -> Objects.requireNonNull(id, "a task id"));
        long nanos = timeout.isNegative() ? 0 : timeout.compareTo(Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE / 4 : timeout.toNanos();
        this.deadline = System.nanoTime() + nanos;
    }

    /**
     * See {@link Backend#waitForEach}.
     *
     * @param backend the backend
     * @param taskIds the ids (duplicates are waited for once)
     * @param timeout the deadline for all of them
     * @return each id, in the order given, to its outcome
     */
    public static Map<String, WaitOutcome> each(Backend backend, Collection<String> taskIds, Duration timeout) {
        ManyWaits w = new ManyWaits(backend, taskIds, timeout);
        try {
            w.start(null);
            CompletableFuture<?> all = CompletableFuture.allOf(w.waits.values().toArray(CompletableFuture[]::new));
            try {
                all.get(Math.max(0, w.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException | CancellationException e) {
                // each future says what it ended with below
            }
            w.collectEnded(null);
            w.finishNotReady(null);
            Map<String, WaitOutcome> out = new LinkedHashMap<>();
            for (String id : w.ids) {
                out.put(id, w.done.get(id));
            }
            return Collections.unmodifiableMap(out);
        } finally {
            w.cancelAll();
        }
    }

    /**
     * See {@link Backend#asCompleted}.
     *
     * @param backend the backend
     * @param taskIds the ids
     * @param timeout the deadline for all of them
     * @return the outcomes as they complete; close it to stop waiting
     */
    public static Stream<WaitOutcome> asCompleted(Backend backend, Collection<String> taskIds, Duration timeout) {
        ManyWaits w = new ManyWaits(backend, taskIds, timeout);
        LinkedBlockingQueue<String> ended = new LinkedBlockingQueue<>();
        List<WaitOutcome> ready = new ArrayList<>();
        try {
            w.start(ended);
        } catch (RuntimeException e) {
            w.cancelAll();
            throw e;
        }
        ready.addAll(w.done.values());
        Spliterator<WaitOutcome> s = new Spliterators.AbstractSpliterator<>(w.ids.size(),
                Spliterator.NONNULL | Spliterator.DISTINCT | Spliterator.SIZED) {
            private int readyAt;
            private List<WaitOutcome> leftAtDeadline;
            private int leftAt;

            @Override
            public boolean tryAdvance(Consumer<? super WaitOutcome> action) {
                if (readyAt < ready.size()) {
                    action.accept(ready.get(readyAt++));
                    return true;
                }
                if (leftAtDeadline == null && w.done.size() < w.ids.size()) {
                    try {
                        long left = w.deadline - System.nanoTime();
                        String id = left > 0 ? ended.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (id != null) {
                            action.accept(w.ended(id));
                            return true;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    leftAtDeadline = new ArrayList<>();
                    w.collectEnded(leftAtDeadline);
                    w.finishNotReady(leftAtDeadline);
                    w.cancelAll();
                }
                if (leftAtDeadline != null && leftAt < leftAtDeadline.size()) {
                    action.accept(leftAtDeadline.get(leftAt++));
                    return true;
                }
                return false;
            }
        };
        return StreamSupport.stream(s, false).onClose(w::cancelAll);
    }

    /** Reads every id once and starts a wait for each that is not ready; {@code ended} hears of each end. */
    private void start(LinkedBlockingQueue<String> ended) {
        try {
            firstRead.putAll(backend.getMany(ids));
        } catch (RuntimeException e) {
            for (String id : ids) {
                done.put(id, WaitOutcome.failed(id, e, null));
            }
            return;
        }
        for (String id : ids) {
            TaskMeta m = firstRead.get(id);
            if (m != null && m.isReady()) {
                done.put(id, WaitOutcome.of(id, m));
                continue;
            }
            CompletableFuture<TaskMeta> f;
            try {
                f = backend.waitForAsync(id);
            } catch (RuntimeException e) {
                done.put(id, WaitOutcome.failed(id, e, m));
                continue;
            }
            waits.put(id, f);
            if (ended != null) {
                f.whenComplete((meta, err) -> {
                    if (!(err instanceof CancellationException)) {
                        ended.add(id);
                    }
                });
            }
        }
    }

    /** The outcome of a wait that ended. */
    private synchronized WaitOutcome ended(String id) {
        WaitOutcome known = done.get(id);
        if (known != null) {
            return known;
        }
        CompletableFuture<TaskMeta> f = waits.get(id);
        WaitOutcome o;
        try {
            o = WaitOutcome.of(id, f.join());
        } catch (CompletionException | CancellationException e) {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            o = WaitOutcome.failed(id, c instanceof RuntimeException r ? r : new CompletionException(c), firstRead.get(id));
        }
        done.put(id, o);
        return o;
    }

    /** Records the outcome of every wait that has ended, adding those not yet recorded to {@code into}. */
    private synchronized void collectEnded(List<WaitOutcome> into) {
        for (Map.Entry<String, CompletableFuture<TaskMeta>> e : waits.entrySet()) {
            if (e.getValue().isDone() && !e.getValue().isCancelled() && !done.containsKey(e.getKey())) {
                WaitOutcome o = ended(e.getKey());
                if (into != null) {
                    into.add(o);
                }
            }
        }
    }

    /** Gives each id still waited for a NOT_READY outcome with the state read now (or first). */
    private synchronized void finishNotReady(List<WaitOutcome> into) {
        List<String> left = new ArrayList<>();
        for (String id : ids) {
            if (!done.containsKey(id)) {
                left.add(id);
            }
        }
        if (left.isEmpty()) {
            return;
        }
        Map<String, TaskMeta> now;
        try {
            now = backend.getMany(left);
        } catch (RuntimeException e) {
            now = Map.of();
        }
        for (String id : left) {
            TaskMeta m = now.get(id);
            if (m == null) {
                m = firstRead.getOrDefault(id, TaskMeta.pending(id));
            }
            WaitOutcome o = WaitOutcome.of(id, m); // read after the deadline: it may have become ready just now
            done.put(id, o);
            if (into != null) {
                into.add(o);
            }
        }
    }

    private void cancelAll() {
        for (CompletableFuture<TaskMeta> f : waits.values()) {
            f.cancel(false);
        }
    }
}
