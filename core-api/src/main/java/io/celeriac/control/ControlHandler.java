package io.celeriac.control;

import java.util.Map;

/**
 * What a {@link ControlNode} runs for each remote-control request meant for it: the command name and its keyword
 * arguments in, the reply value out (kombu's {@code Node.handle}). Celery's commands answer {@code {"ok": ...}}
 * (e.g. {@code ping} → {@code {"ok": "pong"}}) or a bare value for the inspect commands (a list, a map).
 *
 * <p>A handler that throws makes the node answer {@code {"error": "<repr>"}}, as kombu's {@code Node.dispatch}
 * does; throw {@link UnknownControlMethodException} for a command it does not know (Celery's worker answers those
 * with {@code KeyError('<method>')}). It is called on the node's delivery thread, one request at a time, so a
 * slow command delays the next ones; it must be safe to call from that thread.
 */
@FunctionalInterface
public interface ControlHandler {

    /**
     * Runs one command.
     *
     * @param method the command, e.g. {@code ping}, {@code revoke}
     * @param arguments its keyword arguments (JSON-like values, unmodifiable, never {@code null})
     * @return the reply value: a JSON-like value ({@code null}, Boolean, a number, String, List or Map)
     * @throws Exception any failure; it is answered as an error when the sender wants a reply
     */
    Object handle(String method, Map<String, Object> arguments) throws Exception;
}
