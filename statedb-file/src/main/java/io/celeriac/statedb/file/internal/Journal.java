package io.celeriac.statedb.file.internal;

import io.celeriac.spi.GroupCommitQueue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One journal file with group commit: {@link #append} adds encoded records to a pending batch and returns
 * once they are durable. The batching is a {@link GroupCommitQueue}: the first appender that finds no write in
 * progress becomes the leader; it optionally waits up to the commit delay (or until the batch holds
 * {@code maxBatch} records), takes the whole pending batch, writes it with one {@code write} and one
 * {@code fsync}, and wakes every appender the batch covered. Appenders arriving meanwhile form the next batch,
 * so N threads revoking at once share one fsync instead of paying N. A failed batch fails exactly its own
 * appenders.
 *
 * <p>The file is created on the first write (header and first batch in one write, then the directory is
 * fsynced). A failed write truncates the file back to its durable length, so later batches never follow a
 * partial one; if even that fails the journal is broken and every later append (and every batch not yet
 * written) fails until the store rotates to a new journal. {@link #seal()} flushes the pending batch and
 * closes the file; appends after it throw {@link Sealed}, and the store retries them on its new journal.
 * Thread-safe.
 */
final class Journal {

    /** Thrown by {@link #append} on a sealed journal: the caller appends to the store's current journal. */
    static final class Sealed extends Exception {
        private static final long serialVersionUID = 1L;

        Sealed() {
            super(null, null, false, false);
        }
    }

    /**
     * Encoded records queued for a batch: the first {@code length} bytes of {@code bytes}, {@code count}
     * records. The array is the journal's once queued (it is not copied).
     */
    record Records(byte[] bytes, int length, int count) {
    }

    private final Path path;
    private final long generation;
    private final boolean fsync;
    private final GroupCommitQueue<Records> queue;
    private final Object sealLock = new Object();

    // Written only by the queue's flusher (one thread at a time) and by seal once the queue is closed.
    private volatile RandomAccessFile file;
    private volatile long durableSize;
    private volatile IOException broken;
    private final AtomicLong batches = new AtomicLong();
    private boolean sealed; // guarded by sealLock

    Journal(Path path, long generation, boolean fsync, long delayNanos, int maxBatch) {
        this.path = path;
        this.generation = generation;
        this.fsync = fsync;
        GroupCommitQueue.Builder<Records> b = GroupCommitQueue.<Records>builder(this::write).weigher(Records::count);
        if (delayNanos > 0) {
            b.linger(Duration.ofNanos(delayNanos), Math.max(1, maxBatch));
        }
        this.queue = b.build();
    }

    Path path() {
        return path;
    }

    long generation() {
        return generation;
    }

    /** Bytes durably written so far (0 until the file exists). */
    long size() {
        return durableSize;
    }

    /** Whether any byte was ever written (the file exists). */
    boolean written() {
        return file != null;
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
     * order in the file. The array is the journal's from now on.
     *
     * @return the ticket to {@link #await}
     * @throws Sealed when the journal was sealed (rotated or closed)
     * @throws IOException when the journal is broken
     */
    GroupCommitQueue.Ticket<Records> enqueue(byte[] records, int length, int count) throws Sealed, IOException {
        IOException b = broken;
        if (b != null) {
            throw brokenError(b);
        }
        try {
            return queue.enqueue(new Records(records, length, count));
        } catch (GroupCommitQueue.ClosedException e) {
            throw new Sealed();
        }
    }

    /**
     * Returns once the records of a ticket are durable, leading a batch write when none is in progress.
     *
     * @throws IOException when the batch holding them could not be written
     */
    void await(GroupCommitQueue.Ticket<Records> ticket) throws IOException {
        try {
            queue.await(ticket);
        } catch (GroupCommitQueue.FlushFailedException e) {
            Throwable failure = e.getCause();
            throw new IOException("could not write the journal " + path + ": " + failure.getMessage(), failure);
        }
    }

    private IOException brokenError(IOException b) {
        return new IOException("the journal " + path + " failed earlier and takes no more records until the next sync: " + b.getMessage(), b);
    }

    /** Writes one batch at the durable end of the file; the queue calls it on one thread at a time. */
    private void write(GroupCommitQueue.Batch<Records> batch) throws IOException {
        IOException b = broken;
        if (b != null) {
            throw brokenError(b); // the file may end with a partial batch: nothing may follow it
        }
        RandomAccessFile f = file;
        if (f == null) {
            try {
                Files.createFile(path);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("the journal " + path + " exists already; it is not overwritten", e);
            }
            f = new RandomAccessFile(path.toFile(), "rw");
            file = f;
        }
        long size = durableSize;
        boolean first = size == 0;
        List<Records> items = batch.items();
        byte[] bytes;
        int len;
        if (!first && items.size() == 1) {
            bytes = items.get(0).bytes();
            len = items.get(0).length();
        } else {
            int total = first ? JournalCodec.HEADER : 0;
            for (Records r : items) {
                total += r.length();
            }
            ByteSink out = new ByteSink(total);
            if (first) {
                JournalCodec.header(out, generation);
            }
            for (Records r : items) {
                out.bytes(r.bytes(), 0, r.length());
            }
            bytes = out.array();
            len = out.length();
        }
        try {
            f.seek(size);
            f.write(bytes, 0, len);
            if (fsync) {
                f.getFD().sync();
                if (first) {
                    Durable.syncDirectory(path.getParent());
                }
            }
        } catch (IOException e) {
            try {
                f.setLength(size);
                if (fsync) {
                    f.getFD().sync();
                }
            } catch (IOException again) {
                e.addSuppressed(again);
                broken = e;
            }
            throw e;
        }
        durableSize = size + len;
        batches.incrementAndGet();
    }

    /**
     * Flushes what is pending, closes the file and refuses later appends ({@link Sealed}).
     *
     * @throws IOException when the last batch could not be written (its appenders got the error too)
     */
    void seal() throws IOException {
        synchronized (sealLock) {
            if (sealed) {
                return;
            }
            sealed = true;
            IOException error = null;
            try {
                queue.close();
            } catch (GroupCommitQueue.FlushFailedException e) {
                Throwable failure = e.getCause();
                error = failure instanceof IOException io ? io : new IOException(failure.toString(), failure);
            }
            RandomAccessFile f = file;
            if (f != null) {
                try {
                    f.close();
                } catch (IOException e) {
                    if (error == null) {
                        error = e;
                    }
                }
            }
            if (error != null) {
                throw error;
            }
        }
    }

    /** How many writes (batches) reached the file so far. */
    long batches() {
        return batches.get();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
