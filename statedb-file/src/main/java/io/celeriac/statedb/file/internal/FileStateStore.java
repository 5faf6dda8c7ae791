package io.celeriac.statedb.file.internal;

import io.celeriac.spi.GroupCommitQueue;
import io.celeriac.state.RevokedEntries;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreClosedException;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.UnableToSaveStateException;
import io.celeriac.state.spi.AbstractStateStore;
import io.celeriac.state.spi.SnapshotRequest;
import io.celeriac.state.spi.StateSnapshot;
import io.celeriac.state.spi.StoredState;
import io.celeriac.statedb.file.FileStateStoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code file:} state store: a checksummed snapshot rewritten atomically on sync, a journal that makes
 * every change durable before the call that made it returns (group commit), and an exclusive lock.
 *
 * <p>Open: check the directory, take the lock, recover (snapshot plus journals, see {@link Recovery}).
 * Changes and clock ceilings are appended to the journal of the current generation. A sync switches new
 * changes to the next generation's journal, captures the worker's state, writes it as the snapshot
 * (temporary file, fsync, rename, directory fsync) and deletes the older journals. When the journal grows
 * beyond the configured size the store compacts itself the same way. Thread-safe.
 */
public final class FileStateStore extends AbstractStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileStateStore.class);

    private final FileStateStoreConfig config;
    private final StatePaths paths;
    private final StateFileLock lock;
    private final long compactSize;
    private final Object clockLock = new Object();
    private final AtomicBoolean compacting = new AtomicBoolean();
    private volatile Journal current;
    private volatile boolean released;
    private long durableCeiling;
    private StoredState loaded;
    private final List<Path> keptAside;

    /**
     * Opens the store: checks the directory, takes the lock and recovers the stored state.
     *
     * @param config the configuration
     * @throws io.celeriac.state.StateStoreLockedException when another store or process holds the file
     * @throws io.celeriac.state.CorruptStateException when the stored state fails its checks
     * @throws UnableToOpenStateStoreException when the directory is missing or not writable, or I/O fails
     */
    public FileStateStore(FileStateStoreConfig config) {
        super(config.path().toString(), capabilities(config), config.shutdownHook(), config.clockReserve());
        this.config = config;
        this.paths = new StatePaths(followSymlink(config.path()));
        this.compactSize = config.journalCompactSize();
        checkPaths(paths);
        this.lock = StateFileLock.acquire(paths.lock(), location(), config.nodeName());
        warnAboutCelerysOwnFile(paths.snapshot());
        try {
            Recovery.Result r = Recovery.run(paths, config.onCorrupt() == FileStateStoreConfig.OnCorrupt.KEEP_ASIDE);
            this.loaded = new StoredState(r.revoked(), r.clock());
            this.durableCeiling = r.clock();
            this.keptAside = List.copyOf(r.keptAside());
            this.current = newJournal(r.nextGeneration());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static java.util.Set<StateStoreCapability> capabilities(FileStateStoreConfig config) {
        return EnumSet.of(StateStoreCapability.EXCLUSIVE, StateStoreCapability.KEEP_CORRUPT_ASIDE);
    }

    private Journal newJournal(long generation) {
        return new Journal(paths.journal(generation), generation, config.journalFsync(),
                config.journalCommitDelay().toNanos(), config.journalMaxBatch());
    }

    /**
     * The copies of corrupt files this open kept aside (with {@code on_corrupt=keep_aside}).
     *
     * @return the paths, empty when nothing was corrupt
     */
    public List<Path> keptAside() {
        return keptAside;
    }

    /** A state file that is a symbolic link is written where it points (a sync replaces files, not links). */
    private static Path followSymlink(Path file) {
        Path p = file;
        try {
            for (int hops = 0; hops < 40 && Files.isSymbolicLink(p); hops++) {
                p = p.resolveSibling(Files.readSymbolicLink(p)).toAbsolutePath().normalize(); // may dangle: created at sync
            }
            return p;
        } catch (IOException e) {
            return file; // an unreadable link: the directory checks name the problem
        }
    }

    /** Python Celery's shelve adds {@code .db} (dbm.ndbm) or {@code .dat}/{@code .dir} (dbm.dumb) to the name. */
    private static void warnAboutCelerysOwnFile(Path file) {
        for (String suffix : new String[] {".db", ".dat", ".dir"}) {
            Path celery = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(celery)) {
                LOG.warn("{} looks like Python Celery's --statedb file for the same path; celeriac cannot read Celery's shelve"
                        + " format, so the revokes in it are not merged (it is left untouched)", celery);
            }
        }
    }

    private static void checkPaths(StatePaths paths) {
        Path dir = paths.directory();
        if (!Files.exists(dir)) {
            throw new UnableToOpenStateStoreException(dir.toString(),
                    "the directory does not exist; create it first (celeriac does not create directories for the state file "
                            + paths.snapshot().getFileName() + ")", null);
        }
        if (!Files.isDirectory(dir)) {
            throw new UnableToOpenStateStoreException(dir.toString(), "it is not a directory, so it cannot hold the state file "
                    + paths.snapshot().getFileName(), null);
        }
        if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
            throw new UnableToOpenStateStoreException(dir.toString(), "no permission to create files in the directory "
                    + "(the state file, its journal and its lock are created there)", null);
        }
        Path file = paths.snapshot();
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnableToOpenStateStoreException(file.toString(), "it is a directory; give the path of a file", null);
        }
        if (Files.exists(file) && (!Files.isReadable(file) || !Files.isWritable(file))) {
            throw new UnableToOpenStateStoreException(file.toString(), "no permission to read and write the state file", null);
        }
    }

    // ------------------------------------------------------------------------------------------

    @Override
    protected StoredState load() {
        return loaded; // kept until a merge succeeds: a failed merge may be retried without losing it
    }

    @Override
    protected void afterMerge() {
        loaded = null;
    }

    // Changes of the revoked set are queued in the journal while the set is locked (so the journal's order
    // is the order the changes took effect) and awaited after; see AbstractStateStore#enqueueAdded.

    @Override
    protected Runnable enqueueAdded(String id, double timestamp) {
        ByteSink rec = new ByteSink(64);
        JournalCodec.add(rec, id, Math.round(timestamp * 1e6));
        return enqueue(rec, 1);
    }

    @Override
    protected Runnable enqueueAddedAll(Map<String, Double> entries) {
        return enqueue(encodeAll(entries), entries.size());
    }

    @Override
    protected Runnable enqueueDiscarded(String id) {
        ByteSink rec = new ByteSink(64);
        JournalCodec.discard(rec, id);
        return enqueue(rec, 1);
    }

    @Override
    protected Runnable enqueueCleared() {
        ByteSink rec = new ByteSink(16);
        JournalCodec.clear(rec);
        return enqueue(rec, 1);
    }

    @Override
    protected void persistAdded(String id, double timestamp) {
        enqueueAdded(id, timestamp).run();
    }

    @Override
    protected void persistAddedAll(Map<String, Double> entries) {
        if (!entries.isEmpty()) {
            enqueueAddedAll(entries).run();
        }
    }

    @Override
    protected void persistDiscarded(String id) {
        enqueueDiscarded(id).run();
    }

    @Override
    protected void persistCleared() {
        enqueueCleared().run();
    }

    @Override
    protected void persistClock(long ceiling) {
        ByteSink rec = new ByteSink(24);
        JournalCodec.clock(rec, ceiling);
        synchronized (clockLock) {
            enqueue(rec, 1).run();
            durableCeiling = ceiling;
        }
    }

    private static ByteSink encodeAll(Map<String, Double> entries) {
        ByteSink rec = new ByteSink(entries.size() * 40 + 16);
        if (entries instanceof RevokedEntries e) {
            for (int i = 0; i < e.size(); i++) {
                if (e.isUuid(i)) {
                    JournalCodec.addUuid(rec, e.msb(i), e.lsb(i), e.micros(i));
                } else {
                    JournalCodec.add(rec, e.id(i), e.micros(i));
                }
            }
        } else {
            for (Map.Entry<String, Double> e : entries.entrySet()) {
                JournalCodec.add(rec, e.getKey(), Math.round(e.getValue() * 1e6));
            }
        }
        return rec;
    }

    /** Queues records in the current journal and returns the step that waits until they are durable. */
    private Runnable enqueue(ByteSink records, int count) {
        while (true) {
            if (released) {
                throw new StateStoreClosedException(location());
            }
            Journal j = current;
            try {
                var ticket = j.enqueue(records.array(), records.length(), count);
                return () -> awaitDurable(j, ticket);
            } catch (Journal.Sealed s) {
                Thread.onSpinWait(); // a sync switched journals meanwhile: queue in the new one
            } catch (IOException e) {
                throw new UnableToSaveStateException(location(), "could not append to the journal " + j.path() + ": " + e.getMessage(), e);
            }
        }
    }

    private void awaitDurable(Journal j, GroupCommitQueue.Ticket<Journal.Records> ticket) {
        try {
            j.await(ticket);
        } catch (IOException e) {
            throw new UnableToSaveStateException(location(), "could not append to the journal " + j.path() + ": " + e.getMessage(), e);
        }
        if (compactSize > 0 && j.size() > compactSize && compacting.compareAndSet(false, true)) {
            try {
                if (tryCompact()) {
                    LOG.debug("Compacted the worker state {} after its journal passed {} bytes", location(), compactSize);
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not compact the worker state {} (every change stays in its journal): {}", location(), e.toString());
            } finally {
                compacting.set(false);
            }
        }
    }

    @Override
    protected void writeSnapshot(SnapshotRequest request) {
        Journal old = current;
        long nextGeneration = old.generation() + 1;
        Journal next = newJournal(nextGeneration);
        current = next;
        try {
            old.seal();
        } catch (IOException e) {
            LOG.warn("The last journal batch of {} could not be written ({}); the snapshot now being written covers it",
                    old.path(), e.toString());
        }
        StateSnapshot s = request.capture();
        long ceiling;
        synchronized (clockLock) {
            ceiling = request.isFinal() ? s.clock() : Math.max(durableCeiling, s.clock());
        }
        byte[] bytes = SnapshotCodec.encode(s.revoked(), s.clock(), ceiling, nextGeneration, Recovery.nowMicros());
        try {
            Durable.replace(paths.snapshot(), paths.tmp(), bytes);
        } catch (IOException e) {
            throw new UnableToSaveStateException(location(), "could not write the snapshot (the journals still hold every change): " + e, e);
        }
        if (request.isFinal()) {
            synchronized (clockLock) {
                durableCeiling = s.clock();
            }
        }
        try {
            for (StatePaths.JournalFile j : paths.journals()) {
                if (j.generation() < nextGeneration) {
                    Files.deleteIfExists(j.path());
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not delete the journals {} covers (the next open deletes them): {}", paths.snapshot(), e.toString());
        }
    }

    @Override
    protected void release() {
        released = true;
        try {
            current.seal();
        } catch (IOException e) {
            LOG.warn("The last journal batch of {} could not be written: {}", location(), e.toString());
        } finally {
            lock.close();
        }
    }
}
