package io.celeriac.monitor.internal;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A search of the task list with Flower's parameters: {@code limit}, {@code offset}, {@code state},
 * {@code workername}, {@code taskname}, {@code sort_by} ({@code name, state, received, started}, {@code -} for
 * descending), {@code received_start}/{@code received_end} ({@code YYYY-MM-DD HH:MM} in the server's time zone as
 * Flower reads them, or epoch seconds) and {@code search}: words that must all appear in the id, name, args,
 * kwargs, result or exception, or {@code field:value} for one field ({@code name, state, worker, args, kwargs,
 * result, uuid}). Without {@code sort_by} the newest task comes first. Immutable.
 *
 * @param limit the most tasks (0 = no limit)
 * @param offset how many to skip
 * @param states the states accepted (empty = any)
 * @param worker the worker's hostname, or {@code null}
 * @param name the task name, or {@code null}
 * @param sortBy the column to sort by ({@code timestamp} by default)
 * @param descending whether the order is descending
 * @param receivedStart the earliest received time (epoch seconds), or {@code null}
 * @param receivedEnd the latest received time (epoch seconds), or {@code null}
 * @param terms the search terms: {@code [field or null, lower-cased text]}
 */
record TaskQuery(int limit, int offset, List<String> states, String worker, String name, String sortBy,
                 boolean descending, Double receivedStart, Double receivedEnd, List<String[]> terms) {

    /** Flower's sort keys. */
    static final Set<String> SORT_KEYS = Set.of("name", "state", "received", "started");
    /** The fields a {@code field:value} term may name. */
    static final Set<String> SEARCH_FIELDS = Set.of("name", "state", "worker", "args", "kwargs", "result", "uuid",
            "exception");
    /** The most results one request returns. */
    static final int MAX_LIMIT = 10_000;

    /** A query parameter was invalid; the message says which (HTTP 400). */
    static final class BadQueryException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadQueryException(String message) {
            super(message);
        }
    }

    /**
     * Parses Flower's query parameters.
     *
     * @param p the parameters
     * @param defaultLimit the limit when none is given
     * @return the query
     * @throws BadQueryException for an invalid value
     */
    static TaskQuery parse(Map<String, String> p, int defaultLimit) {
        int limit = intParam(p, "limit", defaultLimit);
        if (limit <= 0 || limit > MAX_LIMIT) {
            limit = MAX_LIMIT;
        }
        int offset = Math.max(0, intParam(p, "offset", 0));
        List<String> states = new ArrayList<>();
        String state = all(p.get("state"));
        if (state != null) {
            for (String s : state.split(",")) {
                if (!s.isBlank()) {
                    states.add(s.strip().toUpperCase(Locale.ROOT));
                }
            }
        }
        String sort = p.get("sort_by");
        String sortBy = "timestamp";
        boolean descending = true;
        if (sort != null && !sort.isBlank()) {
            descending = sort.startsWith("-");
            sortBy = sort.replaceFirst("^-", "");
            if (!SORT_KEYS.contains(sortBy)) {
                throw new BadQueryException("sort_by must be one of " + SORT_KEYS + ", optionally with '-'");
            }
        }
        return new TaskQuery(limit, offset, List.copyOf(states), all(p.get("workername")), all(p.get("taskname")),
                sortBy, descending, time(p.get("received_start"), "received_start"),
                time(p.get("received_end"), "received_end"), terms(p.get("search")));
    }

    private static String all(String v) {
        return v == null || v.isBlank() || v.equals("All") ? null : v.strip();
    }

    private static int intParam(Map<String, String> p, String k, int dflt) {
        String v = p.get(k);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new BadQueryException(k + " must be an integer");
        }
    }

    /** Flower's {@code %Y-%m-%d %H:%M} in the server's zone (also with a {@code T}), or epoch seconds. */
    static Double time(String v, String what) {
        if (v == null || v.isBlank()) {
            return null;
        }
        String s = v.strip();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            // a date
        }
        try {
            LocalDateTime t = LocalDateTime.parse(s.replace(' ', 'T'));
            return (double) t.atZone(ZoneId.systemDefault()).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw new BadQueryException(what + " must be 'YYYY-MM-DD HH:MM' or epoch seconds");
        }
    }

    static List<String[]> terms(String search) {
        List<String[]> out = new ArrayList<>();
        if (search == null || search.isBlank()) {
            return out;
        }
        if (search.length() > 2048) {
            throw new BadQueryException("search is longer than 2048 characters");
        }
        for (String word : search.strip().split("\\s+")) {
            int colon = word.indexOf(':');
            String field = colon > 0 ? word.substring(0, colon).toLowerCase(Locale.ROOT) : null;
            if (field != null && SEARCH_FIELDS.contains(field)) {
                String value = word.substring(colon + 1);
                if (!value.isEmpty()) {
                    out.add(new String[] {field, value.toLowerCase(Locale.ROOT)});
                }
            } else {
                out.add(new String[] {null, word.toLowerCase(Locale.ROOT)});
            }
        }
        return out;
    }

    /** A copy with another limit and offset. */
    TaskQuery page(int newLimit, int newOffset) {
        return new TaskQuery(newLimit, newOffset, states, worker, name, sortBy, descending, receivedStart, receivedEnd,
                terms);
    }
}
