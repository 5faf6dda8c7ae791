package io.celeriac.state;

import io.celeriac.CeleriacException;

import java.util.Objects;

/**
 * Raised when a state store that allows one user at a time is opened while another holds it: another
 * worker process, or another store in this JVM.
 *
 * <p>The message names the location and the holder (for the file store: its pid, host, node name and
 * since when), so the user can tell a second worker from a stale process.
 */
public class StateStoreLockedException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /** The store's location, for messages and callers. */
    private final String location;
    /** Who holds the store. */
    private final String holder;

    /**
     * Creates the exception.
     *
     * @param location the store's location (file path or masked URL)
     * @param holder a description of who holds it, e.g. {@code "pid 4242 on host w1 (node celery@w1) since 2026-11-21T12:00:00Z"}
     */
    public StateStoreLockedException(String location, String holder) {
        super("The worker state " + location + " is in use by " + holder
                + "; two workers cannot share one state file: give each worker its own (e.g. with %n in the file name), or stop the other one");
        this.location = Objects.requireNonNull(location, "location");
        this.holder = Objects.requireNonNull(holder, "holder");
    }

    /**
     * The store's location.
     *
     * @return the file path or masked URL
     */
    public String location() {
        return location;
    }

    /**
     * Who holds the store.
     *
     * @return a description of the holder
     */
    public String holder() {
        return holder;
    }
}
