package io.celeriac.events;

/**
 * Receives decoded events from an {@link EventSource}, in order, on the source's thread.
 */
@FunctionalInterface
public interface EventListener {
    /**
     * Handles one event. An exception is logged and counted by the source; delivery goes on.
     *
     * @param event the event, with the receiver's fields ({@code local_received}) added
     */
    void onEvent(Event event);
}
