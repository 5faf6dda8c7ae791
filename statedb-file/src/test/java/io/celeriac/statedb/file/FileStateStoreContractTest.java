package io.celeriac.statedb.file;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.tck.StateStoreContract;
import io.celeriac.tck.StateStoreFixture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The state store kit against real files: each test gets its own directory; a restart is a new store on
 * the same file; corruption is done to the snapshot file's bytes; kept-aside copies are the
 * {@code *.corrupt-*} files beside it.
 */
class FileStateStoreContractTest extends StateStoreContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected StateStoreFixture createFixture() throws IOException {
        Path dir = TempDirs.create("celeriac-kit-");
        Path file = dir.resolve("worker.state");
        return new StateStoreFixture() {
            @Override
            public StateStore open() {
                return CELERIAC.openStateStore(file.toString(), StateStoreOptions.defaults());
            }

            @Override
            public StateStore openKeepingCorruptAside() {
                return CELERIAC.openStateStore(file.toUri() + "?on_corrupt=keep_aside", StateStoreOptions.defaults());
            }

            @Override
            public Set<StateStoreCapability> capabilities() {
                return Set.of(StateStoreCapability.EXCLUSIVE, StateStoreCapability.KEEP_CORRUPT_ASIDE);
            }

            @Override
            public boolean corrupt(Corruption kind) throws IOException {
                byte[] b = Files.readAllBytes(file);
                switch (kind) {
                    case FLIPPED_BIT:
                        b[b.length / 2] ^= 0x10;
                        Files.write(file, b);
                        return true;
                    case TRUNCATED:
                        Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
                        return true;
                    case FOREIGN:
                        byte[] junk = new byte[4096];
                        new Random(42).nextBytes(junk);
                        Files.write(file, junk);
                        return true;
                    default:
                        return false;
                }
            }

            @Override
            public List<String> keptAside() throws IOException {
                List<String> out = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.corrupt-*")) {
                    ds.forEach(p -> out.add(p.getFileName().toString()));
                }
                out.sort(null);
                return out;
            }

            @Override
            public void close() throws IOException {
                TempDirs.delete(dir);
            }
        };
    }
}
