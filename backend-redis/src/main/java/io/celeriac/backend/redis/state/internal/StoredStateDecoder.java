package io.celeriac.backend.redis.state.internal;

import io.celeriac.state.CorruptStateException;
import io.celeriac.state.RevokedEntries;
import io.celeriac.state.spi.StoredState;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads what the {@link StateScripts#LOAD} and {@link StateScripts#CHECK} scripts answer and judges it: the
 * revoked ids must be a sorted set (or absent) of UTF-8 ids with finite scores, the clock a string (or
 * absent) holding a decimal integer that fits a Java {@code long}. Anything else is refused with a
 * {@link CorruptStateException} naming the key and what it holds; nothing is changed. Stateless.
 */
public final class StoredStateDecoder {

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,30}");

    private final String location;
    private final String revokedKey;
    private final String clockKey;

    /**
     * Creates the decoder of one store.
     *
     * @param location the store's location, for messages
     * @param revokedKey the key of the revoked ids
     * @param clockKey the key of the clock
     */
    public StoredStateDecoder(String location, String revokedKey, String clockKey) {
        this.location = location;
        this.revokedKey = revokedKey;
        this.clockKey = clockKey;
    }

    /**
     * Judges the answer of {@link StateScripts#CHECK} (or the first three items of {@link StateScripts#LOAD}).
     *
     * @param reply the script's answer
     * @return the stored clock, 0 when absent
     * @throws CorruptStateException when a key holds a value of another type or the clock is not a number
     */
    public long check(Object reply) {
        List<?> items = list(reply);
        String revokedType = text(items.get(0));
        String clockType = text(items.get(1));
        if (!revokedType.equals("zset") && !revokedType.equals("none")) {
            throw new CorruptStateException(location, "the key " + revokedKey + " holds " + article(revokedType)
                    + ", not the sorted set of revoked ids; it was left as it is. Delete or rename it (or choose another"
                    + " state_name) once you have checked what wrote it");
        }
        if (!clockType.equals("string") && !clockType.equals("none")) {
            throw new CorruptStateException(location, "the key " + clockKey + " holds " + article(clockType)
                    + ", not the clock (a string holding a decimal integer); it was left as it is. Delete or rename it"
                    + " (or choose another state_name) once you have checked what wrote it");
        }
        return clockType.equals("none") ? 0 : clock(bytes(items.get(2)));
    }

    /**
     * Judges and decodes the answer of {@link StateScripts#LOAD}.
     *
     * @param reply the script's answer
     * @return the stored ids, oldest first, and the clock
     * @throws CorruptStateException when a key holds a value of another type, the clock is not a number, an
     *         id is not UTF-8 or a score is not a finite timestamp
     */
    public StoredState load(Object reply) {
        long clock = check(reply);
        List<?> entries = list(list(reply).get(3));
        int n = entries.size() / 2;
        RevokedEntries.Builder b = RevokedEntries.builder(n);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int i = 0; i < n; i++) {
            byte[] member = bytes(entries.get(2 * i));
            String id;
            try {
                id = isAscii(member) ? new String(member, StandardCharsets.ISO_8859_1) : decoder.decode(ByteBuffer.wrap(member)).toString();
            } catch (CharacterCodingException e) {
                throw new CorruptStateException(location, "the sorted set " + revokedKey + " holds a member that is not UTF-8 text ("
                        + member.length + " bytes), so it is not a task id; it was left as it is");
            }
            String score = text(entries.get(2 * i + 1));
            double ts;
            try {
                ts = Double.parseDouble(score);
            } catch (NumberFormatException e) {
                ts = Double.NaN;
            }
            if (Double.isNaN(ts) || Double.isInfinite(ts)) {
                throw new CorruptStateException(location, "the sorted set " + revokedKey + " gives the id " + shorten(id)
                        + " the score " + shorten(score) + ", not a wall-clock timestamp; it was left as it is");
            }
            b.add(id, WriteQueue.micros(ts));
        }
        return new StoredState(b.buildDistinct(), clock);
    }

    private long clock(byte[] value) {
        String v = new String(value, StandardCharsets.UTF_8);
        if (INTEGER.matcher(v).matches()) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new CorruptStateException(location, "the key " + clockKey + " holds " + shorten(v)
                        + ", a number too large for a clock; it was left as it is");
            }
        }
        throw new CorruptStateException(location, "the key " + clockKey + " holds '" + shorten(v)
                + "', not a clock (a decimal integer); it was left as it is. Delete it or set it to a number once you"
                + " have checked what wrote it");
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    private static String article(String redisType) {
        return "a Redis " + redisType;
    }

    private static List<?> list(Object o) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new IllegalStateException("the state script answered " + o + ", not a list");
    }

    private static byte[] bytes(Object o) {
        if (o instanceof byte[] b) {
            return b;
        }
        throw new IllegalStateException("the state script answered " + o + ", not a string");
    }

    private static String text(Object o) {
        return new String(bytes(o), StandardCharsets.UTF_8);
    }

    private static String shorten(String s) {
        String clean = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
    }
}
