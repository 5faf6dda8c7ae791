package io.celeriac.task;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * The times of a task message ({@code eta}, {@code expires}) as Celery writes and reads them: Python's
 * {@code datetime.isoformat()} of an aware UTC time, {@code 2026-12-07T01:54:30.410386+00:00}, the microseconds
 * left out when they are zero. Reading accepts any offset, {@code Z}, or no offset at all (a naive time, which
 * Celery with {@code enable_utc} reads as UTC). All methods are static and thread-safe.
 */
public final class CeleryTimes {

    private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss").optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private CeleryTimes() {
    }

    /**
     * Formats an instant as Celery writes {@code eta} and {@code expires}: UTC, microseconds, {@code +00:00}.
     *
     * @param instant the time; anything finer than a microsecond is dropped
     * @return the text
     */
    public static String format(Instant instant) {
        OffsetDateTime t = instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(32);
        sb.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                t.getHour(), t.getMinute(), t.getSecond()));
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            sb.append('.').append(String.format("%06d", micros));
        }
        return sb.append("+00:00").toString();
    }

    /**
     * Parses a time Celery wrote; a time without an offset is read as UTC.
     *
     * @param text the ISO-8601 text
     * @return the instant
     * @throws InvalidTaskMessageException when the text is not an ISO-8601 date and time
     */
    public static Instant parse(String text) {
        if (text == null) {
            throw new InvalidTaskMessageException("a time cannot be null");
        }
        try {
            TemporalAccessor t = PARSER.parse(text.strip());
            LocalDateTime local = LocalDateTime.of(t.get(ChronoField.YEAR), t.get(ChronoField.MONTH_OF_YEAR),
                    t.get(ChronoField.DAY_OF_MONTH), t.get(ChronoField.HOUR_OF_DAY), t.get(ChronoField.MINUTE_OF_HOUR),
                    t.isSupported(ChronoField.SECOND_OF_MINUTE) ? t.get(ChronoField.SECOND_OF_MINUTE) : 0,
                    t.isSupported(ChronoField.NANO_OF_SECOND) ? t.get(ChronoField.NANO_OF_SECOND) : 0);
            ZoneOffset offset = t.isSupported(ChronoField.OFFSET_SECONDS)
                    ? ZoneOffset.ofTotalSeconds(t.get(ChronoField.OFFSET_SECONDS)) : ZoneOffset.UTC;
            return local.toInstant(offset);
        } catch (java.time.DateTimeException e) {
            throw new InvalidTaskMessageException("'" + text + "' is not an ISO-8601 date and time", e);
        }
    }
}
