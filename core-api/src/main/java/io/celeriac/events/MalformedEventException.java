package io.celeriac.events;

import io.celeriac.CeleriacException;

import java.util.List;

/**
 * Raised when an event cannot be applied because a field Celery requires is missing or has the wrong
 * type: a task event without a string {@code uuid} or {@code hostname}, or without numeric
 * {@code timestamp} and {@code local_received}, or a message body that is not an event.
 *
 * <p>Where Python Celery's {@code State} raises a {@code KeyError} out of its consumer loop, an
 * {@link EventState} raises this and stays unchanged (only {@link EventState#eventCount()} moves, as in
 * Celery), so an event source can log it, count it and go on.
 */
public class MalformedEventException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final String eventType;
    private final List<String> problems;

    /**
     * Creates the exception.
     *
     * @param eventType the event's type, or {@code null} when it had none
     * @param problems what is wrong, one short sentence each; never empty
     */
    public MalformedEventException(String eventType, List<String> problems) {
        super("Malformed " + (eventType == null ? "event" : "'" + eventType + "' event") + ": "
                + String.join("; ", problems));
        this.eventType = eventType;
        this.problems = List.copyOf(problems);
    }

    /**
     * The type of the rejected event.
     *
     * @return the type, or {@code null} when the event had none
     */
    public String eventType() {
        return eventType;
    }

    /**
     * What is wrong with the event.
     *
     * @return the problems, never empty
     */
    public List<String> problems() {
        return problems;
    }
}
