package io.celeriac.it;

import io.celeriac.testing.PythonCelery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drop-in story end to end: examples/filesystem-backend, a standalone project outside the reactor
 * that depends only on the published core-api and tck, is built and passes the kit; its jar put on the
 * command's class path makes {@code celeriac backends} list it and {@code celeriac result} read and write
 * through it; and Python Celery's own filesystem backend reads what it wrote.
 */
class ThirdPartyPluginIT {

    private static final Path ROOT = Path.of(System.getProperty("celeriac.repo.root"));

    @TempDir
    Path results;

    @Test
    void anOutsidersPluginBuildsAgainstThePublishedKitAndDropsIntoTheCommand() throws Exception {
        Path example = ROOT.resolve("examples/filesystem-backend");
        Processes.Result build = Processes.run(example, Map.of(), Duration.ofMinutes(6), List.of(
                ROOT.resolve("mvnw").toString(), "-B", "-q", "-f", example.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + System.getProperty("celeriac.it.repo"),
                "-Dmaven.repo.local.tail=" + System.getProperty("celeriac.user.repo"),
                "clean", "verify"));
        build.ok();
        String report = Files.readString(example.resolve("target/surefire-reports/com.example.celeriac.fs.FilesystemBackendContractTest.txt"));
        long kit = java.util.Arrays.stream(io.celeriac.tck.BackendContract.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).count();
        assertThat(kit).isGreaterThan(30);
        assertThat(report).contains("Tests run: " + kit + ", Failures: 0, Errors: 0, Skipped: 0");
        Path jar = example.resolve("target/celeriac-filesystem-backend-1.0.0.jar");
        assertThat(jar).isRegularFile();

        Map<String, String> env = Map.of("CELERIAC_CLASSPATH", jar.toString());
        Processes.Result backends = Processes.run(ROOT, env, Duration.ofMinutes(2), List.of(ROOT.resolve("celeriac").toString(), "backends")).ok();
        assertThat(backends.out()).containsPattern("backend\\s+file\\s+com\\.example\\.celeriac\\.fs\\.FilesystemBackendProvider\\s+" + jar);

        String url = "file://" + results;
        Processes.run(ROOT, env, Duration.ofMinutes(1), List.of(ROOT.resolve("celeriac").toString(), "result", "store", "fs-task-1",
                "--backend", url, "--state", "SUCCESS", "--result", "{\"answer\": 42, \"unicode\": \"\\u00e9\"}")).ok();
        assertThat(results.resolve("celery-task-meta-fs-task-1")).isRegularFile();
        Processes.Result get = Processes.run(ROOT, env, Duration.ofMinutes(1), List.of(ROOT.resolve("celeriac").toString(), "result", "get",
                "fs-task-1", "--backend", url, "--json")).ok();
        assertThat(get.out()).startsWith("{\"status\": \"SUCCESS\", \"result\": {\"answer\": 42, \"unicode\": \"\\u00e9\"}, \"traceback\": null")
                .contains("\"task_id\": \"fs-task-1\"");

        Processes.Result noPlugin = Processes.run(ROOT, Map.of(), Duration.ofMinutes(1), List.of(ROOT.resolve("celeriac").toString(), "result", "get",
                "fs-task-1", "--backend", url));
        assertThat(noPlugin.code()).isEqualTo(1);
        assertThat(noPlugin.err().strip()).startsWith("celeriac: Unknown backend scheme 'file'").doesNotContain("\n");

        PythonCelery.Result python = PythonCelery.run(String.join("\n",
                "import sys",
                "from celery import Celery",
                "app = Celery('fs', backend=sys.argv[1])",
                "app.conf.accept_content = ['json']",
                "r = app.AsyncResult('fs-task-1')",
                "print(r.state, r.get(timeout=5))",
                "app.backend.store_result('fs-task-2', [1, 'two'], 'SUCCESS')",
                ""), Duration.ofSeconds(60), Map.of(), url).assertSuccess();
        assertThat(python.stdout().strip()).isEqualTo("SUCCESS {'answer': 42, 'unicode': 'é'}");
        Processes.Result fromPython = Processes.run(ROOT, env, Duration.ofMinutes(1), List.of(ROOT.resolve("celeriac").toString(), "result", "get",
                "fs-task-2", "--backend", url, "--json")).ok();
        assertThat(fromPython.out()).startsWith("{\"status\": \"SUCCESS\", \"result\": [1, \"two\"]");
    }
}
