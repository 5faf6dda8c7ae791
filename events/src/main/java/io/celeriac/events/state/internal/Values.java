package io.celeriac.events.state.internal;

import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Conversions of decoded JSON event values to the types the state keeps.
 */
final class Values {

    private Values() {
    }

    /** Text as it is; any other non-null value as its JSON text (Celery's events always carry text). */
    static String text(Object v) {
        if (v == null || v instanceof String) {
            return (String) v;
        }
        try {
            return CeleryJson.encodeToString(v);
        } catch (JsonFormatException e) {
            return String.valueOf(v);
        }
    }

    /** A number as a double; null as NaN (absent); anything else also NaN. */
    static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Whether a value can be a number field: a number or null. */
    static boolean numeric(Object v) {
        return v == null || v instanceof Number;
    }

    static Integer integer(Object v) {
        return v instanceof Number n ? Integer.valueOf(n.intValue()) : null;
    }

    /** A list of numbers as an immutable list of doubles, or null when it is not one. */
    static List<Double> doubles(Object v) {
        if (!(v instanceof List<?> list)) {
            return null;
        }
        List<Double> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof Number n)) {
                return null;
            }
            out.add(n.doubleValue());
        }
        return Collections.unmodifiableList(out);
    }
}
