package io.celeriac.backend;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.json.CeleryJson;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerVersionTest {

    @Test
    void parsesAndOrdersVersions() {
        assertThat(PeerVersion.parse("5.5.2")).isEqualTo(PeerVersion.V5_5);
        assertThat(PeerVersion.parse("5.6").atLeast(PeerVersion.V5_5)).isTrue();
        assertThat(PeerVersion.parse("5.4").writesDateDoneOffset()).isFalse();
        assertThat(PeerVersion.V5_2.writesDateDoneOffset()).isFalse();
        assertThatThrownBy(() -> PeerVersion.parse("five")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'five'");
    }

    @Test
    void theUrlPicksTheVersionAndABadOneIsAUrlError() {
        BackendOptions o = BackendOptions.defaults()
                .withUrlOverrides(BackendUrl.parse("redis://127.0.0.1:6379/0?celery_version=5.6"));
        assertThat(o.peerVersion()).isEqualTo(new PeerVersion(5, 6));
        assertThat(BackendOptions.defaults().peerVersion()).isEqualTo(PeerVersion.V5_2);
        assertThatThrownBy(() -> BackendOptions.defaults()
                .withUrlOverrides(BackendUrl.parse("redis://127.0.0.1:6379/0?celery_version=x")))
                .isInstanceOf(InvalidUrlException.class).hasMessageContaining("celery_version");
    }

    @Test
    void dateDoneKeepsTheOffsetItWasWrittenWith() {
        String py55 = "{\"status\": \"SUCCESS\", \"result\": 1, \"traceback\": null, \"children\": [], "
                + "\"date_done\": \"2026-12-07T06:21:21.412582+00:00\", \"task_id\": \"t\"}";
        TaskMeta m = CeleryJson.decodeMeta(py55);
        assertThat(m.dateDone()).isEqualTo(Instant.parse("2026-12-07T06:21:21.412582Z"));
        assertThat(m.dateDoneOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(CeleryJson.encodeMetaToString(m)).isEqualTo(py55);

        String tz = py55.replace("06:21:21.412582+00:00", "07:21:21+01:00");
        TaskMeta local = CeleryJson.decodeMeta(tz);
        assertThat(local.dateDone()).isEqualTo(Instant.parse("2026-12-07T06:21:21Z"));
        assertThat(CeleryJson.encodeMetaToString(local)).isEqualTo(tz);

        String naive = py55.replace("+00:00", "");
        assertThat(CeleryJson.decodeMeta(naive).dateDoneOffset()).isNull();
        assertThat(CeleryJson.encodeMetaToString(CeleryJson.decodeMeta(naive))).isEqualTo(naive);
    }
}
