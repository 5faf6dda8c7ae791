package io.celeriac.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The live cluster of workers and tasks built from events, with Celery's {@code celery.events.state.State}
 * semantics: each event updates one worker or task; task states follow the event type, out-of-order events
 * are merged by state precedence, parents and children are linked, and memory is bounded.
 *
 * <p>Open one with {@code Celeriac.discover().openEventState("memory://", options)} and feed it from an
 * {@link EventSource}: {@code source.start(state::event)}.
 *
 * <p><b>Semantics</b> (Celery 5.2.6, with the fixes listed in the README's "Differences from Celery"):
 * <ul>
 *   <li>Worker events ({@code worker-online}, {@code -heartbeat}, {@code -offline}, any {@code worker-*})
 *       need {@code hostname}, {@code timestamp} and {@code local_received}, else they are only counted.
 *       Every field is copied onto the worker; the receive time joins the heartbeat list (the 4 latest);
 *       {@code worker-offline} empties it. A worker is alive while
 *       {@code now < last heartbeat + 2 × freq}.</li>
 *   <li>Task events need {@code uuid}, {@code hostname}, {@code timestamp}, {@code local_received} and
 *       {@code clock}; without them {@link MalformedEventException} is raised. The subject gives the state
 *       ({@code sent → PENDING, received → RECEIVED, started → STARTED, succeeded → SUCCESS,
 *       failed → FAILURE, retried → RETRY, revoked → REVOKED, rejected → REJECTED}) and sets the timestamp
 *       field of that name; any other subject is a custom state, its name upper-cased.</li>
 *   <li>An event whose state has a lower precedence than the task's current state is late: it does not
 *       change the state and only fills fields the task does not have yet ({@code task-received} only its
 *       merge fields {@code name, args, kwargs, parent_id, root_id, retries, eta, expires}). RETRY is
 *       exempt in both directions, as in Celery, except that a late RETRY never moves a finished task
 *       back. Other events overwrite every field they carry.</li>
 *   <li>Tasks with a {@code parent_id} join their parent's children, also when they arrive before it.</li>
 *   <li>At most {@link EventStateOptions#maxWorkersInMemory()} workers and
 *       {@link EventStateOptions#maxTasksInMemory()} tasks are kept; the oldest-created goes first (a task
 *       whose child reports an event counts as fresh again, as in Celery). The time index keeps four
 *       entries per task at most.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Implementations are thread-safe: events may be applied from one thread (or several,
 * serialised) while any number of threads read. Every read returns immutable values that reflect the
 * state between two events; {@link #snapshot()} and {@link #freezeWhile(Function)} give one consistent
 * picture of everything. After {@link #close()} every method but {@code close} raises
 * {@link EventStateClosedException}. Arguments must not be {@code null}.
 */
public interface EventState extends AutoCloseable {

    /**
     * Applies one event, as Celery's {@code State.event} does. Node listeners run on the calling thread
     * after the state was updated, outside any lock.
     *
     * @param event the event, with the receiver's {@code local_received} set (see {@link EventReceiverRules})
     * @throws MalformedEventException when a task event lacks a required field; the state is unchanged
     *                                 except for {@link #eventCount()}
     * @throws EventStateClosedException after {@link #close()}
     */
    void event(Event event);

    /**
     * Applies events in order, as {@link #event(Event)} does for each (a {@code task.multi} batch). An
     * implementation may take its lock once for the whole batch.
     *
     * @param events the events
     * @throws MalformedEventException after applying every well-formed event, when some were malformed; it
     *                                 lists each of them
     */
    default void events(Iterable<Event> events) {
        MalformedEventException first = null;
        List<String> problems = new ArrayList<>();
        for (Event e : events) {
            try {
                event(e);
            } catch (MalformedEventException ex) {
                if (first == null) {
                    first = ex;
                }
                problems.add((ex.eventType() == null ? "untyped event" : ex.eventType()) + ": "
                        + String.join(", ", ex.problems()));
            }
        }
        if (first != null) {
            throw problems.size() == 1 ? first : new MalformedEventException(null, problems);
        }
    }

    /**
     * How many events were applied (including ignored and malformed ones, as Celery counts them) since the
     * state was made or last {@link #clear cleared}.
     *
     * @return the count
     */
    long eventCount();

    /**
     * How many {@code task-received} events were applied since the state was made or last cleared (a
     * retried task is received, and counted, again).
     *
     * @return the count
     */
    long taskCount();

    /**
     * One worker.
     *
     * @param hostname its node name
     * @return the worker, if known
     */
    Optional<WorkerInfo> worker(String hostname);

    /**
     * Every known worker.
     *
     * @return the workers, oldest first
     */
    List<WorkerInfo> workers();

    /**
     * The workers whose heartbeat has not expired by the state's clock (Celery's {@code alive_workers()}).
     *
     * @return the alive workers, oldest first
     */
    List<WorkerInfo> aliveWorkers();

    /**
     * One task.
     *
     * @param uuid its id
     * @return the task, if known
     */
    Optional<TaskInfo> task(String uuid);

    /**
     * Every known task.
     *
     * @return the tasks, oldest first (Celery's {@code State.tasks} order)
     */
    List<TaskInfo> tasks();

    /**
     * Tasks by the logical time of their latest event, newest first (Celery's {@code tasks_by_time}): the
     * time index orders events by Lamport clock, then origin, or by timestamp when a clock is 0.
     *
     * @param limit the most tasks to return (0 = no limit)
     * @return the tasks
     */
    List<TaskInfo> tasksByTime(int limit);

    /**
     * Celery's alias of {@link #tasksByTime(int)}.
     *
     * @param limit the most tasks to return (0 = no limit)
     * @return the tasks, newest first
     */
    default List<TaskInfo> tasksByTimestamp(int limit) {
        return tasksByTime(limit);
    }

    /**
     * Tasks of one name, newest first (Celery's {@code tasks_by_type(name, limit)}).
     *
     * @param name the task name
     * @param limit the most tasks to return (0 = no limit)
     * @return the tasks
     */
    List<TaskInfo> tasksByType(String name, int limit);

    /**
     * Tasks whose latest worker-side event came from one worker, newest first (Celery's
     * {@code tasks_by_worker(hostname, limit)}).
     *
     * @param hostname the worker's hostname
     * @param limit the most tasks to return (0 = no limit)
     * @return the tasks
     */
    List<TaskInfo> tasksByWorker(String hostname, int limit);

    /**
     * Every task name seen (Celery's {@code task_types()}); names stay after their tasks were evicted.
     *
     * @return the names, sorted
     */
    SortedSet<String> taskTypes();

    /**
     * Forgets every worker and tasks, and restarts the counters at 0 (Celery's {@code clear}).
     *
     * @param ready {@code true} to forget only finished tasks (unfinished ones stay), {@code false} to forget
     *              every task
     */
    void clear(boolean ready);

    /**
     * Forgets tasks only; workers and counters stay (Celery's {@code clear_tasks}).
     *
     * @param ready {@code true} to forget only finished tasks, {@code false} to forget every task
     */
    void clearTasks(boolean ready);

    /**
     * One consistent picture of the whole state. Events wait while it is taken, for a time proportional
     * to the number of tasks that changed since the previous read.
     *
     * @return the snapshot
     */
    EventStateSnapshot snapshot();

    /**
     * Runs {@code fn} while no event is applied, so that all it reads is one consistent state (Celery's
     * {@code freeze_while}). {@code fn} may read, apply events and clear on this thread. Keep it short:
     * events from other threads wait.
     *
     * @param fn what to run
     * @param <T> its result
     * @return its result
     */
    <T> T freezeWhile(Function<EventState, T> fn);

    /**
     * Calls {@code listener} when a worker joins: when it is first seen (by any event) and on every
     * {@code worker-online}. Listeners run on the thread that applied the event, after the state was
     * updated; an exception they throw is logged and does not stop the event.
     *
     * @param listener the callback
     * @return a handle that removes it when closed
     */
    Subscription onNodeJoin(Consumer<WorkerInfo> listener);

    /**
     * Calls {@code listener} when a worker goes offline ({@code worker-offline}, also from a worker never
     * seen before). Runs like {@link #onNodeJoin(Consumer)}'s listeners.
     *
     * @param listener the callback
     * @return a handle that removes it when closed
     */
    Subscription onNodeLeave(Consumer<WorkerInfo> listener);

    /**
     * The options this state was made with.
     *
     * @return the options
     */
    EventStateOptions options();

    /** Releases the state's memory; every later call but {@code close} raises. Closing twice does nothing. */
    @Override
    void close();

    /**
     * A registration that can be removed; closing it twice does nothing.
     */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        /** Removes the registration. */
        @Override
        void close();
    }
}
