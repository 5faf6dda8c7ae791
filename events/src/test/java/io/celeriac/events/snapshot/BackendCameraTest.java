package io.celeriac.events.snapshot;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.events.EventStateSnapshot;
import io.celeriac.events.state.internal.MemoryEventState;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.MutableClock;
import io.celeriac.tck.Tck;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BackendCameraTest {

    private static MemoryEventState state() {
        return new MemoryEventState(EventStateOptions.builder()
                .clock(MutableClock.atEpochSeconds(CameraFixtures.T0 + 1)).build());
    }

    @Test
    void storesTheSnapshotDocumentUnderOneIdWithTheSnapshotState() {
        try (Backend backend = Celeriac.discover().openBackend("memory://");
             MemoryEventState s = state()) {
            CameraFixtures.fill(s, 3);
            BackendCamera camera = new BackendCamera(backend);
            EventStateSnapshot snap = s.snapshot();
            camera.onShutter(snap);
            TaskMeta meta = backend.getTaskMeta(BackendCamera.DEFAULT_SNAPSHOT_ID);
            assertThat(meta.status()).isEqualTo(TaskState.of("SNAPSHOT"));
            assertThat(meta.status().isReady()).isFalse();
            assertThat(CeleryJson.decode(CeleryJson.encode(meta.result())))
                    .isEqualTo(CeleryJson.decode(CeleryJson.encode(snap.toCeleryDict())));
            for (int i = 0; i < 3; i++) {
                assertThat(backend.getStatus("t" + i)).as("task results are not touched").isEqualTo(TaskState.PENDING);
            }

            CameraFixtures.fill(s, 5);
            camera.onShutter(s.snapshot());
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) backend.getResult(BackendCamera.DEFAULT_SNAPSHOT_ID);
            assertThat((Map<?, ?>) doc.get("tasks")).as("replaced, not kept").hasSize(5);
        }
    }

    @Test
    void aPolaroidKeepsTheBackendCurrent() {
        try (Backend backend = Celeriac.discover().openBackend("memory://");
             MemoryEventState s = state()) {
            BackendCamera camera = new BackendCamera(backend, "my-cluster", 2);
            try (Polaroid p = new Polaroid(s, camera, PolaroidOptions.builder().freq(Duration.ofMillis(10)).build())
                    .install()) {
                CameraFixtures.fill(s, 4);
                await().atMost(Tck.timeout(Duration.ofSeconds(10))).until(() -> {
                    Object r = backend.getResult("my-cluster");
                    return r instanceof Map<?, ?> m && ((Number) m.get("event_count")).longValue() == 7;
                });
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) backend.getResult("my-cluster");
            assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) doc.get("tasks")).keySet())).containsExactly((Object) "t3", "t2");
        }
        assertThatThrownBy(() -> new BackendCamera(null)).isInstanceOf(NullPointerException.class);
    }
}
