package io.celeriac.testing;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PythonPeerTest {

    static List<CeleryVersion> versions() {
        return CeleryVersion.matrix();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void runsTheExpectedCeleryWithPathsSharedWithTheMachine(CeleryVersion v, @TempDir Path dir) throws IOException {
        PythonPeer peer = PythonPeer.of(v);
        peer.assumeAvailable();
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "from the JVM", StandardCharsets.UTF_8);

        PythonCelery.Result r = peer.run(String.join("\n",
                "import sys, celery, kombu",
                "print(celery.__version__)",
                "print(open(sys.argv[1]).read())",
                "open(sys.argv[2], 'w').write('from ' + celery.__version__)"),
                Duration.ofSeconds(60), Map.of(), in.toString(), dir.resolve("out.txt").toString()).assertSuccess();

        assertThat(r.lines()).containsExactly(v.expectedVersion(), "from the JVM");
        assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("from " + v.expectedVersion());
        if (v.isChrooted()) {
            // the mounts lived in the script's private namespace: none is left on the machine
            assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
                    .doesNotContain(CeleryRoots.root(v).toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void aBackgroundProcessRunsInItsWorkingFolderAndStopsByItsPid(CeleryVersion v, @TempDir Path dir) throws Exception {
        PythonPeer peer = PythonPeer.of(v);
        peer.assumeAvailable();
        Path log = dir.resolve("log.txt");
        Process p = peer.startBackground("import os, time\nprint(os.getcwd(), flush=True)\ntime.sleep(120)\n", log,
                Map.of(), dir);
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(log).contains(dir.toString()));
        } finally {
            PythonPeer.stop(p);
        }
        assertThat(p.isAlive()).isFalse();
    }
}
