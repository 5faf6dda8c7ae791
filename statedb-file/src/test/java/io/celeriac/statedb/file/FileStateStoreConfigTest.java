package io.celeriac.statedb.file;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FileStateStoreConfigTest {

    @Test
    void defaults() {
        FileStateStoreConfig c = FileStateStoreConfig.parse(BackendUrl.parse("/tmp/w.state"), StateStoreOptions.defaults());
        assertThat(c.path()).isEqualTo(Path.of("/tmp/w.state"));
        assertThat(c.onCorrupt()).isEqualTo(FileStateStoreConfig.OnCorrupt.FAIL);
        assertThat(c.journalFsync()).isTrue();
        assertThat(c.journalCommitDelay()).isZero();
        assertThat(c.journalMaxBatch()).isEqualTo(4096);
        assertThat(c.journalCompactSize()).isEqualTo(8L << 20);
        assertThat(c.clockReserve()).isEqualTo(1000);
        assertThat(c.shutdownHook()).isTrue();
        assertThat(c.nodeName()).startsWith("celery@");
    }

    @Test
    void propertiesAndUrlParametersAreReadAndTheUrlWins() {
        StateStoreOptions o = StateStoreOptions.builder()
                .property("on_corrupt", "keep_aside")
                .property("journal_fsync", "false")
                .property("clock_reserve", "10")
                .property("redis_only_setting", "ignored by the file store")
                .build();
        FileStateStoreConfig c = FileStateStoreConfig.parse(
                BackendUrl.parse("file:///tmp/w.state?clock_reserve=50&journal_commit_delay=0.002&journal_max_batch=64&shutdown_hook=no&journal_compact_size=0"), o);
        assertThat(c.onCorrupt()).isEqualTo(FileStateStoreConfig.OnCorrupt.KEEP_ASIDE);
        assertThat(c.journalFsync()).isFalse();
        assertThat(c.clockReserve()).isEqualTo(50);
        assertThat(c.journalCommitDelay()).isEqualTo(Duration.ofMillis(2));
        assertThat(c.journalMaxBatch()).isEqualTo(64);
        assertThat(c.shutdownHook()).isFalse();
        assertThat(c.journalCompactSize()).isZero();
    }

    @Test
    void everyBadValueIsReportedAtOnce() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, () -> FileStateStoreConfig.parse(
                BackendUrl.parse("file:///tmp/%25x.state?on_corrupt=ignore&journal_fsync=maybe&clock_reserve=-1"
                        + "&journal_commit_delay=5&journal_max_batch=0&journal_compact_size=lots&colour=blue"),
                StateStoreOptions.defaults()));
        assertThat(e.problems()).hasSize(8);
        assertThat(e.getMessage()).contains("%x", "on_corrupt", "journal_fsync", "clock_reserve", "journal_commit_delay",
                "journal_max_batch", "journal_compact_size", "colour");
    }

    @Test
    void settingsAreReadAsEveryCeleriacSettingWithTheOneWording() {
        FileStateStoreConfig c = FileStateStoreConfig.parse(BackendUrl.parse(
                "file:///tmp/w.state?on_corrupt=Keep-Aside&journal_fsync=OFF&journal_compact_size=16m&journal_commit_delay=1e-3"),
                StateStoreOptions.defaults());
        assertThat(c.onCorrupt()).isEqualTo(FileStateStoreConfig.OnCorrupt.KEEP_ASIDE);
        assertThat(c.journalFsync()).isFalse();
        assertThat(c.journalCompactSize()).isEqualTo(16L << 20);
        assertThat(c.journalCommitDelay()).isEqualTo(Duration.ofMillis(1));

        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, () -> FileStateStoreConfig.parse(
                BackendUrl.parse("file:///tmp/w.state?on_corrupt=ignore&shutdown_hook=maybe&journal_commit_delay=1.5"
                        + "&journal_max_batch=0&journal_compact_size=lots"),
                StateStoreOptions.defaults()));
        assertThat(e.problems()).containsExactly(
                "on_corrupt must be one of fail, keep_aside, not 'ignore'",
                "shutdown_hook must be true or false (also yes/no, on/off, 1/0), not 'maybe'",
                "journal_commit_delay must be a number of seconds from 0 to 1, not '1.5'",
                "journal_max_batch must be an integer from 1 to 2147483647, not '0'",
                "journal_compact_size must be a size from 0 to 9223372036854775807 bytes (units k, m, g), not 'lots'");
        assertThat(e.getMessage()).startsWith("Invalid state file URL file:///tmp/w.state");
    }

    @Test
    void theBuilderValidatesToo() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, () -> FileStateStoreConfig
                .builder(Path.of("/tmp/x")).journalMaxBatch(0).clockReserve(-2).journalCommitDelay(Duration.ofSeconds(2)).build());
        assertThat(e.problems()).hasSize(3);
        FileStateStoreConfig c = FileStateStoreConfig.builder(Path.of("rel.state")).build();
        assertThat(c.path().isAbsolute()).isTrue();
        assertThat(c.toBuilder().clockReserve(5).build().clockReserve()).isEqualTo(5);
    }
}
