package io.celeriac.backend;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A task state, as Celery's {@code celery.states} defines them; custom states (such as {@code PROGRESS})
 * are allowed.
 *
 * <p>States compare by Celery's precedence: {@code SUCCESS > FAILURE > <any custom state> > REVOKED >
 * STARTED > RECEIVED > REJECTED > RETRY > PENDING}. {@link #precedence()} returns Celery's index, where a
 * lower number means a higher precedence.
 *
 * <p>Instances are immutable and compare with {@link #equals} by name, everywhere. {@link #of(String)} returns
 * canonical instances: the constants for Celery's names, and one interned instance per custom name (the first
 * 10,000 custom names a JVM sees; further ones are fresh instances, still equal by name), so
 * {@code TaskState.of("PROGRESS") == TaskState.of("PROGRESS")}; every state celeriac decodes comes from
 * {@code of}. Prefer {@code of} to the constructor.
 *
 * <p>A record cannot be switched on: switch on {@link #builtin()}, an enum of Celery's states with
 * {@link Builtin#CUSTOM} for the others:
 * <pre>{@code
 * switch (meta.status().builtin()) {
 *     case SUCCESS -> use(meta.get());
 *     case FAILURE, REVOKED -> report(meta.exception().orElseThrow());
 *     case CUSTOM -> progress(meta.result(Progress.class));   // e.g. PROGRESS from update_state
 *     default -> { }                                          // PENDING, RECEIVED, STARTED, RETRY, ...
 * }
 * }</pre>
 *
 * @param name the state's name, as stored, e.g. {@code SUCCESS}; never empty
 */
public record TaskState(String name) implements Comparable<TaskState> {

    /** An unknown task: never stored by a worker; what a missing result reads as. */
    public static final TaskState PENDING = new TaskState("PENDING");
    /** The task was received by a worker; appears only in events. */
    public static final TaskState RECEIVED = new TaskState("RECEIVED");
    /** The task was started; stored only with {@code task_track_started}. */
    public static final TaskState STARTED = new TaskState("STARTED");
    /** The task succeeded; its result is the return value. */
    public static final TaskState SUCCESS = new TaskState("SUCCESS");
    /** The task failed; its result is the exception. */
    public static final TaskState FAILURE = new TaskState("FAILURE");
    /** The task was revoked; its result is a {@code TaskRevokedError}. */
    public static final TaskState REVOKED = new TaskState("REVOKED");
    /** The task was rejected; appears only in events. */
    public static final TaskState REJECTED = new TaskState("REJECTED");
    /** The task is being retried; its result is the exception that caused the retry. */
    public static final TaskState RETRY = new TaskState("RETRY");
    /** A constant Celery defines that belongs to none of the sets. */
    public static final TaskState IGNORED = new TaskState("IGNORED");

    /** States whose result is final: SUCCESS, FAILURE, REVOKED. */
    public static final Set<TaskState> READY_STATES = Set.of(SUCCESS, FAILURE, REVOKED);
    /** States that are not final: PENDING, RECEIVED, STARTED, REJECTED, RETRY. */
    public static final Set<TaskState> UNREADY_STATES = Set.of(PENDING, RECEIVED, STARTED, REJECTED, RETRY);
    /** States whose stored result is an exception: RETRY, FAILURE, REVOKED. */
    public static final Set<TaskState> EXCEPTION_STATES = Set.of(RETRY, FAILURE, REVOKED);
    /** States whose exception {@code AsyncResult.get()} re-raises: FAILURE, REVOKED. */
    public static final Set<TaskState> PROPAGATE_STATES = Set.of(FAILURE, REVOKED);
    /** Celery's ALL_STATES: every standard state but REJECTED and IGNORED. */
    public static final Set<TaskState> ALL_STATES = Set.of(PENDING, RECEIVED, STARTED, SUCCESS, FAILURE, RETRY, REVOKED);

    /** Celery's PRECEDENCE list; index 2 (the {@code None} slot) is where every custom state ranks. */
    private static final List<String> PRECEDENCE = java.util.Arrays.asList(
            "SUCCESS", "FAILURE", null, "REVOKED", "STARTED", "RECEIVED", "REJECTED", "RETRY", "PENDING");
    private static final int CUSTOM_PRECEDENCE = 2;

    private static final Map<String, TaskState> KNOWN = java.util.stream.Stream.of(
                    PENDING, RECEIVED, STARTED, SUCCESS, FAILURE, REVOKED, REJECTED, RETRY, IGNORED)
            .collect(Collectors.toUnmodifiableMap(TaskState::name, Function.identity()));

    /** Custom states interned by {@link #of}, at most {@link #MAX_INTERNED}. */
    private static final ConcurrentHashMap<String, TaskState> CUSTOM = new ConcurrentHashMap<>();
    private static final int MAX_INTERNED = 10_000;

    /**
     * Celery's own states, to switch on ({@link #builtin()}); {@link #CUSTOM} is any other state, such as a
     * task's {@code PROGRESS}.
     */
    public enum Builtin {
        /** {@link TaskState#PENDING}. */
        PENDING,
        /** {@link TaskState#RECEIVED}. */
        RECEIVED,
        /** {@link TaskState#STARTED}. */
        STARTED,
        /** {@link TaskState#SUCCESS}. */
        SUCCESS,
        /** {@link TaskState#FAILURE}. */
        FAILURE,
        /** {@link TaskState#REVOKED}. */
        REVOKED,
        /** {@link TaskState#REJECTED}. */
        REJECTED,
        /** {@link TaskState#RETRY}. */
        RETRY,
        /** {@link TaskState#IGNORED}. */
        IGNORED,
        /** A state Celery does not define, such as {@code PROGRESS}. */
        CUSTOM;

        /**
         * The canonical state of a built-in.
         *
         * @return the state
         * @throws IllegalStateException for {@link #CUSTOM}, which names no single state
         */
        public TaskState state() {
            if (this == CUSTOM) {
                throw new IllegalStateException("CUSTOM stands for any state Celery does not define");
            }
            return KNOWN.get(name());
        }
    }

    /**
     * Validates the name.
     *
     * @throws NullPointerException when {@code name} is null
     * @throws IllegalArgumentException when {@code name} is empty
     */
    public TaskState {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a task state name cannot be empty");
        }
    }

    /**
     * The state with this name: one of the constants for Celery's names, else a custom state.
     *
     * @param name the state's name, case-sensitive as Celery's are
     * @return the state
     */
    public static TaskState of(String name) {
        Objects.requireNonNull(name, "name");
        TaskState known = KNOWN.get(name);
        if (known != null) {
            return known;
        }
        TaskState custom = CUSTOM.get(name);
        if (custom != null) {
            return custom;
        }
        TaskState fresh = new TaskState(name);
        if (CUSTOM.size() >= MAX_INTERNED) {
            return fresh; // a flood of names (hostile data) must not grow the JVM without bound
        }
        TaskState raced = CUSTOM.putIfAbsent(name, fresh);
        return raced != null ? raced : fresh;
    }

    /**
     * Which of Celery's states this is, to switch on; {@link Builtin#CUSTOM} for any other.
     *
     * @return the built-in state, or {@code CUSTOM}
     */
    public Builtin builtin() {
        TaskState known = KNOWN.get(name);
        return known == null ? Builtin.CUSTOM : Builtin.valueOf(name);
    }

    /**
     * Celery's precedence index: 0 for SUCCESS, 1 for FAILURE, 2 for any custom state, 3 for REVOKED,
     * ... 8 for PENDING. A lower number is a higher precedence.
     *
     * @return the index
     */
    public int precedence() {
        int i = PRECEDENCE.indexOf(name);
        return i < 0 ? CUSTOM_PRECEDENCE : i;
    }

    /**
     * Whether this state is final (SUCCESS, FAILURE, REVOKED).
     *
     * @return {@code true} for a ready state
     */
    public boolean isReady() {
        return READY_STATES.contains(this);
    }

    /**
     * Whether the stored result of this state is an exception (RETRY, FAILURE, REVOKED).
     *
     * @return {@code true} for an exception state
     */
    public boolean isException() {
        return EXCEPTION_STATES.contains(this);
    }

    /**
     * Whether Celery re-raises this state's exception on {@code get()} (FAILURE, REVOKED).
     *
     * @return {@code true} for a propagating state
     */
    public boolean propagates() {
        return PROPAGATE_STATES.contains(this);
    }

    /**
     * Whether this is one of Celery's own states (including REJECTED and IGNORED) rather than a custom one.
     *
     * @return {@code true} for a standard state
     */
    public boolean isStandard() {
        return KNOWN.containsKey(name);
    }

    /**
     * Compares by precedence: a state with higher precedence is greater, as Celery's {@code state} compares.
     *
     * @param other the other state
     * @return a positive number when this state has the higher precedence
     */
    @Override
    public int compareTo(TaskState other) {
        return Integer.compare(other.precedence(), precedence());
    }

    /**
     * The state's name.
     *
     * @return the name
     */
    @Override
    public String toString() {
        return name;
    }
}
