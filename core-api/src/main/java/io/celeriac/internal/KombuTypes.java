package io.celeriac.internal;

import io.celeriac.json.JsonFormatException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * kombu 5.3's typed JSON values, {@code {"__type__": T, "__value__": V}}: {@code datetime}, {@code date},
 * {@code time}, {@code decimal}, {@code uuid} ({@code {"hex": ...}}), {@code bytes} (UTF-8 text) and
 * {@code base64}. Celery 5.3 and later write Python's datetimes, dates, times, Decimals, UUIDs and bytes this way;
 * celeriac reads them as {@link OffsetDateTime} or {@link LocalDateTime}, {@link LocalDate}, {@link LocalTime} or
 * {@link OffsetTime}, {@link BigDecimal}, {@link UUID} and {@code byte[]}. A wrapper with an unknown type stays a
 * map (Python raises on it).
 */
public final class KombuTypes {

    /** The wrapper's type key. */
    public static final String TYPE = "__type__";
    /** The wrapper's value key. */
    public static final String VALUE = "__value__";
    private static final Set<String> KNOWN = Set.of("datetime", "date", "time", "decimal", "uuid", "bytes", "base64");

    private KombuTypes() {
    }

    /**
     * Whether a map has exactly the two keys of a kombu typed value (whatever its type), so that Celery 5.3 and
     * later would read it as one rather than as a dict.
     *
     * @param map the map
     * @return {@code true} for {@code {"__type__", "__value__"}}
     */
    public static boolean looksLikeWrapper(Map<?, ?> map) {
        return map.size() == 2 && map.containsKey(TYPE) && map.containsKey(VALUE);
    }

    /**
     * The Java value of a typed value, or the map itself when it is not one of kombu's known types.
     *
     * @param map a decoded JSON object
     * @return the Java value or {@code map}
     * @throws JsonFormatException when a known type carries a value it cannot have
     */
    public static Object fromWrapper(Map<String, Object> map) {
        if (!looksLikeWrapper(map) || !(map.get(TYPE) instanceof String type) || !KNOWN.contains(type)) {
            return map;
        }
        Object v = map.get(VALUE);
        try {
            switch (type) {
                case "datetime": {
                    String s = text(type, v);
                    return hasOffset(s, 19) ? OffsetDateTime.parse(s) : LocalDateTime.parse(s);
                }
                case "date":
                    return LocalDate.parse(text(type, v).substring(0, Math.min(10, text(type, v).length())));
                case "time": {
                    String s = text(type, v);
                    return hasOffset(s, 8) ? OffsetTime.parse(s) : LocalTime.parse(s);
                }
                case "decimal":
                    return new BigDecimal(text(type, v));
                case "uuid":
                    if (v instanceof Map<?, ?> m && m.get("hex") instanceof String hex && hex.length() == 32) {
                        return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16),
                                Long.parseUnsignedLong(hex.substring(16), 16));
                    }
                    throw new JsonFormatException("a kombu uuid value must be {\"hex\": <32 hex digits>}, not " + v);
                case "bytes":
                    return text(type, v).getBytes(StandardCharsets.UTF_8);
                default:
                    return Base64.getDecoder().decode(text(type, v));
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new JsonFormatException("a kombu " + type + " value cannot be read: " + v, e);
        }
    }

    /**
     * The kombu 5.3 typed value for a Java value, or {@code null} when the value has no typed form.
     *
     * @param value a Java value
     * @return {@code {"__type__", "__value__"}} or {@code null}
     */
    public static Map<String, Object> toWrapper(Object value) {
        if (value instanceof OffsetDateTime t) {
            return wrap("datetime", KombuJsonWriter.isoUtc(t.toLocalDateTime()) + offset(t.getOffset().getId()));
        }
        if (value instanceof java.time.ZonedDateTime t) {
            return wrap("datetime", KombuJsonWriter.isoUtc(t.toLocalDateTime()) + offset(t.getOffset().getId()));
        }
        if (value instanceof java.time.Instant t) {
            return wrap("datetime", KombuJsonWriter.isoUtc(LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC))
                    + "+00:00");
        }
        if (value instanceof LocalDateTime t) {
            return wrap("datetime", KombuJsonWriter.isoUtc(t));
        }
        if (value instanceof LocalDate d) {
            return wrap("date", d.toString());
        }
        if (value instanceof LocalTime t) {
            return wrap("time", KombuJsonWriter.isoUtc(t.atDate(LocalDate.EPOCH)).substring(11));
        }
        if (value instanceof OffsetTime t) {
            return wrap("time", KombuJsonWriter.isoUtc(t.toLocalTime().atDate(LocalDate.EPOCH)).substring(11)
                    + offset(t.getOffset().getId()));
        }
        if (value instanceof BigDecimal d) {
            return wrap("decimal", d.toString());
        }
        if (value instanceof UUID u) {
            return wrap("uuid", Map.of("hex", u.toString().replace("-", "")));
        }
        if (value instanceof byte[] b) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
                return wrap("bytes", text);
            } catch (CharacterCodingException e) {
                return wrap("base64", Base64.getEncoder().encodeToString(b));
            }
        }
        return null;
    }

    private static String offset(String id) {
        return "Z".equals(id) ? "+00:00" : id;
    }

    private static Map<String, Object> wrap(String type, Object value) {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        m.put(TYPE, type);
        m.put(VALUE, value);
        return m;
    }

    private static boolean hasOffset(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '-' || c == 'Z') {
                return true;
            }
        }
        return false;
    }

    private static String text(String type, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw new JsonFormatException("a kombu " + type + " value must be text, not " + v);
    }
}
