package io.celeriac.statedb.file.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One journal file with group commit: {@link #append} adds encoded records to a pending batch and returns
 * once they are durable. The first appender that finds no write in progress becomes the leader: it
 * optionally waits up to the commit delay (or until the batch holds {@code maxBatch} records), takes the
 * whole pending batch, writes it with one {@code write} and one {@code fsync}, and wakes every appender the
 * batch covered. Appenders arriving meanwhile form the next batch, so N threads revoking at once share
 * one fsync instead of paying N.
 *
 * <p>The file is created on the first write (header and first batch in one write, then the directory is
 * fsynced). A failed write truncates the file back to its durable length, so later batches never follow a
 * partial one; if even that fails the journal is broken and every later append fails until the store
 * rotates to a new journal. {@link #seal()} flushes the pending batch and closes the file; appends after it
 * throw {@link Sealed}, and the store retries them on its new journal. Thread-safe.
 */
final class Journal {

    /** Thrown by {@link #append} on a sealed journal: the caller appends to the store's current journal. */
    static final class Sealed extends Exception {
        private static final long serialVersionUID = 1L;

        Sealed() {
            super(null, null, false, false);
        }
    }

    private final Path path;
    private final long generation;
    private final boolean fsync;
    private final long delayNanos;
    private final int maxBatch;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private RandomAccessFile file;
    private long durableSize;
    private ByteSink pending = new ByteSink(4096);
    private int pendingRecords;
    private long appendedSeq;
    private long durableSeq;
    private long failedUpToSeq;
    private IOException failure;
    private IOException broken;
    private boolean flushing;
    private boolean sealed;
    private long batches;

    Journal(Path path, long generation, boolean fsync, long delayNanos, int maxBatch) {
        this.path = path;
        this.generation = generation;
        this.fsync = fsync;
        this.delayNanos = delayNanos;
        this.maxBatch = Math.max(1, maxBatch);
    }

    Path path() {
        return path;
    }

    long generation() {
        return generation;
    }

    /** Bytes durably written so far (0 until the file exists). */
    long size() {
        lock.lock();
        try {
            return durableSize;
        } finally {
            lock.unlock();
        }
    }

    /** Whether any byte was ever written (the file exists). */
    boolean written() {
        lock.lock();
        try {
            return file != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends {@code count} encoded records and returns once they are durable.
     *
     * @throws Sealed when the journal was sealed (rotated or closed) before the records were taken
     * @throws IOException when the batch holding them could not be written, or the journal is broken
     */
    void append(byte[] records, int length, int count) throws Sealed, IOException {
        await(enqueue(records, length, count));
    }

    /**
     * Queues {@code count} encoded records for the next batch without waiting: the order of calls is the
     * order in the file.
     *
     * @return the ticket to {@link #await}
     * @throws Sealed when the journal was sealed (rotated or closed)
     * @throws IOException when the journal is broken
     */
    long enqueue(byte[] records, int length, int count) throws Sealed, IOException {
        lock.lock();
        try {
            if (sealed) {
                throw new Sealed();
            }
            if (broken != null) {
                throw new IOException("the journal " + path + " failed earlier and takes no more records until the next sync: " + broken.getMessage(), broken);
            }
            pending.bytes(records, 0, length);
            pendingRecords += count;
            if (pendingRecords >= maxBatch) {
                changed.signalAll();
            }
            return ++appendedSeq;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once the records of a ticket are durable, leading a batch write when none is in progress.
     *
     * @throws IOException when the batch holding them could not be written
     */
    void await(long ticket) throws IOException {
        boolean interrupted = false;
        lock.lock();
        try {
            while (durableSeq < ticket) {
                if (failedUpToSeq >= ticket) {
                    throw new IOException("could not write the journal " + path + ": " + failure.getMessage(), failure);
                }
                if (!flushing && !sealed) {
                    interrupted |= lead();
                } else {
                    changed.awaitUninterruptibly();
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Leads one batch; called and returns with the lock held. Returns whether the thread was interrupted. */
    private boolean lead() {
        flushing = true;
        boolean interrupted = false;
        if (delayNanos > 0) {
            long deadline = System.nanoTime() + delayNanos;
            while (pendingRecords < maxBatch) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        ByteSink batch = pending;
        pending = new ByteSink(Math.max(4096, Math.min(batch.length(), 1 << 20)));
        pendingRecords = 0;
        long upTo = appendedSeq;
        IOException error = null;
        lock.unlock();
        try {
            write(batch);
        } catch (IOException e) {
            error = e;
        } finally {
            lock.lock();
        }
        flushing = false;
        if (error == null) {
            durableSeq = upTo;
        } else {
            failedUpToSeq = upTo;
            failure = error;
        }
        changed.signalAll();
        return interrupted;
    }

    /** Writes one batch at the durable end of the file; only the leader (or the sealer) calls it. */
    private void write(ByteSink batch) throws IOException {
        if (file == null) {
            try {
                Files.createFile(path);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("the journal " + path + " exists already; it is not overwritten", e);
            }
            file = new RandomAccessFile(path.toFile(), "rw");
        }
        boolean first = durableSize == 0;
        byte[] bytes;
        int len;
        if (first) {
            ByteSink withHeader = new ByteSink(JournalCodec.HEADER + batch.length());
            JournalCodec.header(withHeader, generation);
            withHeader.bytes(batch.array(), 0, batch.length());
            bytes = withHeader.array();
            len = withHeader.length();
        } else {
            bytes = batch.array();
            len = batch.length();
        }
        try {
            file.seek(durableSize);
            file.write(bytes, 0, len);
            if (fsync) {
                file.getFD().sync();
                if (first) {
                    Durable.syncDirectory(path.getParent());
                }
            }
        } catch (IOException e) {
            try {
                file.setLength(durableSize);
                if (fsync) {
                    file.getFD().sync();
                }
            } catch (IOException again) {
                e.addSuppressed(again);
                broken = e;
            }
            throw e;
        }
        durableSize += len;
        batches++;
    }

    /**
     * Flushes what is pending, closes the file and refuses later appends ({@link Sealed}).
     *
     * @throws IOException when the last batch could not be written (its appenders got the error too)
     */
    void seal() throws IOException {
        lock.lock();
        try {
            if (sealed) {
                return;
            }
            while (flushing) {
                changed.awaitUninterruptibly();
            }
            sealed = true;
            IOException error = null;
            if (pendingRecords > 0 || pending.length() > 0) {
                long upTo = appendedSeq;
                try {
                    write(pending);
                    durableSeq = upTo;
                } catch (IOException e) {
                    failedUpToSeq = upTo;
                    failure = e;
                    error = e;
                }
                pending = new ByteSink(16);
                pendingRecords = 0;
                changed.signalAll();
            }
            if (file != null) {
                try {
                    file.close();
                } catch (IOException e) {
                    if (error == null) {
                        error = e;
                    }
                }
            }
            if (error != null) {
                throw error;
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many writes (batches) reached the file so far. */
    long batches() {
        lock.lock();
        try {
            return batches;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
