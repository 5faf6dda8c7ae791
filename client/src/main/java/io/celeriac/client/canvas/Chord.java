package io.celeriac.client.canvas;

import io.celeriac.task.InvalidTaskMessageException;
import io.celeriac.task.Signature;

/**
 * Celery's {@code chord(header, body)}: the header group runs in parallel, and when every part has finished the
 * body runs with the list of their results. Needs a result backend that counts chord parts (Redis, a database);
 * Immutable and thread-safe.
 *
 * @param header the header group
 * @param body the body (callback) signature
 */
public record Chord(Group header, Signature body) {

    /**
     * Validates the parts.
     *
     * @throws InvalidTaskMessageException when a part is missing
     */
    public Chord {
        if (header == null || body == null) {
            throw new InvalidTaskMessageException("a chord needs a header group and a body signature");
        }
    }

    /**
     * A chord.
     *
     * @param header the header group
     * @param body the body
     * @return the chord
     */
    public static Chord of(Group header, Signature body) {
        return new Chord(header, body);
    }
}
