package io.celeriac.client.canvas;

import io.celeriac.task.InvalidTaskMessageException;
import io.celeriac.task.Signature;

import java.util.Arrays;
import java.util.List;

/**
 * Celery's {@code chain(a, b, c)} ({@code a | b | c}): each task runs after the previous one, with the previous
 * result prepended to its arguments unless it is immutable. Sending it sends only the first task; the rest travel
 * in the message's {@code chain} field, in reverse order. Immutable and thread-safe.
 *
 * @param tasks the tasks in running order, at least one
 */
public record Chain(List<Signature> tasks) {

    /**
     * Validates and copies the tasks.
     *
     * @throws InvalidTaskMessageException when there is no task
     */
    public Chain {
        if (tasks == null || tasks.isEmpty()) {
            throw new InvalidTaskMessageException("a chain needs at least one task");
        }
        tasks = List.copyOf(tasks);
    }

    /**
     * A chain of these tasks.
     *
     * @param tasks the tasks in running order
     * @return the chain
     */
    public static Chain of(Signature... tasks) {
        return new Chain(Arrays.asList(tasks));
    }
}
