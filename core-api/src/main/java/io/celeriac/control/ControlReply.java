package io.celeriac.control;

import io.celeriac.internal.PythonRepr;

import java.util.Map;
import java.util.Objects;

/**
 * One node's answer to a remote-control request: the node name and the value its handler returned, as a plain
 * JSON-like Java value (kombu's reply body {@code {"<node>": value}}). Celery's handlers answer
 * {@code {"ok": ...}} on success and {@code {"error": ...}} on failure for most commands, and a bare value (a list,
 * a map) for the inspect commands; {@link #ok()}, {@link #error()} and {@link #isError()} read the first form.
 * Immutable and thread-safe.
 *
 * @param node the node that answered, e.g. {@code worker1@host}; not {@code null}
 * @param value what it answered: {@code null}, Boolean, Long (or BigInteger), Double, String, List or Map
 */
public record ControlReply(String node, Object value) {

    /**
     * Checks the node name.
     *
     * @throws NullPointerException when the node is {@code null}
     */
    public ControlReply {
        Objects.requireNonNull(node, "node");
    }

    /**
     * Whether the value is a map with an {@code error} key and no {@code ok} key (kombu's answer when the handler
     * raised, and Celery's handlers' own failures).
     *
     * @return whether the node reported an error
     */
    public boolean isError() {
        return value instanceof Map<?, ?> m && m.containsKey("error") && !m.containsKey("ok");
    }

    /**
     * The {@code ok} part of an {@code {"ok": ...}} answer.
     *
     * @return the value under {@code ok}, or {@code null} when the answer has no such key
     */
    public Object ok() {
        return value instanceof Map<?, ?> m ? m.get("ok") : null;
    }

    /**
     * The {@code error} part of an {@code {"error": ...}} answer, as text.
     *
     * @return the error (kombu: Python's {@code repr} of the exception), or {@code null} when not an error
     */
    public String error() {
        if (!isError()) {
            return null;
        }
        Object e = ((Map<?, ?>) value).get("error");
        return e instanceof String s ? s : repr(e);
    }

    /**
     * Python's {@code repr()} of a reply value as Celery's command line prints it ({@code None}, {@code True},
     * {@code 'text'}, {@code {'a': 1}}, ...).
     *
     * @param value a JSON-like value
     * @return the text
     */
    public static String repr(Object value) {
        return PythonRepr.repr(value);
    }
}
