package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.json.CeleryJson;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class StatedbCommandTest {

    @TempDir
    Path dir;

    @Test
    void revokeThenShowAndCompact() {
        String file = dir.resolve("worker.state").toString();
        MainTest.Run revoke = run("statedb", "revoke", file, "t-1", "t-2", "t-3");
        assertThat(revoke.code()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("revoked 3 ids").contains("it now holds 3 revoked ids");

        MainTest.Run show = run("statedb", "show", file, "--json");
        assertThat(show.code()).as(show.err()).isZero();
        Map<?, ?> json = (Map<?, ?>) CeleryJson.decode(show.out().strip());
        assertThat(new java.util.HashSet<Object>(((Map<?, ?>) json.get("revoked")).keySet())).containsExactlyInAnyOrder("t-1", "t-2", "t-3");
        assertThat((Long) json.get("clock")).isPositive();

        MainTest.Run table = run("statedb", "show", file);
        assertThat(table.out()).containsPattern("revoked ids\\s+3").contains("t-3");

        MainTest.Run compact = run("statedb", "compact", file);
        assertThat(compact.code()).as(compact.err()).isZero();
        assertThat(compact.out()).contains("3 revoked ids kept").contains("bytes on disk");
        assertThat(run("statedb", "show", file, "--json").out()).contains("\"t-2\"");
    }

    @Test
    void aStateHeldByARunningWorkerIsRefusedInOneLine() {
        Path file = dir.resolve("held.state");
        try (StateStore store = Celeriac.discover().openStateStore(file.toString(),
                StateStoreOptions.builder().property("shutdown_hook", "false").build())) {
            store.merge(WorkerState.withCeleryDefaults());
            MainTest.Run r = run("statedb", "revoke", file.toString(), "x");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).startsWith("celeriac: ").contains(file.toString()).doesNotContain("\n");
            MainTest.Run show = run("statedb", "show", file.toString());
            assertThat(show.code()).as("show reads beside a running worker: " + show.err()).isZero();
        }
    }

    @Test
    void placeholdersAndMissingDirectories() {
        MainTest.Run r = run("statedb", "revoke", dir + "/%n.state", "--node", "w7@example.com", "a");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.exists(dir.resolve("w7.state"))).isTrue();
        MainTest.Run bad = run("statedb", "show", dir + "/%x.state");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("%x");
        MainTest.Run missing = run("statedb", "revoke", dir.resolve("no/such/dir/w.state").toString(), "a");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip()).contains("no/such/dir").doesNotContain("\n\tat ");
    }
}
