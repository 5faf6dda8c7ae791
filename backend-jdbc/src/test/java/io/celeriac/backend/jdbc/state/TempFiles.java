package io.celeriac.backend.jdbc.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories for SQLite files, deleted with everything in them. */
final class TempFiles {

    private TempFiles() {
    }

    static Path directory(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
