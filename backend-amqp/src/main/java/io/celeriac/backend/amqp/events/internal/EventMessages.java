package io.celeriac.backend.amqp.events.internal;

import io.celeriac.broker.CeleryTopology;
import io.celeriac.broker.ExchangeSpec;
import io.celeriac.broker.ExchangeType;
import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Celery's event messages on RabbitMQ, as kombu's pyamqp transport carries them: the raw JSON body (no envelope,
 * no base64), {@code content_type application/json}, {@code content_encoding utf-8}, the sender's
 * {@code hostname} header, transient, priority 0; and the remote-control {@code heartbeat} broadcast that wakes
 * the workers up. All methods are static and thread-safe.
 */
public final class EventMessages {

    /** The only serializer events are read in: kombu's {@code json}. */
    public static final String CONTENT_TYPE = "application/json";

    /** How long the wake-up broadcast is valid: the {@code timeout} of Celery's {@code broadcast}, 1 s. */
    private static final double WAKEUP_TIMEOUT_SECONDS = 1.0;

    private EventMessages() {
    }

    /**
     * The event exchange as Celery declares it: topic, durable, not auto-delete.
     *
     * @param name the exchange's name, {@code celeryev} by default
     * @return the declaration
     */
    public static ExchangeSpec exchange(String name) {
        return new ExchangeSpec(name, ExchangeType.TOPIC, true, false, Map.of());
    }

    /**
     * One event or a {@code task.multi} batch as Celery's event dispatcher publishes it.
     *
     * @param body the event (a map) or the batch (a list of maps)
     * @param hostname the sender, put in the {@code hostname} header
     * @return the message
     */
    public static Message event(Object body, String hostname) {
        return Message.builder().body(CeleryJson.encode(body)).contentType(CONTENT_TYPE).contentEncoding("utf-8")
                .header("hostname", hostname).deliveryMode(Message.TRANSIENT).priority(0).build();
    }

    /**
     * Celery's {@code EventReceiver.wakeup_workers}: the remote-control broadcast {@code heartbeat}, which every
     * worker answers with a worker-heartbeat. Sent to {@link CeleryTopology#PIDBOX_EXCHANGE} with routing key
     * {@code ""}, persistent, with the headers {@code clock} and {@code expires} (now + 1 s, a float).
     *
     * @param clock the sender's next Lamport clock value
     * @param now the current time
     * @return the message
     */
    public static Message wakeUp(long clock, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", "heartbeat");
        body.put("arguments", Map.of());
        body.put("destination", null);
        body.put("pattern", null);
        body.put("matcher", null);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("clock", clock);
        headers.put("expires", now.getEpochSecond() + now.getNano() / 1e9 + WAKEUP_TIMEOUT_SECONDS);
        return Message.builder().body(CeleryJson.encode(body)).contentType(CONTENT_TYPE).contentEncoding("utf-8")
                .headers(headers).deliveryMode(Message.PERSISTENT).priority(0).build();
    }

    /**
     * Why a received message cannot hold events, before its body is read: kombu accepts only the {@code json}
     * serializer for events (a message with no content type is kombu's raw {@code application/data}, which is
     * not an event either).
     *
     * @param m the message
     * @return the problem, or {@code null} when the body is to be read as JSON
     */
    public static String problem(Message m) {
        String ct = m.contentType();
        if (ct == null) {
            return "the message has no content type (kombu reads it as raw data), not '" + CONTENT_TYPE + "'";
        }
        if (!CONTENT_TYPE.equals(ct.strip().toLowerCase(Locale.ROOT))) {
            return "the message has content type '" + ct + "', not '" + CONTENT_TYPE + "'";
        }
        return null;
    }

    /**
     * The routing keys Celery publishes an event type under: the type with {@code -} turned into {@code .}.
     *
     * @param type the event type, e.g. {@code worker-heartbeat}
     * @return the routing key, e.g. {@code worker.heartbeat}
     */
    public static String routingKey(String type) {
        return CeleryTopology.eventRoutingKey(type);
    }
}
