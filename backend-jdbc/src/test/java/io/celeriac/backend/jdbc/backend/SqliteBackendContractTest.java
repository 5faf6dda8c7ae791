package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.tck.BackendContract;
import io.celeriac.tck.BackendFixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The conformance kit against SQLite files (WAL mode): every test gets a fresh file in a temporary
 * directory, and every backend the kit opens on a fixture shares it, as separate processes would.
 */
class SqliteBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    static Set<BackendCapability> sqliteCapabilities() {
        return EnumSet.of(BackendCapability.READ, BackendCapability.WAIT, BackendCapability.FORGET, BackendCapability.GROUPS,
                BackendCapability.CHORDS, BackendCapability.CLEANUP, BackendCapability.SCAN, BackendCapability.EXPIRY);
    }

    @Override
    protected BackendFixture createFixture() throws IOException {
        Path dir = Files.createTempDirectory("celeriac-sqlite-kit");
        String url = "db+sqlite:///" + dir.resolve("results.sqlite").toAbsolutePath();
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend(url, options);
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return sqliteCapabilities();
            }

            @Override
            public void close() throws IOException {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        };
    }
}
