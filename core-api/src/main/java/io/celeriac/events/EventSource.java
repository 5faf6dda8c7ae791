package io.celeriac.events;

/**
 * A live subscription to a broker's event stream (Celery's {@code EventReceiver}): decodes kombu's
 * envelopes, applies the receiver's rules (clock adjust, {@code local_received}, utcoffset) and delivers
 * {@link Event}s. Reconnects on its own; unknown or malformed messages are counted and logged, never fatal.
 * Thread-safe.
 *
 * <p>Implementations decode a message body with {@link EventReceiverRules#receiveJson(byte[])} (one event or
 * a {@code task.multi} batch), so that every source applies Celery's receiver rules the same way, and
 * deliver each resulting event to the listener in order, e.g. straight into {@link EventState#event(Event)}.
 */
public interface EventSource extends AutoCloseable {

    /**
     * Starts delivering events to {@code listener}, on a thread of the source. Call once.
     *
     * @param listener receives every event
     * @throws IllegalStateException when the source was started already or is closed
     */
    void start(EventListener listener);

    /** @return how many events were delivered so far */
    long eventsReceived();

    /** @return how many messages could not be decoded or were not events */
    long messagesRejected();

    /**
     * Whether the source is connected to its broker and receiving now. A source that cannot tell returns
     * {@code true}; the Redis source returns whether its pattern subscription is live.
     *
     * @return whether events can arrive now
     */
    default boolean isConnected() {
        return true;
    }

    /** @return where the events come from, password masked */
    String location();

    /** Stops delivery and disconnects. Closing twice does nothing. */
    @Override
    void close();
}
