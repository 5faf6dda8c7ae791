package io.celeriac.monitor;

import io.celeriac.CeleriacException;

/**
 * The monitor could not start or serve: its address is taken, its history store cannot be opened, or its broker
 * cannot be reached. The message names what failed, never a password.
 */
public class MonitorException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure of the monitor.
     *
     * @param message what failed
     * @param cause the underlying error, or {@code null}
     */
    public MonitorException(String message, Throwable cause) {
        super(message, cause);
    }
}
