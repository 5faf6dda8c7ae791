package io.celeriac.backend.redis.internal;

import io.celeriac.broker.InvalidMessageException;
import io.celeriac.broker.Message;
import io.celeriac.events.MalformedEventException;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * kombu's message envelope on Redis, the one JSON object that the virtual transport pushes to a list or publishes
 * on a fanout channel ({@code kombu/transport/virtual/base.py:Channel.prepare_message} and
 * {@code _inplace_augment_message}): {@code body} (base64, {@code properties.body_encoding} says so),
 * {@code content-encoding}, {@code content-type}, {@code headers} and {@code properties} (the message's properties
 * as {@code Producer.publish} passes them, then {@code delivery_mode}, {@code expiration}, {@code delivery_info}
 * with the exchange and routing key, {@code priority}, {@code body_encoding} and {@code delivery_tag}), in that
 * order, as Python's {@code json.dumps} writes it. Shared by the broker and the events of this module. All methods
 * are static and thread-safe.
 */
public final class KombuEnvelope {

    /** The only serializer events are read in: kombu's {@code json}. */
    public static final String CONTENT_TYPE = "application/json";
    /** kombu's default {@code body_encoding} on Redis. */
    public static final String BASE64 = "base64";

    private KombuEnvelope() {
    }

    // ------------------------------------------------------------------------------------------
    // the broker's messages

    /**
     * One envelope read back: the message, where it was published and the transport's own fields.
     *
     * @param message the message (without the {@code redelivered} header kombu adds on a restore)
     * @param exchange {@code properties.delivery_info.exchange}, {@code ""} when absent
     * @param routingKey {@code properties.delivery_info.routing_key}, {@code ""} when absent
     * @param deliveryTag {@code properties.delivery_tag}, or {@code null} when absent
     * @param redelivered whether kombu restored it ({@code delivery_info.redelivered})
     */
    public record Decoded(Message message, String exchange, String routingKey, String deliveryTag,
                          boolean redelivered) {
    }

    /**
     * Wraps a message as kombu's {@code Producer.publish} does on Redis.
     *
     * @param m the message
     * @param exchange the exchange ({@code ""} for the default one)
     * @param routingKey the routing key
     * @param deliveryTag the delivery tag (kombu: a uuid4 made by the producer)
     * @return the envelope's JSON bytes (ASCII)
     */
    public static byte[] encode(Message m, String exchange, String routingKey, String deliveryTag) {
        Map<String, Object> properties = new LinkedHashMap<>();
        putIfSet(properties, "correlation_id", m.correlationId());
        putIfSet(properties, "reply_to", m.replyTo());
        putIfSet(properties, "message_id", m.messageId());
        if (m.timestamp() != null) {
            Instant t = m.timestamp();
            properties.put("timestamp", t.getNano() == 0 ? (Object) t.getEpochSecond()
                    : (Object) (t.getEpochSecond() + t.getNano() / 1e9));
        }
        putIfSet(properties, "type", m.type());
        putIfSet(properties, "user_id", m.userId());
        putIfSet(properties, "app_id", m.appId());
        properties.put("delivery_mode", m.deliveryMode());
        putIfSet(properties, "expiration", m.expiration());
        Map<String, Object> deliveryInfo = new LinkedHashMap<>();
        deliveryInfo.put("exchange", exchange);
        deliveryInfo.put("routing_key", routingKey);
        properties.put("delivery_info", deliveryInfo);
        properties.put("priority", m.priority());
        properties.put("body_encoding", BASE64);
        properties.put("delivery_tag", deliveryTag);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("body", Base64.getEncoder().encodeToString(m.body()));
        envelope.put("content-encoding", m.contentEncoding());
        envelope.put("content-type", m.contentType());
        envelope.put("headers", m.headers());
        envelope.put("properties", properties);
        return CeleryJson.encode(envelope);
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /**
     * Reads an envelope back into a message, as kombu's virtual {@code Message} does.
     *
     * @param raw the JSON bytes
     * @return the message and its transport fields
     * @throws InvalidMessageException saying why it is not a kombu envelope
     */
    public static Decoded decodeMessage(byte[] raw) {
        Object parsed;
        try {
            parsed = CeleryJson.decode(raw);
        } catch (JsonFormatException e) {
            throw new InvalidMessageException("the message is not JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> envelope)) {
            throw new InvalidMessageException("the message is not a kombu envelope (a JSON object)");
        }
        Map<?, ?> properties = envelope.get("properties") instanceof Map<?, ?> p ? p : Map.of();
        Map<?, ?> info = properties.get("delivery_info") instanceof Map<?, ?> d ? d : Map.of();
        boolean redelivered = Boolean.TRUE.equals(info.get("redelivered"));
        Message.Builder b = Message.builder();
        b.body(body(envelope.get("body"), properties.get("body_encoding")));
        b.contentType(text(envelope.get("content-type")));
        b.contentEncoding(text(envelope.get("content-encoding")));
        Object headers = envelope.get("headers");
        if (headers instanceof Map<?, ?> h) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : h.entrySet()) {
                copy.put(String.valueOf(e.getKey()), e.getValue());
            }
            if (redelivered && Boolean.TRUE.equals(copy.get("redelivered"))) {
                copy.remove("redelivered"); // added by kombu's restore, with delivery_info.redelivered
            }
            b.headers(copy);
        } else if (headers != null) {
            throw new InvalidMessageException("the message's headers are not a JSON object");
        }
        b.priority(priority(properties.get("priority")));
        b.deliveryMode(Long.valueOf(2).equals(properties.get("delivery_mode")) ? Message.PERSISTENT : Message.TRANSIENT);
        b.correlationId(text(properties.get("correlation_id")));
        b.replyTo(text(properties.get("reply_to")));
        b.messageId(text(properties.get("message_id")));
        b.type(text(properties.get("type")));
        b.userId(text(properties.get("user_id")));
        b.appId(text(properties.get("app_id")));
        b.timestamp(timestamp(properties.get("timestamp")));
        Object expiration = properties.get("expiration");
        if (expiration != null) {
            String e = expiration instanceof Number n ? wholeNumber(n) : String.valueOf(expiration);
            try {
                b.expiration(e);
            } catch (InvalidMessageException ex) {
                // kombu keeps any value; Redis never enforces it: drop one that is not whole milliseconds
            }
        }
        return new Decoded(b.build(), text(info.get("exchange"), ""), text(info.get("routing_key"), ""),
                text(properties.get("delivery_tag")), redelivered);
    }

    private static byte[] body(Object body, Object encoding) {
        if (body == null) {
            return new byte[0];
        }
        if (!(body instanceof String text)) {
            throw new InvalidMessageException("the message's body is not a string");
        }
        if (encoding == null || text.isEmpty()) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (!BASE64.equals(encoding)) {
            throw new InvalidMessageException("the message's body_encoding is '" + encoding + "', not base64");
        }
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException("the message's body is not valid base64 (" + e.getMessage() + ")");
        }
    }

    private static int priority(Object p) {
        if (p instanceof Long l) {
            return (int) Math.max(0, Math.min(255, l));
        }
        if (p instanceof Double d && !d.isNaN()) {
            return (int) Math.max(0, Math.min(255, d));
        }
        return 0;
    }

    private static Instant timestamp(Object t) {
        if (t instanceof Long l) {
            return Instant.ofEpochSecond(l);
        }
        if (t instanceof Double d && Double.isFinite(d)) {
            BigDecimal s = BigDecimal.valueOf(d);
            long seconds = s.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
            long nanos = s.subtract(BigDecimal.valueOf(seconds)).movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP)
                    .longValue();
            return Instant.ofEpochSecond(seconds, nanos);
        }
        return null;
    }

    private static String wholeNumber(Number n) {
        if (n instanceof Long || n instanceof BigInteger) {
            return n.toString();
        }
        return Long.toString((long) n.doubleValue());
    }

    private static String text(Object v) {
        return v == null ? null : v instanceof String s ? s : String.valueOf(v);
    }

    private static String text(Object v, String absent) {
        String s = text(v);
        return s == null ? absent : s;
    }

    /**
     * The envelope as kombu restores an unacknowledged message ({@code redis.py:Channel._do_restore_message}):
     * header {@code redelivered: true} and {@code delivery_info.redelivered: true} (neither when the envelope has
     * no headers object), every other byte of meaning kept.
     *
     * @param envelope the envelope's JSON
     * @return the restored envelope's JSON
     * @throws InvalidMessageException when it is not a JSON object
     */
    public static byte[] markRedelivered(byte[] envelope) {
        Object parsed;
        try {
            parsed = CeleryJson.decode(envelope);
        } catch (JsonFormatException e) {
            throw new InvalidMessageException("the message is not JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new InvalidMessageException("the message is not a kombu envelope (a JSON object)");
        }
        Map<String, Object> copy = mutable(m);
        if (copy.get("headers") instanceof Map<?, ?> h) {
            Map<String, Object> headers = mutable(h);
            headers.put("redelivered", true);
            copy.put("headers", headers);
            if (copy.get("properties") instanceof Map<?, ?> p && p.get("delivery_info") instanceof Map<?, ?> d) {
                Map<String, Object> properties = mutable(p);
                Map<String, Object> info = mutable(d);
                info.put("redelivered", true);
                properties.put("delivery_info", info);
                copy.put("properties", properties);
            }
        }
        return CeleryJson.encode(copy);
    }

    private static Map<String, Object> mutable(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    /**
     * A new delivery tag as kombu's producer makes one: a uuid4 string.
     *
     * @return the tag
     */
    public static String newDeliveryTag() {
        return UUID.randomUUID().toString();
    }

    // ------------------------------------------------------------------------------------------
    // events

    /**
     * Wraps an event body (one event or a list of them) as kombu's producer does for Celery's event dispatcher:
     * transient, with the sender's {@code hostname} header.
     *
     * @param body the event or the batch
     * @param exchange the event exchange
     * @param routingKey the routing key
     * @param hostname the sender, put in the {@code hostname} header
     * @return the envelope's JSON bytes
     */
    public static byte[] encodeEvent(Object body, String exchange, String routingKey, String hostname) {
        return encode(body, exchange, routingKey, Map.of("hostname", hostname), Message.TRANSIENT);
    }

    /**
     * Wraps a JSON body as kombu's producer does.
     *
     * @param body the body, encoded with Celery's JSON
     * @param exchange the exchange's name
     * @param routingKey the routing key
     * @param headers the message headers
     * @param deliveryMode 1 (transient) or 2 (persistent)
     * @return the envelope's JSON bytes
     */
    public static byte[] encode(Object body, String exchange, String routingKey, Map<String, Object> headers,
                                int deliveryMode) {
        Message m = Message.builder().body(CeleryJson.encode(body)).headers(headers).deliveryMode(deliveryMode).build();
        return encode(m, exchange, routingKey, newDeliveryTag());
    }

    /**
     * Unwraps a published event envelope to the body's JSON bytes.
     *
     * @param message the published bytes
     * @return the body's bytes
     * @throws MalformedEventException saying why the message is not a JSON event envelope
     */
    public static byte[] decode(byte[] message) {
        Object parsed;
        try {
            parsed = CeleryJson.decode(message);
        } catch (JsonFormatException e) {
            throw rejected("is not JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> envelope)) {
            throw rejected("is not a kombu envelope (a JSON object)");
        }
        Object contentType = envelope.get("content-type");
        if (!(contentType instanceof String ct) || !CONTENT_TYPE.equals(ct.strip().toLowerCase(Locale.ROOT))) {
            throw rejected("has " + (contentType == null ? "no content-type"
                    : "content-type '" + contentType + "'") + ", not '" + CONTENT_TYPE + "'");
        }
        Object body = envelope.get("body");
        if (!(body instanceof String text)) {
            throw rejected(body == null ? "has no body" : "has a body that is not a string");
        }
        String encoding = null;
        if (envelope.get("properties") instanceof Map<?, ?> props && props.get("body_encoding") instanceof String be) {
            encoding = be;
        }
        if (encoding == null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (!BASE64.equals(encoding)) {
            throw rejected("has body_encoding '" + encoding + "', not base64");
        }
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw rejected("has a body that is not valid base64 (" + e.getMessage() + ")");
        }
    }

    private static MalformedEventException rejected(String reason) {
        return new MalformedEventException(null, List.of("the message " + reason));
    }
}
