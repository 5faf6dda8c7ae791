package io.celeriac.statedb.file.internal;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Durable file operations. Writes go through {@link FileOutputStream} and {@code FileDescriptor.sync()},
 * which a thread interrupt cannot abort (an interrupted {@code FileChannel} closes itself mid-write).
 */
final class Durable {
    private Durable() {
    }

    /**
     * Writes {@code data} to {@code tmp}, fsyncs it, renames it over {@code target} atomically and fsyncs
     * the directory, so that {@code target} is either the old file or the new one, never a mix.
     */
    static void replace(Path target, Path tmp, byte[] data) throws IOException {
        try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
            out.write(data);
            out.getFD().sync();
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    /** Fsyncs a directory so that a created, renamed or deleted entry survives a power loss. */
    static void syncDirectory(Path dir) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                    ch.force(true);
                    return;
                } catch (ClosedByInterruptException e) {
                    interrupted = true;
                    Thread.interrupted();
                    if (attempt > 2) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
