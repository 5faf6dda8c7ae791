package com.example.celeriac.fs;

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

/** The plugin proves itself against celeriac's conformance kit: every test of every declared capability. */
class FilesystemBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BackendFixture createFixture() throws IOException {
        Path dir = Files.createTempDirectory("celeriac-fs-kit");
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend("file://" + dir, options);
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return EnumSet.of(BackendCapability.READ, BackendCapability.WAIT, BackendCapability.FORGET,
                        BackendCapability.GROUPS, BackendCapability.CHORDS, BackendCapability.CLEANUP,
                        BackendCapability.SCAN, BackendCapability.EXPIRY, BackendCapability.FULL_META);
            }

            @Override
            public void close() throws IOException {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        };
    }
}
