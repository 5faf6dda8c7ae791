package io.celeriac.events.snapshot;

import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskState;
import io.celeriac.events.EventStateSnapshot;

import java.util.Objects;

/**
 * A {@link Camera} that stores each snapshot through a result {@link Backend}, so that any process reading
 * that backend — Java or Python — can fetch the latest picture of the cluster.
 *
 * <p><b>What it stores.</b> One result, under a dedicated id ({@value #DEFAULT_SNAPSHOT_ID} by default),
 * rewritten on every snapshot: its state is the custom state {@code SNAPSHOT} and its result is the
 * snapshot document {@link EventStateSnapshot#toCeleryDict(int)} (workers, tasks newest first, time index,
 * task types, counters). It is not one result per task: that would overwrite the results real workers
 * store under those ids. The custom state keeps the document replaceable (a SUCCESS would be final, as
 * every backend enforces) and marks it as not a task's result. It expires like any result
 * ({@code result_expires}); each snapshot renews it. Read it from Python with
 * {@code AsyncResult('celeriac-events-snapshot').result}, from Java with {@code backend.getResult(id)}.
 *
 * <p>By default at most {@value #DEFAULT_TASK_LIMIT} tasks (the newest) go into each document, so a full
 * state of 10,000 tasks does not become a multi-megabyte value written every second. Thread-safe as the
 * backend is.
 */
public final class BackendCamera implements Camera {

    /** The result id snapshots are stored under unless another is given. */
    public static final String DEFAULT_SNAPSHOT_ID = "celeriac-events-snapshot";
    /** The state of the stored snapshot document. */
    public static final TaskState SNAPSHOT = TaskState.of("SNAPSHOT");
    /** The most tasks per document unless another limit is given. */
    public static final int DEFAULT_TASK_LIMIT = 1000;

    private final Backend backend;
    private final String snapshotId;
    private final int taskLimit;

    /**
     * A camera storing under {@value #DEFAULT_SNAPSHOT_ID}, the {@value #DEFAULT_TASK_LIMIT} newest tasks.
     *
     * @param backend the backend; the caller closes it
     */
    public BackendCamera(Backend backend) {
        this(backend, DEFAULT_SNAPSHOT_ID, DEFAULT_TASK_LIMIT);
    }

    /**
     * A camera.
     *
     * @param backend the backend; the caller closes it
     * @param snapshotId the result id to store under
     * @param taskLimit the most tasks per document, the newest (0 = all)
     * @throws IllegalArgumentException when {@code snapshotId} is empty or {@code taskLimit} negative
     */
    public BackendCamera(Backend backend, String snapshotId, int taskLimit) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.snapshotId = Objects.requireNonNull(snapshotId, "snapshotId");
        if (snapshotId.isEmpty()) {
            throw new IllegalArgumentException("snapshotId cannot be empty");
        }
        if (taskLimit < 0) {
            throw new IllegalArgumentException("taskLimit must be 0 (all) or positive, not " + taskLimit);
        }
        this.taskLimit = taskLimit;
    }

    /**
     * The result id snapshots are stored under.
     *
     * @return the id
     */
    public String snapshotId() {
        return snapshotId;
    }

    /**
     * Stores the snapshot as the result of {@link #snapshotId()} with state {@code SNAPSHOT}.
     *
     * @param snapshot the snapshot
     * @throws io.celeriac.backend.UnableToStoreResultException when the backend keeps failing
     */
    @Override
    public void onShutter(EventStateSnapshot snapshot) {
        backend.storeResult(snapshotId, snapshot.toCeleryDict(taskLimit), SNAPSHOT);
    }

    @Override
    public String toString() {
        return "BackendCamera[" + backend.asUri() + " " + snapshotId + "]";
    }
}
