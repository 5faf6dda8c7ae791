package io.celeriac.client.canvas;

import io.celeriac.task.InvalidTaskMessageException;
import io.celeriac.task.Signature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Celery's {@code group(a, b, c)}: its members run in parallel, one message each with the same {@code group}
 * header. A member is a {@link Signature} or a {@link Chain} (whose last task then belongs to the group).
 * Immutable and thread-safe.
 *
 * @param members the members, each a {@link Signature} or a {@link Chain}
 */
public record Group(List<Object> members) {

    /**
     * Validates and copies the members.
     *
     * @throws InvalidTaskMessageException when a member is neither a signature nor a chain
     */
    public Group {
        if (members == null) {
            throw new InvalidTaskMessageException("a group needs a list of members");
        }
        for (Object m : members) {
            if (!(m instanceof Signature) && !(m instanceof Chain)) {
                throw new InvalidTaskMessageException("a group member must be a Signature or a Chain, not "
                        + (m == null ? "null" : m.getClass().getName()));
            }
        }
        members = List.copyOf(members);
    }

    /**
     * A group of task signatures.
     *
     * @param tasks the tasks
     * @return the group
     */
    public static Group of(Signature... tasks) {
        return new Group(new ArrayList<>(Arrays.asList(tasks)));
    }

    /**
     * A group of signatures and chains.
     *
     * @param members each a {@link Signature} or a {@link Chain}
     * @return the group
     */
    public static Group ofMembers(List<?> members) {
        return new Group(new ArrayList<>(members));
    }
}
