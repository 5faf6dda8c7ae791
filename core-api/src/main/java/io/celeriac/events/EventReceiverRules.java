package io.celeriac.events;

import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import io.celeriac.state.LamportClock;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules Celery's {@code EventReceiver.event_from_message} applies to every event it receives, so that
 * every {@link EventSource} applies them the same way: decode a message body (one event, or a
 * {@code task.multi} list of them, possibly empty), then for each event
 * <ol>
 *   <li>{@code task-sent}: clients' clocks are not trusted, so the event's {@code clock} becomes
 *       {@code (local clock value or 1) - 1} and the local clock is adjusted with it;</li>
 *   <li>any other event: a missing (or non-numeric) {@code clock} is set to the local clock's
 *       {@code forward()}; a present one adjusts the local clock ({@code max(local, clock) + 1});</li>
 *   <li>localisation: when both {@code utcoffset} and {@code timestamp} are numbers,
 *       {@code timestamp -= (utcoffset - local utcoffset) × 3600}, where a utcoffset is Python's
 *       {@code time.timezone // 3600} (hours <em>west</em> of UTC, floored; {@code altzone} during DST). This
 *       is Celery's rule, kept for parity with Python's {@code State}; since event timestamps are already
 *       epoch seconds it shifts events from senders in another time zone by the zone difference (Celery's
 *       "Substantial drift" warnings). Turn it off with {@code localizeTimestamps = false};</li>
 *   <li>{@code local_received} is set to the wall clock's now, in epoch seconds.</li>
 * </ol>
 *
 * <p>Thread-safe: the Lamport clock is atomic and the rules keep no other state. The caller's maps are
 * never modified.
 */
public final class EventReceiverRules {

    private final LamportClock clock;
    private final Clock wallClock;
    private final ZoneId localZone;
    private final boolean localizeTimestamps;

    /**
     * Celery's receiver: a fresh Lamport clock, the system clock and time zone, timestamps localised.
     */
    public EventReceiverRules() {
        this(new LamportClock(), Clock.systemUTC(), ZoneId.systemDefault(), true);
    }

    /**
     * A receiver with explicit parts.
     *
     * @param clock the receiver's Lamport clock (Celery: {@code app.clock})
     * @param wallClock gives {@code local_received} and the instant at which the local utcoffset is taken
     * @param localZone the receiver's time zone, for the local utcoffset
     * @param localizeTimestamps whether to apply Celery's utcoffset localisation (rule 3)
     * @throws NullPointerException when an argument is null
     */
    public EventReceiverRules(LamportClock clock, Clock wallClock, ZoneId localZone, boolean localizeTimestamps) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.localZone = Objects.requireNonNull(localZone, "localZone");
        this.localizeTimestamps = localizeTimestamps;
    }

    /**
     * The receiver's Lamport clock.
     *
     * @return the clock
     */
    public LamportClock clock() {
        return clock;
    }

    /**
     * Applies the rules to one decoded event body.
     *
     * @param body the event's fields, as decoded from JSON; not modified
     * @return the event with the rules applied
     * @throws MalformedEventException when the body has no string {@code type}
     */
    public Event receive(Map<String, Object> body) {
        Objects.requireNonNull(body, "body");
        Object t = body.get("type");
        if (!(t instanceof String type)) {
            throw new MalformedEventException(null, List.of(t == null ? "it has no \"type\""
                    : "its \"type\" is not a string"));
        }
        Map<String, Object> fields = new LinkedHashMap<>(body);
        if ("task-sent".equals(type)) {
            long v = clock.value();
            long c = (v == 0 ? 1 : v) - 1;
            fields.put("clock", c);
            clock.adjust(c);
        } else if (fields.get("clock") instanceof Number n) {
            clock.adjust(n.longValue());
        } else {
            fields.put("clock", clock.forward());
        }
        Instant now = wallClock.instant();
        if (localizeTimestamps && fields.get("utcoffset") instanceof Number offset
                && fields.get("timestamp") instanceof Number ts) {
            fields.put("timestamp", adjustTimestamp(ts.doubleValue(), offset.doubleValue(), utcoffset(localZone, now)));
        }
        fields.put("local_received", now.getEpochSecond() + now.getNano() / 1e9);
        return new Event(type, fields);
    }

    /**
     * Applies the rules to a decoded message body: one event (a JSON object) or a batch (a JSON array of
     * objects, as {@code task.multi} carries them; an empty one gives no events). A malformed element is
     * reported and skipped; the others are still received (Celery loses the rest of such a batch).
     *
     * @param body the decoded body
     * @return the events and the problems
     */
    public Batch receiveBody(Object body) {
        List<Event> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (body instanceof Map<?, ?> m) {
            accept(m, -1, events, problems);
        } else if (body instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof Map<?, ?> m) {
                    accept(m, i, events, problems);
                } else {
                    problems.add("batch element " + i + " is not a JSON object");
                }
            }
        } else {
            problems.add("the body is " + (body == null ? "null" : "a " + body.getClass().getSimpleName())
                    + ", not an event object or a list of them");
        }
        return new Batch(events, problems);
    }

    /**
     * Decodes a JSON message body (UTF-8, as kombu's {@code json} serializer writes it) and applies the
     * rules, as {@link #receiveBody(Object)}.
     *
     * @param json the body's bytes, after base64 decoding of the envelope
     * @return the events and the problems; invalid JSON is one problem and no events
     */
    public Batch receiveJson(byte[] json) {
        Object body;
        try {
            body = CeleryJson.decode(json);
        } catch (JsonFormatException e) {
            return new Batch(List.of(), List.of("the body is not JSON: " + e.getMessage()));
        }
        return receiveBody(body);
    }

    @SuppressWarnings("unchecked")
    private void accept(Map<?, ?> m, int index, List<Event> events, List<String> problems) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                problems.add(where(index) + "has a non-string key");
                return;
            }
        }
        try {
            events.add(receive((Map<String, Object>) m));
        } catch (MalformedEventException e) {
            problems.add(where(index) + String.join(", ", e.problems()));
        }
    }

    private static String where(int index) {
        return index < 0 ? "the event " : "batch element " + index + " ";
    }

    /**
     * Python's {@code celery.utils.time.utcoffset()} for a zone at an instant: the offset in hours
     * <em>west</em> of UTC, floored ({@code -offsetSeconds // 3600}); UTC+2 gives -2, UTC+5:30 gives -6.
     *
     * @param zone the time zone
     * @param at the instant (daylight saving time counts as Python's {@code altzone})
     * @return the offset in hours west of UTC
     */
    public static int utcoffset(ZoneId zone, Instant at) {
        int east = zone.getRules().getOffset(at).getTotalSeconds();
        return Math.floorDiv(-east, 3600);
    }

    /**
     * Celery's {@code adjust_timestamp}: {@code timestamp - (utcoffset - localUtcoffset) * 3600}.
     *
     * @param timestamp the event's timestamp, epoch seconds
     * @param utcoffset the sender's utcoffset (hours west of UTC)
     * @param localUtcoffset the receiver's utcoffset
     * @return the localised timestamp
     */
    public static double adjustTimestamp(double timestamp, double utcoffset, int localUtcoffset) {
        return timestamp - (utcoffset - localUtcoffset) * 3600;
    }

    /**
     * What one message body gave.
     *
     * @param events the received events, in body order
     * @param problems why elements were skipped (empty when none were); an event source counts and logs
     *                 them
     */
    public record Batch(List<Event> events, List<String> problems) {
        /**
         * Freezes the lists.
         */
        public Batch {
            events = List.copyOf(events);
            problems = List.copyOf(problems);
        }
    }
}
