package io.celeriac.tck;

import io.celeriac.events.EventSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a plugin gives {@link EventSourceContract}: event sources opened on a fresh, isolated namespace of a
 * broker (its own key prefix, database number, virtual host or exchange) for one test, and a way to publish
 * messages into that namespace exactly as Python Celery's {@code EventDispatcher} does, so that the kit can
 * feed the sources.
 *
 * <p>The kit creates one fixture per test, opens one or more sources on it, closes those sources and then the
 * fixture, which should remove what the test left on the broker and stop whatever it started. The kit calls a
 * fixture from the test's thread only. Optional abilities ({@link #cutConnections()},
 * {@link #openUnreachable()}, {@link #startRecordingBroadcasts()}) have defaults that make the kit skip their
 * tests, visibly, with a message.
 */
public interface EventSourceFixture extends AutoCloseable {

    /**
     * Opens a new source on this fixture's namespace with default settings, as
     * {@code Celeriac.openEventSource(url, options)} would for a user: Celery's receiver rules, a fresh Lamport
     * clock, the system clock and time zone. It is not started; the kit starts and closes it.
     *
     * @return the source
     */
    EventSource open();

    /**
     * Publishes one event message into this fixture's namespace exactly as Celery's event dispatcher does:
     * the body wrapped in the transport's envelope (on Redis, kombu's JSON envelope with the body in base64,
     * {@code content-type application/json} and the {@code celeryev} exchange and routing key in
     * {@code delivery_info}), sent where Celery sends it for this routing key. Returns once the broker took
     * the message: a source that was receiving then gets it.
     *
     * @param routingKey Celery's routing key: the event type with {@code -} turned into {@code .}
     *                   ({@code worker.heartbeat}, {@code task.sent}), or {@code task.multi} for a batch
     * @param body the serialized body as kombu's {@code json} serializer writes it: one event object or a list
     *             of them; the kit also sends bodies that are not events, to check they are rejected
     * @throws Exception when the broker cannot be reached
     */
    void publish(String routingKey, byte[] body) throws Exception;

    /**
     * Publishes a message whose content is exactly {@code message}, not wrapped in any envelope, where events
     * of this routing key travel in this fixture's namespace; the kit sends garbage this way to check that a
     * source counts it and goes on.
     *
     * @param routingKey the routing key
     * @param message the message's bytes
     * @throws Exception when the broker cannot be reached
     */
    void publishRaw(String routingKey, byte[] message) throws Exception;

    /**
     * Whether the sources report their connection through {@link EventSource#isConnected()}: {@code false}
     * before start, after close and while the broker is away, {@code true} while events can arrive. A source
     * that cannot tell (and keeps the interface's default, {@code true}) answers {@code false} here and the kit
     * does not check {@code isConnected()}. Default {@code true}.
     *
     * @return whether {@code isConnected()} is meaningful
     */
    default boolean reportsConnection() {
        return true;
    }

    /**
     * Cuts the broker connections of every source this fixture opened, as a server-side kill or a network
     * failure would, and keeps cutting the new ones they make until {@link #restoreConnections()}, so that a
     * source is seen disconnected and then reconnects. Only this fixture's connections are touched (other
     * tests may share the broker).
     *
     * @return {@code true} when at least one connection was cut; {@code false} when this fixture cannot cut
     *         connections (the reconnection test is then skipped, with a message)
     * @throws Exception when the broker cannot be reached
     */
    default boolean cutConnections() throws Exception {
        return false;
    }

    /**
     * Stops cutting connections: sources may connect again. Called after {@link #cutConnections()}, and
     * harmless otherwise. The default does nothing.
     *
     * @throws Exception when the broker cannot be reached
     */
    default void restoreConnections() throws Exception {
    }

    /**
     * Opens a source, with default settings, on a broker address where nothing listens (a free loopback
     * port), to check that a source that cannot connect keeps trying without delivering anything and still
     * closes promptly.
     *
     * @return the source (not started), or empty when this fixture cannot (the test is then skipped)
     */
    default Optional<EventSource> openUnreachable() {
        return Optional.empty();
    }

    /**
     * Starts recording Celery's remote-control broadcasts (the {@code celery.pidbox} fanout) in this
     * fixture's namespace, to see the wake-up a source sends when it starts, as Celery's
     * {@code EventReceiver.capture(wakeup=True)} does. Recording stops when the fixture is closed.
     *
     * @return {@code true} when recording (the source is then expected to wake the workers up);
     *         {@code false} when the sources do not send wake-ups or the fixture cannot see them (the test
     *         is then skipped, with a message)
     * @throws Exception when the broker cannot be reached
     */
    default boolean startRecordingBroadcasts() throws Exception {
        return false;
    }

    /**
     * The decoded bodies of the remote-control broadcasts recorded so far, in order, e.g.
     * {@code {"method": "heartbeat", "arguments": {}, "destination": null, "pattern": null, "matcher": null}}.
     *
     * @return a snapshot of the bodies
     */
    default List<Map<String, Object>> broadcasts() {
        return List.of();
    }

    /**
     * Removes what the test left on the broker and stops recording and cutting. The default does nothing.
     *
     * @throws Exception on failure
     */
    @Override
    default void close() throws Exception {
    }
}
