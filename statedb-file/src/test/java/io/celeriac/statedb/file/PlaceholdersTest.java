package io.celeriac.statedb.file;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.statedb.file.internal.NodeFormat;
import io.celeriac.testing.PythonCelery;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Celery's {@code %h %n %d %p %i %I %%} placeholders in state file names. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class PlaceholdersTest {

    @Parameter
    CeleryVersion celery;

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = TempDirs.create("celeriac-placeholders-");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        TempDirs.delete(dir);
    }

    private static String expand(String text, String node, int index) {
        List<String> problems = new ArrayList<>();
        String out = NodeFormat.expand(text, node, index, () -> "thishost", problems);
        assertThat(problems).as("problems expanding %s", text).isEmpty();
        return out;
    }

    @Test
    void expandsLikeCeleryNodeFormat() {
        String node = "worker1@host.example.com";
        assertThat(expand("%n", node, 0)).isEqualTo("worker1");
        assertThat(expand("%h", node, 0)).isEqualTo("host.example.com");
        assertThat(expand("%d", node, 0)).isEqualTo("example.com");
        assertThat(expand("%p", node, 0)).isEqualTo("worker1@host.example.com");
        assertThat(expand("%i|%I", node, 0)).isEqualTo("0|");
        assertThat(expand("%i|%I", node, 3)).isEqualTo("3|-3");
        assertThat(expand("/var/run/%n%I.state", node, 2)).isEqualTo("/var/run/worker1-2.state");
        assertThat(expand("100%%-%n", node, 0)).isEqualTo("100%-worker1");
        // Celery's nodesplit: no '@' means all host; an empty name is "celery"; an empty host is this host
        assertThat(expand("%n|%h|%d|%p", "worker1", 0)).isEqualTo("celery|worker1||worker1");
        assertThat(expand("%n|%h", "@h.x", 0)).isEqualTo("celery|h.x");
        assertThat(expand("%n|%h", "w@", 0)).isEqualTo("w|thishost");
    }

    @Test
    void agreesWithPythonCeleryWhereCeleryIsDefined() {
        PythonPeer.of(celery).assumeAvailable();
        List<String> templates = List.of("%n", "%h", "%d", "%p", "%i", "%I", "/tmp/%n-%h-%d-%p-%i%I.state", "plain.state", "%%n");
        String nodeName = "worker1@host.example.com";
        String script = String.join("\n",
                "import sys",
                "from celery.utils.nodenames import node_format",
                "for t in sys.argv[2:]:",
                "    print('[' + node_format(t, sys.argv[1]) + ']')");
        List<String> args = new ArrayList<>();
        args.add(nodeName);
        args.addAll(templates);
        PythonCelery.Result r = PythonPeer.of(celery).run(script, Duration.ofSeconds(60), Map.of(), args.toArray(new String[0])).assertSuccess();
        List<String> python = r.lines().stream().map(l -> l.substring(1, l.length() - 1)).toList();
        assertThat(python).hasSize(templates.size());
        for (int i = 0; i < templates.size(); i++) {
            String t = templates.get(i);
            if (t.equals("%%n")) {
                // Celery 5.2.6 expands only the %n and leaves "%%" as two characters before it
                assertThat(python.get(i)).isEqualTo("%worker1");
                assertThat(expand(t, nodeName, 0)).isEqualTo("%n");
                continue;
            }
            assertThat(expand(t, nodeName, 0)).as("template %s", t).isEqualTo(python.get(i));
        }
    }

    @Test
    void unknownPlaceholdersAreAllReportedTogether() {
        List<String> problems = new ArrayList<>();
        NodeFormat.expand("/x/%q-%n-%Z-%", "w@h", 0, () -> "h", problems);
        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).contains("'%q'");
        assertThat(problems.get(1)).contains("'%Z'");
        assertThat(problems.get(2)).contains("lone '%'");

        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> Celeriac.discover().openStateStore(dir + "/%q-%n-%Z.state", StateStoreOptions.defaults()));
        assertThat(e.problems()).hasSize(2);
        assertThat(e.getMessage()).contains("%q").contains("%Z");
    }

    @Test
    void theStoreOpensTheExpandedFile() throws Exception {
        StateStoreOptions options = StateStoreOptions.builder().nodeName("worker7@host.example.com").poolIndex(0).build();
        try (StateStore s = Celeriac.discover().openStateStore(dir + "/%n@%d%I.state", options)) {
            assertThat(s.location()).isEqualTo(dir.resolve("worker7@example.com.state").toString());
            WorkerState w = WorkerState.withCeleryDefaults();
            s.merge(w);
            w.revoked().add("x");
            s.save(w);
        }
        assertThat(Files.exists(dir.resolve("worker7@example.com.state"))).isTrue();
    }

    @Test
    void aFileUrlTakesPlaceholdersPercentEncoded() {
        StateStoreOptions o = StateStoreOptions.builder().nodeName("w1@h").build();
        assertThat(FileStateStoreConfig.parse(BackendUrl.parse("file://" + dir + "/%25n%25I.db"), o).path()).isEqualTo(dir.resolve("w1.db"));
        assertThatThrownBy(() -> Celeriac.discover().openStateStore("file://" + dir + "/%n.db", o))
                .hasMessageContaining("%25n");
    }

    @Test
    void fileUrlsAndPlainPathsNameTheSameFile() {
        StateStoreOptions o = StateStoreOptions.builder().nodeName("w1@h").build();
        Path file = dir.resolve("w1 state.db");
        assertThat(FileStateStoreConfig.parse(BackendUrl.parse(file.toString()), o).path()).isEqualTo(file);
        assertThat(FileStateStoreConfig.parse(BackendUrl.parse(file.toUri().toString()), o).path()).isEqualTo(file);
        assertThat(FileStateStoreConfig.parse(BackendUrl.parse("file://localhost" + file.toUri().getRawPath()), o).path()).isEqualTo(file);
        assertThat(FileStateStoreConfig.parse(BackendUrl.parse("file:" + file), o).path()).isEqualTo(file);
        assertThat(FileStateStoreConfig.parse(BackendUrl.parse("relative/%n.db"), o).path())
                .isEqualTo(Path.of("relative/w1.db").toAbsolutePath());
        assertThatThrownBy(() -> FileStateStoreConfig.parse(BackendUrl.parse("file://otherhost/x.db"), o))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("three slashes");
    }
}
