package io.celeriac.client;

import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The results of a group, Celery's {@code GroupResult}: the group id and one {@link AsyncResult} per member, in
 * order, with waits for all of them. Sending a group does not save it (as in Celery): call {@link #save()} to make
 * it restorable with {@link CeleryClient#restoreGroup(String)}. Thread-safe; every read goes to the backend.
 */
public final class GroupResult {

    private final String id;
    private final List<AsyncResult> results;
    private final CeleryClient client;

    GroupResult(String id, List<AsyncResult> results, CeleryClient client) {
        this.id = Objects.requireNonNull(id, "id");
        this.results = Collections.unmodifiableList(new ArrayList<>(results));
        this.client = client;
    }

    /**
     * The group id.
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The members' results, in order.
     *
     * @return the results
     */
    public List<AsyncResult> results() {
        return results;
    }

    /**
     * The members' task ids, in order.
     *
     * @return the ids
     */
    public List<String> ids() {
        List<String> ids = new ArrayList<>(results.size());
        for (AsyncResult r : results) {
            ids.add(r.id());
        }
        return ids;
    }

    /**
     * How many members succeeded, as Celery's {@code completed_count}.
     *
     * @return the count of SUCCESS
     */
    public int completedCount() {
        int n = 0;
        for (TaskMeta m : metas().values()) {
            if (TaskState.SUCCESS.equals(m.status())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether every member has finished.
     *
     * @return whether all are ready
     */
    public boolean ready() {
        return metas().values().stream().allMatch(TaskMeta::isReady);
    }

    /**
     * Whether every member succeeded.
     *
     * @return whether all are SUCCESS
     */
    public boolean successful() {
        return metas().values().stream().allMatch(m -> TaskState.SUCCESS.equals(m.status()));
    }

    /**
     * Whether any member failed.
     *
     * @return whether any is FAILURE
     */
    public boolean failed() {
        return metas().values().stream().anyMatch(m -> TaskState.FAILURE.equals(m.status()));
    }

    /**
     * Waits for every member and returns their values in order, as Celery's {@code join} / {@code get}: the
     * first failure in member order is raised.
     *
     * @param timeout how long to wait for all of them
     * @return the values
     * @throws TaskFailedException when a member failed
     * @throws WaitTimeoutException when a member is not ready in time
     */
    public List<Object> get(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<Object> out = new ArrayList<>(results.size());
        Backend b = backend();
        for (AsyncResult r : results) {
            Duration left = Duration.between(Instant.now(), deadline);
            out.add(r.valueOf(b.waitFor(r.id(), left.isNegative() ? Duration.ZERO : left)));
        }
        return out;
    }

    /**
     * The same as {@link #get(Duration)}.
     *
     * @param timeout how long to wait for all of them
     * @return the values
     */
    public List<Object> join(Duration timeout) {
        return get(timeout);
    }

    /**
     * Saves the group in the backend (Celery's {@code GroupResult.save()}).
     */
    public void save() {
        backend().saveGroup(io.celeriac.backend.GroupResult.ofTaskIds(id, ids()));
    }

    /**
     * Deletes the saved group (the members' results stay), as Celery's {@code delete()}.
     */
    public void delete() {
        backend().deleteGroup(id);
    }

    /**
     * Deletes every member's result, as Celery's {@code forget()}.
     */
    public void forget() {
        for (AsyncResult r : results) {
            r.forget();
        }
    }

    /**
     * Revokes every member, as Celery's {@code GroupResult.revoke()}: one {@code revoke} broadcast of all the ids.
     *
     * @param terminate whether to also terminate the processes running them now
     * @param signal the signal for {@code terminate}; {@code null} for SIGTERM
     * @param target which workers, how long to wait and whether to wait for their replies
     * @return the workers' replies, or none when the target does not wait
     */
    public Replies revoke(boolean terminate, String signal, Target target) {
        return client.control().revoke(ids(), terminate, signal, target);
    }

    private Map<String, TaskMeta> metas() {
        return backend().getMany(ids());
    }

    private Backend backend() {
        return client.backend("the results of group " + id);
    }

    @Override
    public String toString() {
        return id + " " + ids();
    }
}
