package com.example.celeriac.fs.internal;

import com.example.celeriac.fs.FilesystemBackendConfig;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.backend.spi.KeyValueBackend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Celery's filesystem result backend: each key ({@code celery-task-meta-<id>}, {@code celery-taskset-meta-<id>})
 * is a file in one directory, holding the same JSON bytes Celery writes, so a Python Celery configured with
 * the same {@code file:///dir} reads what this backend writes and the other way round.
 *
 * <p>Better than Celery's: files are written atomically (a temp file renamed into place), and the
 * never-overwrite-SUCCESS check and chord counters hold a lock file, so processes sharing the directory
 * cannot race. Results expire through {@link #cleanup()} (files older than {@code result_expires}, by
 * modification time, as Celery's {@code cleanup}). Waits poll. Thread-safe.
 */
public final class FilesystemBackend extends KeyValueBackend {

    private static final String LOCK_FILE = ".celeriac-fs.lock";
    private final Path dir;
    private final Path lockFile;

    /**
     * Opens the backend on the configured directory, checking it is usable as Celery does; use
     * {@link com.example.celeriac.fs.FilesystemBackendProvider} (or {@code Celeriac.openBackend("file:///dir")}).
     *
     * @param config the parsed configuration
     * @throws BackendUnavailableException when the directory is missing or not writable
     */
    public FilesystemBackend(FilesystemBackendConfig config) {
        super(config.url(), config.options(), EnumSet.of(BackendCapability.READ, BackendCapability.WAIT,
                BackendCapability.FORGET, BackendCapability.GROUPS, BackendCapability.CHORDS, BackendCapability.CLEANUP,
                BackendCapability.SCAN, BackendCapability.EXPIRY, BackendCapability.FULL_META), null);
        this.dir = config.directory();
        this.lockFile = dir.resolve(LOCK_FILE);
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new BackendUnavailableException(config.url().masked(), "the directory " + dir
                    + " does not exist or is not writable; create it and give this process write access", null);
        }
    }

    private Path file(String key) {
        return dir.resolve(key);
    }

    @Override
    protected byte[] get(String key) {
        try {
            return Files.readAllBytes(file(key));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(key), e);
        }
    }

    @Override
    protected List<byte[]> mget(List<String> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            out.add(get(k));
        }
        return out;
    }

    @Override
    protected void set(String key, byte[] value, Duration ttl) {
        Path target = file(key);
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            Files.write(tmp, value, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    @Override
    protected boolean setUnlessSuccess(String key, byte[] value, Duration ttl) {
        return locked(() -> super.setUnlessSuccess(key, value, ttl));
    }

    @Override
    protected void delete(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(key), e);
        }
    }

    @Override
    protected void expire(String key, Duration ttl) {
        try {
            Files.setLastModifiedTime(file(key), FileTime.fromMillis(options.clock().millis()));
        } catch (NoSuchFileException e) {
            // nothing to expire
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected long incr(String key) {
        return locked(() -> {
            byte[] current = get(key);
            long next = current == null ? 1 : Long.parseLong(new String(current, StandardCharsets.US_ASCII).trim()) + 1;
            set(key, Long.toString(next).getBytes(StandardCharsets.US_ASCII), null);
            return next;
        });
    }

    /** Runs {@code body} holding the directory's lock file, so that processes sharing the directory take turns. */
    private synchronized <T> T locked(java.util.function.Supplier<T> body) {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            ch.write(ByteBuffer.wrap(new byte[0]));
            return body.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    @Override
    protected long doCleanup() {
        long cutoff = options.expiry().map(e -> options.clock().millis() - e.toMillis()).orElse(Long.MIN_VALUE);
        if (cutoff == Long.MIN_VALUE) {
            return 0;
        }
        long deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                boolean ours = name.startsWith(taskKeyPrefix()) || name.startsWith(groupKeyPrefix()) || name.startsWith(chordKey(""));
                if (ours && Files.getLastModifiedTime(f).toMillis() < cutoff && Files.deleteIfExists(f)
                        && !name.startsWith(chordKey(""))) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + dir, e);
        }
        return deleted;
    }

    @Override
    protected Stream<String> doTaskIds() {
        return namesWithPrefix(taskKeyPrefix());
    }

    @Override
    protected Stream<String> doGroupIds() {
        return namesWithPrefix(groupKeyPrefix());
    }

    private Stream<String> namesWithPrefix(String prefix) {
        try {
            return Files.list(dir).map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .map(n -> n.substring(prefix.length()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @Override
    protected boolean isTransient(RuntimeException e) {
        return false;
    }

    @Override
    protected void doClose() {
        // nothing held between calls
    }
}
