package io.celeriac.events.snapshot;

import io.celeriac.events.EventStateSnapshot;
import io.celeriac.json.CeleryJson;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Camera} that writes each snapshot to a JSON file, replacing it atomically: the document is
 * written to a temporary file beside the target, flushed to disk, then moved over the target, so a reader
 * sees either the previous snapshot or the new one, never a partial file. A new file gets {@code rw-r--r--};
 * a replaced one keeps its permissions.
 *
 * <p>The document is {@link EventStateSnapshot#toCeleryDict(int)}: workers and tasks with the keys and
 * JSON types of Celery's {@code Worker} and {@code Task.as_dict()}, tasks newest first, encoded as kombu's
 * JSON (Python's {@code json.load} reads it). Thread-safe (a Polaroid calls it from one thread at a time).
 */
public final class JsonFileCamera implements Camera {

    private final Path file;
    private final int taskLimit;

    /**
     * A camera writing every task.
     *
     * @param file the target file; its directory must exist
     */
    public JsonFileCamera(Path file) {
        this(file, 0);
    }

    /**
     * A camera writing at most {@code taskLimit} tasks, the newest.
     *
     * @param file the target file; its directory must exist
     * @param taskLimit the most tasks per snapshot (0 = all)
     * @throws IllegalArgumentException when {@code taskLimit} is negative
     */
    public JsonFileCamera(Path file, int taskLimit) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        if (taskLimit < 0) {
            throw new IllegalArgumentException("taskLimit must be 0 (all) or positive, not " + taskLimit);
        }
        this.taskLimit = taskLimit;
    }

    /**
     * The target file.
     *
     * @return the absolute path
     */
    public Path file() {
        return file;
    }

    /**
     * Writes the snapshot.
     *
     * @param snapshot the snapshot
     * @throws IOException when the file cannot be written; the previous snapshot stays in place
     */
    @Override
    public void onShutter(EventStateSnapshot snapshot) throws IOException {
        byte[] json = CeleryJson.encode(snapshot.toCeleryDict(taskLimit));
        Path dir = file.getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            keepPermissions(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(json);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A temporary file is readable by its owner only: give the snapshot the target's permissions, or
     * {@code rw-r--r--} for a new target, as a plainly written file would have.
     */
    private void keepPermissions(Path tmp) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.exists(file) ? Files.getPosixFilePermissions(file)
                    : PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the default permissions stay
        }
    }

    @Override
    public String toString() {
        return "JsonFileCamera[" + file + "]";
    }
}
