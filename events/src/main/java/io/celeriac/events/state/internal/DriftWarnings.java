package io.celeriac.events.state.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashSet;

/**
 * Celery's clock-drift warning: when a worker's event arrives more than {@value #HEARTBEAT_DRIFT_MAX}
 * seconds away from its timestamp, warn that the clocks may be out of sync, once per worker (Celery's
 * {@code _warn_drift} is memoized by hostname). Logged under {@code ClusterModel}'s logger name, where it
 * has always been.
 *
 * <p>Invariant: at most {@value #MAX_WARNED} hostnames are remembered (Celery's memo size); when that many
 * have been warned about, the memory is cleared at once (Celery's drops the least recent one) and each may
 * be warned about once more.
 *
 * <p>Not thread-safe: only the model calls it, while applying an event under {@code MemoryEventState}'s
 * write lock.
 */
final class DriftWarnings {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterModel.class);

    /** Celery's {@code HEARTBEAT_DRIFT_MAX}, in seconds. */
    static final long HEARTBEAT_DRIFT_MAX = 16;
    static final int MAX_WARNED = 1000;

    private final HashSet<String> warned = new HashSet<>();

    /**
     * Warns when the drift is too large and this worker was not warned about yet.
     *
     * @param hostname the worker
     * @param drift the drift in whole seconds, or -1 when none was measured
     * @param localReceived when the event arrived, epoch seconds
     * @param timestamp when it was sent, epoch seconds
     * @return whether it warned
     */
    boolean check(String hostname, long drift, double localReceived, double timestamp) {
        if (drift <= HEARTBEAT_DRIFT_MAX) {
            return false;
        }
        if (warned.size() >= MAX_WARNED) {
            warned.clear();
        }
        if (warned.add(hostname)) {
            LOG.warn("Substantial drift from {} may mean clocks are out of sync.  Current drift is {} seconds."
                            + "  [orig: {} recv: {}]", hostname, drift,
                    Instant.ofEpochMilli((long) (timestamp * 1000)), Instant.ofEpochMilli((long) (localReceived * 1000)));
            return true;
        }
        return false;
    }
}
