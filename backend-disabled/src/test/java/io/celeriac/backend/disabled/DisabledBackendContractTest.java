package io.celeriac.backend.disabled;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.GroupResult;
import io.celeriac.backend.TaskState;
import io.celeriac.tck.BackendContract;
import io.celeriac.tck.BackendFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kit against disabled://: it declares no capability, so the kit's capability tests are skipped
 * and every operation is checked to fail with the standard message; the checks below add Celery's own
 * behaviour.
 */
class DisabledBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BackendFixture createFixture() {
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend("disabled://", options);
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return Set.of();
            }
        };
    }

    @Test
    void storingIsASilentNoOp() {
        Backend b = open();
        assertThat(b.storeResult("t1", 42L, TaskState.SUCCESS).status()).isEqualTo(TaskState.SUCCESS);
        b.markAsStarted("t1", Map.of("pid", 1L));
        b.markAsRevoked("t1", "revoked", null);
    }

    @Test
    void everyReadSaysNoBackendIsConfiguredAndHowToConfigureOne() {
        Backend b = open();
        List<Runnable> reads = List.of(() -> b.getTaskMeta("t"), () -> b.getStatus("t"), () -> b.getResult("t"),
                () -> b.getTraceback("t"), () -> b.getMany(List.of("t")), () -> b.waitFor("t", Duration.ofSeconds(1)),
                () -> b.waitForAsync("t"), () -> b.restoreGroup("g"), () -> b.saveGroup(GroupResult.ofTaskIds("g", List.of("t"))),
                () -> b.forget("t"), b::cleanup, () -> b.setChordSize("g", 2));
        for (Runnable r : reads) {
            assertThatThrownBy(r::run)
                    .isInstanceOf(DisabledBackendException.class)
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageStartingWith("disabled:// does not support ")
                    .hasMessageContaining("No result backend is configured")
                    .hasMessageContaining("redis://localhost:6379/0");
        }
    }

    @Test
    void asUriIsDisabled() {
        assertThat(open().asUri()).isEqualTo("disabled://");
    }
}
