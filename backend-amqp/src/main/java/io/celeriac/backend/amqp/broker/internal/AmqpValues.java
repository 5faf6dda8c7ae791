package io.celeriac.backend.amqp.broker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.celeriac.broker.Message;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between the broker model's JSON-like values and AMQP field tables, as py-amqp writes and reads them:
 * integers that fit in 32 bits travel as {@code I} (larger ones as {@code l}), strings as long strings {@code S},
 * booleans {@code t}, floats {@code d}, lists {@code A}, maps {@code F}, {@code null} as {@code V}; and between a
 * {@link Message} and AMQP's basic properties.
 */
final class AmqpValues {

    private AmqpValues() {
    }

    /** The model's headers or arguments as an AMQP table (insertion order kept). */
    static Map<String, Object> toTable(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, toWire(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object toWire(Object v) {
        if (v instanceof Long l) {
            return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) l.intValue() : l;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(toWire(o));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            return toTable((Map<String, Object>) map);
        }
        return v;
    }

    /** An AMQP table as the model's JSON-like values. */
    static Map<String, Object> fromTable(Map<String, Object> table) {
        if (table == null || table.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        table.forEach((k, v) -> out.put(k, fromWire(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object fromWire(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof LongString s) {
            return s.toString();
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue();
        }
        if (v instanceof Date d) {
            return d.getTime() / 1000;
        }
        if (v instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(fromWire(o));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            return fromTable((Map<String, Object>) map);
        }
        return v.toString();
    }

    /** kombu's properties of a message: every property present in the message, priority and delivery mode always. */
    static AMQP.BasicProperties properties(Message m) {
        return new AMQP.BasicProperties.Builder()
                .contentType(m.contentType())
                .contentEncoding(m.contentEncoding())
                .headers(toTable(m.headers()))
                .deliveryMode(m.deliveryMode())
                .priority(m.priority())
                .correlationId(m.correlationId())
                .replyTo(m.replyTo())
                .expiration(m.expiration())
                .messageId(m.messageId())
                .timestamp(m.timestamp() == null ? null : Date.from(m.timestamp()))
                .type(m.type())
                .userId(m.userId())
                .appId(m.appId())
                .build();
    }

    /** A received message. */
    static Message message(AMQP.BasicProperties p, byte[] body) {
        Message.Builder b = Message.builder().body(body)
                .contentType(p.getContentType())
                .contentEncoding(p.getContentEncoding())
                .headers(fromTable(p.getHeaders()))
                .correlationId(p.getCorrelationId())
                .replyTo(p.getReplyTo())
                .messageId(p.getMessageId())
                .timestamp(p.getTimestamp() == null ? null : p.getTimestamp().toInstant())
                .type(p.getType())
                .userId(p.getUserId())
                .appId(p.getAppId());
        Integer priority = p.getPriority();
        b.priority(priority == null ? 0 : Math.max(0, Math.min(255, priority)));
        Integer mode = p.getDeliveryMode();
        b.deliveryMode(mode != null && mode == Message.PERSISTENT ? Message.PERSISTENT : Message.TRANSIENT);
        String expiration = p.getExpiration();
        if (expiration != null && expiration.matches("[0-9]{1,18}")) {
            b.expiration(expiration);
        }
        return b.build();
    }
}
