package io.celeriac.statedb.file.internal;

import java.nio.file.Path;

/** The bridge from the public {@code StateFiles} to the read-only recovery. */
public final class Inspector {
    private Inspector() {
    }

    /**
     * Reads a state file and its journals without changing anything.
     *
     * @param file the state file
     * @param sink receives the ids, the clock, when the snapshot was written (-1 without one), the journals
     *             replayed and the bytes of torn tails ignored
     * @param <T> what the sink makes
     * @return what the sink made
     */
    public static <T> T inspect(Path file, Sink<T> sink) {
        Recovery.Inspection i = Recovery.inspect(new StatePaths(file));
        return sink.make(i.revoked(), i.clock(), i.writtenAtMicros(), i.journals(), i.tornBytes());
    }

    /**
     * Makes the public result.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Sink<T> {
        /**
         * Makes the result.
         *
         * @param revoked the ids
         * @param clock the clock a merge would adjust with
         * @param writtenAtMicros when the snapshot was written, or -1
         * @param journals the journals replayed
         * @param tornBytes bytes of torn tails ignored
         * @return the result
         */
        T make(io.celeriac.state.RevokedEntries revoked, long clock, long writtenAtMicros, java.util.List<Path> journals, long tornBytes);
    }
}
