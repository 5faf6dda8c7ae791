package io.celeriac.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.memory.internal.MemoryBackend;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the kit cannot see: the memory store's key layout, sharing and isolation. */
class MemoryBackendTest {

    private final Celeriac celeriac = Celeriac.discover();

    @Test
    void storesCeleryBytesUnderCeleryKeys() {
        try (MemoryBackend b = (MemoryBackend) celeriac.openBackend("memory://?global_keyprefix=app")) {
            assertThat(b.taskKey("t1")).isEqualTo("app_celery-task-meta-t1");
            assertThat(b.groupKey("g1")).isEqualTo("app_celery-taskset-meta-g1");
            TaskMeta m = b.storeResult("t1", Map.of("x", 1L), TaskState.SUCCESS);
            String expected = "{\"status\": \"SUCCESS\", \"result\": {\"x\": 1}, \"traceback\": null, \"children\": null, \"date_done\": \""
                    + CeleryJson.formatDateDone(m.dateDone()) + "\", \"task_id\": \"t1\"}";
            assertThat(new String(CeleryJson.encodeMeta(b.getTaskMeta("t1")), StandardCharsets.US_ASCII)).isEqualTo(expected);
        }
        try (MemoryBackend b = (MemoryBackend) celeriac.openBackend("memory://?global_keyprefix=app:")) {
            assertThat(b.taskKey("t1")).isEqualTo("app:celery-task-meta-t1");
        }
    }

    @Test
    void namedStoresAreSharedAndUnnamedOnesArePrivate() {
        try (Backend a = celeriac.openBackend("memory://shared-x"); Backend b = celeriac.openBackend("memory://shared-x");
             Backend c = celeriac.openBackend("memory://"); Backend d = celeriac.openBackend("memory://")) {
            a.storeResult("t", 1L, TaskState.SUCCESS);
            assertThat(b.getResult("t")).isEqualTo(1L);
            c.storeResult("t", 2L, TaskState.SUCCESS);
            assertThat(d.getStatus("t")).isEqualTo(TaskState.PENDING);
        }
        try (Backend again = celeriac.openBackend("memory://shared-x")) {
            assertThat(again.getStatus("t")).as("a named store lives while one backend has it open").isEqualTo(TaskState.PENDING);
        }
    }

    @Test
    void aWaitThatTimesOutNamesTheLastStateSeen() {
        try (Backend b = celeriac.openBackend("memory://")) {
            b.storeResult("p1", Map.of("current", 4L), TaskState.of("PROGRESS"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.waitFor("p1", Duration.ofMillis(300)))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageEndingWith("was not ready after 300 ms; last state PROGRESS {\"current\": 4}")
                    .satisfies(e -> assertThat(((WaitTimeoutException) e).lastSeen().orElseThrow().result())
                            .isEqualTo(Map.of("current", 4L)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.waitFor("never-seen", Duration.ofMillis(50)))
                    .isInstanceOf(WaitTimeoutException.class)
                    .hasMessageEndingWith("last state PENDING");
        }
    }

    @Test
    void resultExpiresComesFromTheUrl() {
        try (Backend b = celeriac.openBackend("memory://?result_expires=0&result_extended=true")) {
            assertThat(b.options().resultExpires()).isEqualTo(Duration.ZERO);
            assertThat(b.options().resultExtended()).isTrue();
            assertThat(b.asUri()).isEqualTo("memory://");
        }
    }

    @Test
    void scanningSkipsOtherKeys() {
        try (Backend b = celeriac.openBackend("memory://")) {
            b.storeResult("t1", 1L, TaskState.SUCCESS);
            b.saveGroup(GroupResult.ofTaskIds("g1", List.of("t1")));
            b.setChordSize("c1", 2);
            try (Stream<String> ids = b.taskIds(); Stream<String> gids = b.groupIds()) {
                assertThat(ids.collect(Collectors.toList())).containsExactly("t1");
                assertThat(gids.collect(Collectors.toList())).containsExactly("g1");
            }
        }
    }
}
