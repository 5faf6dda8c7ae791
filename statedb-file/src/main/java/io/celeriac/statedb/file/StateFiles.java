package io.celeriac.statedb.file;

import io.celeriac.state.RevokedEntries;
import io.celeriac.statedb.file.internal.Inspector;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a {@code file:} state without opening a store: for tools such as {@code celeriac statedb show}
 * and for checking a worker's state from outside.
 *
 * <p>Reading takes no lock and never writes, deletes or moves a file, so it works beside a running worker;
 * a sync that runs meanwhile may make a read fail or miss a moment, so read again when in doubt. Thread-safe.
 */
public final class StateFiles {

    private StateFiles() {
    }

    /**
     * What a state file and its journals hold.
     *
     * @param file the state file
     * @param revoked the revoked ids and their wall-clock timestamps, oldest first (expired ids included:
     *                a merge purges them with the worker's limits)
     * @param clock the clock value a merge would adjust with
     * @param writtenAt when the snapshot was last written, empty when there is none yet
     * @param journals the journals holding changes made since, oldest first
     * @param tornBytes bytes of torn journal tails (writes a crash interrupted) that were ignored
     */
    public record Contents(Path file, RevokedEntries revoked, long clock, Optional<Instant> writtenAt, List<Path> journals,
                           long tornBytes) {
        /**
         * Validates.
         *
         * @param file the state file
         * @param revoked the revoked ids
         * @param clock the clock value
         * @param writtenAt when the snapshot was written
         * @param journals the journals replayed
         * @param tornBytes torn bytes ignored
         * @throws NullPointerException when a part is null
         */
        public Contents {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(revoked, "revoked");
            Objects.requireNonNull(writtenAt, "writtenAt");
            journals = List.copyOf(journals);
        }
    }

    /**
     * Reads a state file (the expanded path, without placeholders) and the journals beside it.
     *
     * @param file the state file
     * @return what it holds; empty contents when neither the file nor a journal exists
     * @throws io.celeriac.state.CorruptStateException when the file or a journal fails its checks, or the file
     *         is not a celeriac state file
     * @throws io.celeriac.state.UnableToOpenStateStoreException when a file cannot be read
     */
    public static Contents read(Path file) {
        Path abs = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        return Inspector.inspect(abs, (revoked, clock, writtenAt, journals, torn) -> new Contents(abs, revoked, clock,
                writtenAt < 0 ? Optional.empty() : Optional.of(Instant.EPOCH.plusNanos(writtenAt * 1000)), journals, torn));
    }
}
