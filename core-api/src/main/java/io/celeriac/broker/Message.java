package io.celeriac.broker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message as kombu publishes it on every transport: body bytes, content type and encoding, headers, and
 * kombu's properties ({@code correlation_id}, {@code reply_to}, {@code priority}, {@code delivery_mode},
 * {@code expiration}, ...). Exchange and routing key are given when publishing; a consumer finds them in the
 * {@link Delivery}.
 *
 * <p>Header values are JSON-like Java values: {@code null}, {@link String}, {@link Long}, {@link Boolean},
 * {@link Double}, {@link java.util.List} and {@link Map} (string keys), nested. The builder accepts
 * {@code Integer}, {@code Short}, {@code Byte} and {@code Float} too and stores them as {@code Long} and
 * {@code Double}. On RabbitMQ they travel as py-amqp sends them (strings as long strings {@code S}, integers as
 * {@code I} when they fit in 32 bits, booleans {@code t}, lists {@code A}, maps {@code F}, {@code null} as
 * {@code V}); on Redis as kombu's JSON envelope.
 *
 * <p>The defaults are kombu's for a task message: {@code priority} 0, {@code delivery_mode} 2 (persistent),
 * {@code content_type} {@code application/json}, {@code content_encoding} {@code utf-8}, no headers, the other
 * properties absent ({@code null}). Immutable and thread-safe; build one with {@link #builder()}.
 */
public final class Message {

    /** {@code delivery_mode} 1: not written to disk by the broker (kombu's {@code TRANSIENT_DELIVERY_MODE}). */
    public static final int TRANSIENT = 1;
    /** {@code delivery_mode} 2: written to disk in a durable queue (kombu's {@code PERSISTENT_DELIVERY_MODE}). */
    public static final int PERSISTENT = 2;

    private final byte[] body;
    private final String contentType;
    private final String contentEncoding;
    private final Map<String, Object> headers;
    private final int priority;
    private final int deliveryMode;
    private final String correlationId;
    private final String replyTo;
    private final String expiration;
    private final String messageId;
    private final Instant timestamp;
    private final String type;
    private final String userId;
    private final String appId;

    private Message(Builder b) {
        this.body = b.body;
        this.contentType = b.contentType;
        this.contentEncoding = b.contentEncoding;
        this.headers = JsonValues.copyMap(b.headers, "header", InvalidMessageException::new);
        this.priority = b.priority;
        this.deliveryMode = b.deliveryMode;
        this.correlationId = b.correlationId;
        this.replyTo = b.replyTo;
        this.expiration = b.expiration;
        this.messageId = b.messageId;
        this.timestamp = b.timestamp;
        this.type = b.type;
        this.userId = b.userId;
        this.appId = b.appId;
    }

    /**
     * A builder with kombu's defaults and an empty body.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this message.
     *
     * @return a builder holding every field of this message
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.body = body;
        b.contentType = contentType;
        b.contentEncoding = contentEncoding;
        b.headers.putAll(headers);
        b.priority = priority;
        b.deliveryMode = deliveryMode;
        b.correlationId = correlationId;
        b.replyTo = replyTo;
        b.expiration = expiration;
        b.messageId = messageId;
        b.timestamp = timestamp;
        b.type = type;
        b.userId = userId;
        b.appId = appId;
        return b;
    }

    /** @return a copy of the body bytes */
    public byte[] body() {
        return body.clone();
    }

    /** @return the body's length in bytes */
    public int bodyLength() {
        return body.length;
    }

    /** @return the body decoded as UTF-8 */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** @return the content type ({@code application/json} for Celery), or {@code null} when absent */
    public String contentType() {
        return contentType;
    }

    /** @return the content encoding ({@code utf-8} for Celery), or {@code null} when absent */
    public String contentEncoding() {
        return contentEncoding;
    }

    /** @return the headers, in order, unmodifiable, never {@code null} */
    public Map<String, Object> headers() {
        return headers;
    }

    /**
     * One header.
     *
     * @param name the header
     * @return its value, {@code null} when absent or null
     */
    public Object header(String name) {
        return headers.get(name);
    }

    /** @return the priority, 0 to 255 (0 when a received message had none) */
    public int priority() {
        return priority;
    }

    /** @return {@link #TRANSIENT} or {@link #PERSISTENT} (a received message without one reads as transient) */
    public int deliveryMode() {
        return deliveryMode;
    }

    /** @return the correlation id (Celery: the task id), or {@code null} */
    public String correlationId() {
        return correlationId;
    }

    /** @return the reply-to queue or key, or {@code null} */
    public String replyTo() {
        return replyTo;
    }

    /** @return the per-message TTL in whole milliseconds as a decimal string (kombu's form), or {@code null} */
    public String expiration() {
        return expiration;
    }

    /** @return the message id, or {@code null} */
    public String messageId() {
        return messageId;
    }

    /** @return the timestamp (whole seconds on AMQP), or {@code null} */
    public Instant timestamp() {
        return timestamp;
    }

    /** @return the message type, or {@code null} */
    public String type() {
        return type;
    }

    /** @return the user id, or {@code null} */
    public String userId() {
        return userId;
    }

    /** @return the application id, or {@code null} */
    public String appId() {
        return appId;
    }

    /**
     * Equal when every field is, the body byte for byte.
     *
     * @param o the other object
     * @return whether equal
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Message m)) {
            return false;
        }
        return Arrays.equals(body, m.body) && Objects.equals(contentType, m.contentType)
                && Objects.equals(contentEncoding, m.contentEncoding) && headers.equals(m.headers)
                && priority == m.priority && deliveryMode == m.deliveryMode
                && Objects.equals(correlationId, m.correlationId) && Objects.equals(replyTo, m.replyTo)
                && Objects.equals(expiration, m.expiration) && Objects.equals(messageId, m.messageId)
                && Objects.equals(timestamp, m.timestamp) && Objects.equals(type, m.type)
                && Objects.equals(userId, m.userId) && Objects.equals(appId, m.appId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(body), contentType, contentEncoding, headers, priority, deliveryMode,
                correlationId, replyTo, expiration, messageId);
    }

    /**
     * A description with the body's size and the header names only.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "Message[" + body.length + " bytes, contentType=" + contentType + ", contentEncoding=" + contentEncoding
                + ", headers=" + headers.keySet() + ", priority=" + priority + ", deliveryMode=" + deliveryMode
                + (correlationId == null ? "" : ", correlationId=" + correlationId)
                + (replyTo == null ? "" : ", replyTo=" + replyTo)
                + (expiration == null ? "" : ", expiration=" + expiration) + "]";
    }

    /**
     * A mutable builder of {@link Message}; not thread-safe. Every setter checks its argument and throws
     * {@link InvalidMessageException} for a value the wire cannot carry.
     */
    public static final class Builder {
        private static final byte[] EMPTY = new byte[0];

        private byte[] body = EMPTY;
        private String contentType = "application/json";
        private String contentEncoding = "utf-8";
        private final Map<String, Object> headers = new LinkedHashMap<>();
        private int priority = 0;
        private int deliveryMode = PERSISTENT;
        private String correlationId;
        private String replyTo;
        private String expiration;
        private String messageId;
        private Instant timestamp;
        private String type;
        private String userId;
        private String appId;

        private Builder() {
        }

        /**
         * The body bytes (copied).
         *
         * @param v the bytes, not {@code null}
         * @return this builder
         */
        public Builder body(byte[] v) {
            body = Objects.requireNonNull(v, "body").clone();
            return this;
        }

        /**
         * The body as UTF-8 text.
         *
         * @param v the text, not {@code null}
         * @return this builder
         */
        public Builder body(String v) {
            body = Objects.requireNonNull(v, "body").getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * The content type.
         *
         * @param v e.g. {@code application/json}, or {@code null} for none
         * @return this builder
         */
        public Builder contentType(String v) {
            contentType = checkShort(v, "content type");
            return this;
        }

        /**
         * The content encoding.
         *
         * @param v e.g. {@code utf-8}, {@code binary}, or {@code null} for none
         * @return this builder
         */
        public Builder contentEncoding(String v) {
            contentEncoding = checkShort(v, "content encoding");
            return this;
        }

        /**
         * Adds or replaces one header (in the order first added).
         *
         * @param name the header name
         * @param value a JSON-like value, may be {@code null}
         * @return this builder
         * @throws InvalidMessageException when the value is not a JSON-like value
         */
        public Builder header(String name, Object value) {
            if (name == null) {
                throw new InvalidMessageException("a header name cannot be null");
            }
            headers.put(name, JsonValues.normalize(value, "header '" + name + "'", InvalidMessageException::new));
            return this;
        }

        /**
         * Replaces every header.
         *
         * @param v the headers, in order; {@code null} for none
         * @return this builder
         * @throws InvalidMessageException when a value is not a JSON-like value
         */
        public Builder headers(Map<String, ?> v) {
            headers.clear();
            headers.putAll(JsonValues.copyMap(v, "header", InvalidMessageException::new));
            return this;
        }

        /**
         * The priority.
         *
         * @param v 0 to 255 (Celery: 0 to 9; 0 by default)
         * @return this builder
         * @throws InvalidMessageException when outside 0..255
         */
        public Builder priority(int v) {
            if (v < 0 || v > 255) {
                throw new InvalidMessageException("the priority must be from 0 to 255, not " + v);
            }
            priority = v;
            return this;
        }

        /**
         * The delivery mode.
         *
         * @param v {@link #TRANSIENT} (1) or {@link #PERSISTENT} (2)
         * @return this builder
         * @throws InvalidMessageException for any other value
         */
        public Builder deliveryMode(int v) {
            if (v != TRANSIENT && v != PERSISTENT) {
                throw new InvalidMessageException("the delivery mode must be 1 (transient) or 2 (persistent), not " + v);
            }
            deliveryMode = v;
            return this;
        }

        /**
         * The correlation id.
         *
         * @param v the id, or {@code null}
         * @return this builder
         */
        public Builder correlationId(String v) {
            correlationId = checkShort(v, "correlation id");
            return this;
        }

        /**
         * The reply-to.
         *
         * @param v a queue name or routing key, or {@code null}
         * @return this builder
         */
        public Builder replyTo(String v) {
            replyTo = checkShort(v, "reply-to");
            return this;
        }

        /**
         * The per-message TTL as kombu writes it: whole milliseconds as a decimal string.
         *
         * @param v e.g. {@code "60000"}, or {@code null} for none
         * @return this builder
         * @throws InvalidMessageException when not a non-negative whole number
         */
        public Builder expiration(String v) {
            if (v != null && !v.matches("[0-9]{1,18}")) {
                throw new InvalidMessageException("the expiration must be a whole number of milliseconds, not '" + v + "'");
            }
            expiration = v;
            return this;
        }

        /**
         * The per-message TTL, as kombu's {@code Producer.publish(expiration=seconds)} turns it into
         * {@code str(int(seconds * 1000))}.
         *
         * @param v the TTL, not negative; {@code null} for none
         * @return this builder
         * @throws InvalidMessageException when negative
         */
        public Builder expiration(java.time.Duration v) {
            if (v == null) {
                expiration = null;
                return this;
            }
            if (v.isNegative()) {
                throw new InvalidMessageException("the expiration cannot be negative: " + v);
            }
            expiration = Long.toString(v.toMillis());
            return this;
        }

        /**
         * The message id.
         *
         * @param v the id, or {@code null}
         * @return this builder
         */
        public Builder messageId(String v) {
            messageId = checkShort(v, "message id");
            return this;
        }

        /**
         * The timestamp (AMQP keeps whole seconds).
         *
         * @param v the time, or {@code null}
         * @return this builder
         */
        public Builder timestamp(Instant v) {
            timestamp = v;
            return this;
        }

        /**
         * The message type.
         *
         * @param v the type, or {@code null}
         * @return this builder
         */
        public Builder type(String v) {
            type = checkShort(v, "type");
            return this;
        }

        /**
         * The user id (RabbitMQ checks it against the connection's user).
         *
         * @param v the user, or {@code null}
         * @return this builder
         */
        public Builder userId(String v) {
            userId = checkShort(v, "user id");
            return this;
        }

        /**
         * The application id.
         *
         * @param v the id, or {@code null}
         * @return this builder
         */
        public Builder appId(String v) {
            appId = checkShort(v, "app id");
            return this;
        }

        private static String checkShort(String v, String what) {
            if (v != null) {
                JsonValues.checkShortString(v, what, InvalidMessageException::new);
            }
            return v;
        }

        /**
         * Builds the message.
         *
         * @return the message
         */
        public Message build() {
            return new Message(this);
        }
    }
}
