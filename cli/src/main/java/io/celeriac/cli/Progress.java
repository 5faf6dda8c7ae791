package io.celeriac.cli;

import java.io.PrintWriter;

/**
 * A progress bar on standard error: redrawn in place on a terminal, a line every 10% otherwise (logs,
 * pipes), and nothing when quiet.
 */
final class Progress {
    private final PrintWriter err;
    private final String what;
    private final long total;
    private final boolean terminal;
    private final boolean quiet;
    private int lastDecile = -1;
    private long lastDraw;

    Progress(PrintWriter err, String what, long total, boolean quiet) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.terminal = System.console() != null;
        this.quiet = quiet;
    }

    void update(long done) {
        if (quiet || total <= 0) {
            return;
        }
        if (terminal) {
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 50_000_000L) {
                return;
            }
            lastDraw = now;
            int width = 30;
            int filled = (int) (width * done / total);
            err.print("\r" + what + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
            if (done >= total) {
                err.println();
            }
            err.flush();
        } else {
            int decile = (int) (10 * done / total);
            if (decile != lastDecile) {
                lastDecile = decile;
                err.println(what + ": " + done + "/" + total + " (" + (decile * 10) + "%)");
                err.flush();
            }
        }
    }
}
