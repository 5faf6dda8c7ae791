package io.celeriac.statedb.file;

import io.celeriac.testing.ChildJvm;
import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.UnableToOpenStateStoreException;
import io.celeriac.state.WorkerState;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A missing directory, a path that is a directory, and no permission: each a clear error naming the path. */
class DirectoryErrorsTest {

    private static final Celeriac CELERIAC = Celeriac.discover();
    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-dirs-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    private StateStore open(Path file) {
        return CELERIAC.openStateStore(file.toString(), StateStoreOptions.defaults());
    }

    @Test
    void aMissingDirectoryIsNamedAndNotCreated() {
        Path missing = dir.resolve("no/such/dir");
        UnableToOpenStateStoreException e = catchThrowableOfType(UnableToOpenStateStoreException.class,
                () -> open(missing.resolve("worker.state")));
        assertThat(e).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        assertThat(e.location()).isEqualTo(missing.toString());
        assertThat(Files.exists(dir.resolve("no"))).isFalse();
    }

    @Test
    void aPathThatIsADirectoryOrUnderAFileIsNamed() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("state"));
        assertThat(catchThrowableOfType(UnableToOpenStateStoreException.class, () -> open(sub)))
                .hasMessageContaining(sub.toString()).hasMessageContaining("is a directory");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        assertThat(catchThrowableOfType(UnableToOpenStateStoreException.class, () -> open(plain.resolve("worker.state"))))
                .hasMessageContaining(plain.toString()).hasMessageContaining("not a directory");
    }

    @Test
    void noPermissionToWriteTheDirectoryIsNamed() throws Exception {
        Path locked = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path file = locked.resolve("worker.state");
        if (!Files.isWritable(locked)) {
            UnableToOpenStateStoreException e = catchThrowableOfType(UnableToOpenStateStoreException.class, () -> open(file));
            assertThat(e).hasMessageContaining(locked.toString()).hasMessageContaining("no permission");
            return;
        }
        // Running as root: permissions do not bind root, so open in a child JVM without the capabilities
        // that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "running as root without /usr/bin/setpriv: cannot drop the permission override");
        List<String> prefix = List.of(setpriv.toString(), "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all");
        try (ChildJvm child = ChildJvm.start(prefix, StateChild.class, "open", file.toString())) {
            String line = child.awaitLine(l -> l.startsWith("FAILED") || l.equals("OPENED"), Tck.timeout(Duration.ofSeconds(60)));
            assertThat(line).startsWith("FAILED " + UnableToOpenStateStoreException.class.getName())
                    .contains(locked.toString()).contains("no permission");
        }
    }

    @Test
    void anUnreadableStateFileIsNamed() throws Exception {
        Path file = dir.resolve("worker.state");
        try (StateStore s = open(file)) {
            WorkerState w = WorkerState.withCeleryDefaults();
            s.merge(w);
            s.save(w);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(file)) {
            assertThat(catchThrowableOfType(UnableToOpenStateStoreException.class, () -> open(file)))
                    .hasMessageContaining(file.toString()).hasMessageContaining("no permission");
            return;
        }
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "running as root without /usr/bin/setpriv: cannot drop the permission override");
        List<String> prefix = List.of(setpriv.toString(), "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all");
        try (ChildJvm child = ChildJvm.start(prefix, StateChild.class, "open", file.toString())) {
            String line = child.awaitLine(l -> l.startsWith("FAILED") || l.equals("OPENED"), Tck.timeout(Duration.ofSeconds(60)));
            assertThat(line).startsWith("FAILED " + UnableToOpenStateStoreException.class.getName())
                    .contains(file.toString()).contains("no permission");
        }
    }
}
