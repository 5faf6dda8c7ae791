package io.celeriac.events;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The live cluster of workers and tasks built from events, with Celery's {@code State} semantics
 * (out-of-order merging by state precedence, bounded memory, parent and child linking).
 *
 * <p>Events are applied from one thread while others read; every read returns frozen, consistent
 * values. Thread-safe.
 */
public interface EventState extends AutoCloseable {

    /**
     * Applies one event.
     *
     * @param event the event, with {@code local_received} set by the receiver
     */
    void event(Event event);

    /** @return how many events were applied since the last {@link #clear} */
    long eventCount();

    /** @return how many tasks were received ({@code task-received} events) since the last {@link #clear} */
    long taskCount();

    /**
     * One worker.
     *
     * @param hostname its node name
     * @return the worker, if known
     */
    Optional<WorkerInfo> worker(String hostname);

    /** @return every known worker */
    List<WorkerInfo> workers();

    /** @return the workers whose heartbeat has not expired */
    List<WorkerInfo> aliveWorkers();

    /**
     * One task.
     *
     * @param uuid its id
     * @return the task, if known
     */
    Optional<TaskInfo> task(String uuid);

    /** @return every known task */
    List<TaskInfo> tasks();

    /**
     * Tasks by event time, newest first.
     *
     * @param limit the most to return (0 = no limit)
     * @return the tasks
     */
    List<TaskInfo> tasksByTime(int limit);

    /**
     * Tasks of one name, newest first.
     *
     * @param name the task name
     * @param limit the most to return (0 = no limit)
     * @return the tasks
     */
    List<TaskInfo> tasksByType(String name, int limit);

    /**
     * Tasks of one worker, newest first.
     *
     * @param hostname the worker's hostname
     * @param limit the most to return (0 = no limit)
     * @return the tasks
     */
    List<TaskInfo> tasksByWorker(String hostname, int limit);

    /** @return every task name seen, sorted */
    SortedSet<String> taskTypes();

    /**
     * Forgets workers and tasks: with {@code ready} only finished tasks go (unfinished ones stay),
     * otherwise all; counters restart at 0.
     *
     * @param ready whether to keep unfinished tasks
     */
    void clear(boolean ready);

    /**
     * Runs {@code fn} while no event is applied, so that it sees one consistent state (Celery's
     * {@code freeze_while}).
     *
     * @param fn what to run
     * @param <T> its result
     * @return its result
     */
    <T> T freezeWhile(Function<EventState, T> fn);

    /**
     * Calls {@code listener} when a worker joins (first seen, or comes online).
     *
     * @param listener the callback
     * @return a handle that removes it when closed
     */
    AutoCloseable onNodeJoin(Consumer<WorkerInfo> listener);

    /**
     * Calls {@code listener} when a worker goes offline.
     *
     * @param listener the callback
     * @return a handle that removes it when closed
     */
    AutoCloseable onNodeLeave(Consumer<WorkerInfo> listener);

    /** Releases resources (timers of snapshots). Closing twice does nothing. */
    @Override
    void close();
}
