package io.celeriac.events.snapshot;

import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.MutableClock;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonFileCameraTest {

    @TempDir
    Path dir;

    private static MemoryEventState state() {
        return new MemoryEventState(EventStateOptions.builder()
                .clock(MutableClock.atEpochSeconds(CameraFixtures.T0 + 1)).build());
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void writesTheSnapshotDocumentAndReplacesItAtomically() throws Exception {
        Path file = dir.resolve("cluster.json");
        JsonFileCamera camera = new JsonFileCamera(file);
        try (MemoryEventState s = state()) {
            CameraFixtures.fill(s, 3);
            EventStateSnapshot first = s.snapshot();
            camera.onShutter(first);
            assertThat(CeleryJson.decode(Files.readAllBytes(file)))
                    .isEqualTo(CeleryJson.decode(CeleryJson.encode(first.toCeleryDict())));
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));

            CameraFixtures.fill(s, 6);
            camera.onShutter(s.snapshot());
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) CeleryJson.decode(Files.readAllBytes(file));
            assertThat((Map<?, ?>) doc.get("tasks")).hasSize(6);
            assertThat(leftovers()).isEmpty();
        }
    }

    @Test
    void aTaskLimitKeepsTheNewest() throws Exception {
        Path file = dir.resolve("newest.json");
        try (MemoryEventState s = state()) {
            CameraFixtures.fill(s, 10);
            new JsonFileCamera(file, 3).onShutter(s.snapshot());
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) CeleryJson.decode(Files.readAllBytes(file));
            assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) doc.get("tasks")).keySet())).containsExactly((Object) "t9", "t8", "t7");
            assertThat(new java.util.ArrayList<Object>((List<?>) doc.get("tasks_by_time"))).containsExactly((Object) "t9", "t8", "t7");
        }
        assertThatThrownBy(() -> new JsonFileCamera(file, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedWriteLeavesThePreviousSnapshot() throws Exception {
        Path file = dir.resolve("keep.json");
        try (MemoryEventState s = state()) {
            CameraFixtures.fill(s, 2);
            new JsonFileCamera(file).onShutter(s.snapshot());
            byte[] before = Files.readAllBytes(file);
            Path missingDir = dir.resolve("no-such-dir").resolve("x.json");
            assertThatThrownBy(() -> new JsonFileCamera(missingDir).onShutter(s.snapshot()))
                    .isInstanceOf(IOException.class);
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.celeriac.testing.CeleryVersion#matrix")
    void pythonReadsTheDocument(CeleryVersion celery) throws Exception {
        Path file = dir.resolve("py.json");
        try (MemoryEventState s = state()) {
            CameraFixtures.fill(s, 4);
            Polaroid p = new Polaroid(s, new JsonFileCamera(file), PolaroidOptions.defaults());
            p.cancel(); // the last snapshot
        }
        String script = String.join("\n",
                "import json, sys",
                "doc = json.load(open(sys.argv[1]))",
                "print(doc['event_count'], doc['task_count'], ','.join(doc['task_types']))",
                "for uuid, t in doc['tasks'].items():",
                "    print(uuid, t['state'], t['worker'], t['result'], t['received'])",
                "w = doc['workers']['w1@h']",
                "print(w['alive'], w['status_string'], w['heartbeat_expires'], w['loadavg'])");
        List<String> lines = PythonPeer.of(celery).run(script, Tck.timeout(Duration.ofSeconds(60)), Map.of(), file.toString())
                .assertSuccess().lines();
        assertThat(lines).containsExactly(
                "7 4 proj.add",
                "t3 RECEIVED w1@h None 1795263403.0",
                "t2 SUCCESS w1@h 'caf\u00e9 2' 1795263402.0",
                "t1 RECEIVED w1@h None 1795263401.0",
                "t0 SUCCESS w1@h 'caf\u00e9 0' 1795263400.0",
                "True ONLINE 1795263407.0 [0.1, 0.2, 0.3]");
    }
}
