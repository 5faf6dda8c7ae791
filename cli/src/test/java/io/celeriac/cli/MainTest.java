package io.celeriac.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoPrintsItsTables(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Run r = run("demo", "--backend", "db+sqlite:///" + dir.resolve("demo.sqlite"), "--tasks", "3", "--revokes", "100", "--events", "600", "--worker-tasks", "50", "-q");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("celeriac demo on sqlite:///" + dir.resolve("demo.sqlite"))
                .contains("Results by state (21 ids read back")
                .containsPattern("SUCCESS\\s+3\\s+yes").containsPattern("PENDING\\s+3\\s+no").containsPattern("PROGRESS\\s+3\\s+no")
                .contains("restored with 5 members")
                .contains("completed once")
                .contains("[0, 1, 4, 9, 16, 25, 36, 49]")
                .contains("10 waiters woken")
                .containsPattern("A Java worker \\(demo@\\S+, 4 threads\\) serves tasks sent through memory://demo-")
                .containsPattern("demo\\.add\\(2, 3\\)\\s+SUCCESS\\s+5")
                .containsPattern("add\\(100\\)\\s+SUCCESS\\s+113")
                .containsPattern("\\(sum\\)\\s+SUCCESS\\s+110")
                .containsPattern("demo\\.fail\\(7\\)\\s+FAILURE\\s+ValueError: bad input 7")
                .contains("ok after 2 retries")
                .containsPattern("50 x demo\\.add\\(i, i\\), results in sqlite\\s+SUCCESS\\s+sum 2450 in")
                .containsPattern("ping -> \\{demo@\\S+=pong\\}")
                .containsPattern("before the restart\\s+100\\s+102")
                .containsPattern("after reopening\\s+100\\s+103")
                .containsPattern("Cluster state from \\d+ generated events \\(\\d+ tasks received\\)")
                .containsPattern("alpha@demo\\s+ONLINE").containsPattern("gamma@demo\\s+OFFLINE")
                .contains("Latest tasks:").containsPattern("proj\\.\\w+\\s+(SUCCESS|FAILURE|RETRY)")
                .contains("done in ");
    }

    @Test
    void backendsListsTheInstalledProviders() {
        Run r = run("backends");
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsPattern("backend\\s+cache\\+memory, memory\\s+io.celeriac.backend.memory.MemoryBackendProvider")
                .contains("io.celeriac.backend.disabled.DisabledBackendProvider");
        Run json = run("backends", "--json");
        assertThat(json.out()).contains("\"spi\": \"backend\", \"schemes\": [\"disabled\"]");
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() {
        Run r = run("demo", "--backend", "nosuch://admin:hunter2@h/0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("celeriac: Unknown backend scheme 'nosuch'").doesNotContain("hunter2").doesNotContain("\n");
        Run usage = run("demo", "--tasks", "many");
        assertThat(usage.code()).isEqualTo(2);
    }
}
