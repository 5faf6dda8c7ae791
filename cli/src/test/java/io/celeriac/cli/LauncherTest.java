package io.celeriac.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code celeriac} launcher says what it is doing while it builds itself, and for how long: a line first, one
 * per module as Maven reaches it, the time it took; a failed build shows Maven's last lines. Run against a stand-in
 * for {@code ./mvnw} in a copy of the launcher, so that no real build runs.
 */
class LauncherTest {

    @TempDir
    Path dir;

    private static Path repoRoot() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.exists(d.resolve("celeriac"))) {
            d = d.getParent();
        }
        assertThat(d).isNotNull();
        return d;
    }

    /** A copy of the launcher whose ./mvnw prints Maven's module lines and makes an empty jar (or fails). */
    private void setUp(boolean buildFails) throws IOException {
        Files.copy(repoRoot().resolve("celeriac"), dir.resolve("celeriac"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>\n");
        Path emptyJar = dir.resolve("empty.jar");
        try (OutputStream out = Files.newOutputStream(emptyJar); JarOutputStream jar = new JarOutputStream(out, new Manifest())) {
            jar.flush();
        }
        String mvnw = "#!/usr/bin/env bash\n"
                + "echo '[INFO] Scanning for projects...'\n"
                + "echo '[INFO] Building celeriac core-api 0.1.0-SNAPSHOT                          [1/2]'\n"
                + "echo '[INFO] Building jar: /somewhere/celeriac-core-api.jar'\n"
                + (buildFails
                ? "echo '[ERROR] COMPILATION ERROR: something is wrong'\nexit 1\n"
                : "echo '[INFO] Building celeriac cli 0.1.0-SNAPSHOT                              [2/2]'\n"
                + "mkdir -p cli/target/lib && cp '" + emptyJar + "' cli/target/celeriac-cli.jar\n");
        Files.writeString(dir.resolve("mvnw"), mvnw);
        Files.setPosixFilePermissions(dir.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int code, String out, String err) {
    }

    private Result launch(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add("bash");
        pb.command().add(dir.resolve("celeriac").toString());
        pb.command().addAll(java.util.List.of(args));
        Map<String, String> env = pb.environment();
        env.put("CELERIAC_CLASSPATH", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        env.put("TMPDIR", dir.toString());
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        pb.redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void theFirstRunSaysItBuildsForAboutAMinuteAndShowsEachModule() throws Exception {
        setUp(false);
        Result first = launch("--version");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("celeriac 0.1.0-SNAPSHOT");
        assertThat(first.err()).startsWith("celeriac: building the command with ./mvnw, once: about a minute")
                .contains("celeriac:   building celeriac core-api [1/2]\n")
                .contains("celeriac:   building celeriac cli [2/2]\n")
                .containsPattern("celeriac: built in \\d+ s")
                .doesNotContain("Scanning for projects").doesNotContain("Building jar");

        Result second = launch("--version");
        assertThat(second.code()).isZero();
        assertThat(second.err()).as("built already: it starts at once").doesNotContain("building");
    }

    @Test
    void aFailedBuildShowsMavensLastLines() throws Exception {
        setUp(true);
        Result r = launch("--version");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("[ERROR] COMPILATION ERROR: something is wrong")
                .contains("celeriac: the build failed (the last lines are above; the whole log is " + dir);
    }
}
