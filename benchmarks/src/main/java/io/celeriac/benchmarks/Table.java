package io.celeriac.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Formats the harness's rows as a Markdown table (readable on a terminal, pasteable into a document). The
 * "Celery / kombu" columns hold Python Celery's figure for the result-backend, event and state rows, and kombu's
 * (Celery's messaging library) for the broker rows.
 * Not thread-safe.
 */
public final class Table {

    private static final String[] HEADER = {"figure", "celeriac (median)", "spread (min–max)", "yardstick",
        "× yardstick", "Celery / kombu", "× Celery / kombu", "target", "met"};

    private final List<Row> rows = new ArrayList<>();

    /**
     * Adds a row.
     *
     * @param row the row
     * @return this table
     */
    public Table add(Row row) {
        rows.add(row);
        return this;
    }

    /** @return the rows added so far, in order */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /**
     * Formats a number for the table: grouped integers from 100 up, one decimal from 10, two below.
     *
     * @param v the number
     * @return the text
     */
    public static String number(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * Formats a ratio such as {@code 0.82×}.
     *
     * @param r the ratio, or {@code null}
     * @return the text, empty for {@code null}
     */
    public static String ratio(Double r) {
        if (r == null) {
            return "";
        }
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : r >= 0.1 ? "%.2f×" : "%.3f×", r);
    }

    private static String withUnit(Stats s, String unit) {
        return s == null ? "" : number(s.median()) + " " + unit;
    }

    /**
     * The table as Markdown.
     *
     * @return the text, one line per row after the header
     */
    public String toMarkdown() {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (Row r : rows) {
            String spread = r.celeriac() != null && r.celeriac().count() > 1
                    ? number(r.celeriac().min()) + "–" + number(r.celeriac().max()) + " (" + r.celeriac().count() + " runs)" : "";
            String celeriac = r.celeriac() == null ? (r.missing() == null ? "" : r.missing()) : withUnit(r.celeriac(), r.unit());
            String yard = r.yardstick() == null ? "" : r.yardstickName() + ": " + withUnit(r.yardstick(), r.unit());
            String yardRatio = r.yardstickRatio() == null ? "" : ratio(r.yardstickRatio().median())
                    + (r.yardstickRatio().count() > 1 ? " (" + ratio(r.yardstickRatio().min()) + "–" + ratio(r.yardstickRatio().max()) + ")" : "");
            cells.add(new String[] {r.figure(), celeriac, spread, yard, yardRatio,
                withUnit(r.celery(), r.unit()), ratio(r.celeryRatio()), r.target() == null ? "" : r.target(),
                r.met() == null ? (r.target() == null ? "" : "n/a") : r.met() ? "yes" : "NO"});
        }
        int[] width = new int[HEADER.length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < cells.size(); n++) {
            line(sb, cells.get(n), width);
            if (n == 0) {
                String[] rule = new String[width.length];
                for (int i = 0; i < width.length; i++) {
                    rule[i] = "-".repeat(Math.max(3, width[i]));
                }
                line(sb, rule, width);
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] c, int[] width) {
        sb.append('|');
        for (int i = 0; i < c.length; i++) {
            sb.append(' ').append(c[i]).append(" ".repeat(width[i] - c[i].length())).append(" |");
        }
        sb.append('\n');
    }
}
