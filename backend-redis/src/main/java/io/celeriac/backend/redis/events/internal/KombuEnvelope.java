package io.celeriac.backend.redis.events.internal;

import io.celeriac.events.MalformedEventException;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * kombu's message envelope as the Redis transport publishes an event: a JSON object with the base64 body,
 * {@code content-encoding}, {@code content-type}, {@code headers} and {@code properties} (in that order).
 * All methods are static and thread-safe.
 */
public final class KombuEnvelope {

    /** The only serializer events are read in: kombu's {@code json}. */
    public static final String CONTENT_TYPE = "application/json";

    private KombuEnvelope() {
    }

    /**
     * Wraps an event body (one event or a list of them) as kombu's producer does for Celery's event dispatcher:
     * transient, with the sender's {@code hostname} header.
     *
     * @param body the event or the batch
     * @param routingKey the routing key
     * @param hostname the sender, put in the {@code hostname} header
     * @return the envelope's JSON bytes
     */
    public static byte[] encode(Object body, String routingKey, String hostname) {
        return encode(body, EventChannels.EXCHANGE, routingKey, Map.of("hostname", hostname), 1);
    }

    /**
     * Wraps a JSON body as kombu's producer does.
     *
     * @param body the body
     * @param exchange the exchange's name
     * @param routingKey the routing key
     * @param headers the message headers
     * @param deliveryMode 1 (transient) or 2 (persistent)
     * @return the envelope's JSON bytes
     */
    public static byte[] encode(Object body, String exchange, String routingKey, Map<String, Object> headers,
                                int deliveryMode) {
        Map<String, Object> deliveryInfo = new LinkedHashMap<>();
        deliveryInfo.put("exchange", exchange);
        deliveryInfo.put("routing_key", routingKey);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("delivery_mode", deliveryMode);
        properties.put("delivery_info", deliveryInfo);
        properties.put("priority", 0);
        properties.put("body_encoding", "base64");
        properties.put("delivery_tag", UUID.randomUUID().toString());
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("body", Base64.getEncoder().encodeToString(CeleryJson.encode(body)));
        envelope.put("content-encoding", "utf-8");
        envelope.put("content-type", CONTENT_TYPE);
        envelope.put("headers", headers);
        envelope.put("properties", properties);
        return CeleryJson.encode(envelope);
    }

    /**
     * Unwraps a published envelope to the body's JSON bytes.
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
        if (!"base64".equals(encoding)) {
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
