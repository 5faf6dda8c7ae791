package io.celeriac.statedb.file;

import io.celeriac.state.StateStoreOptions;
import io.celeriac.tck.SettingsContract;
import io.celeriac.tck.SettingsFixture;
import io.celeriac.url.BackendUrl;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings kit against file:///: every setting of {@link FileStateStoreConfig} but {@code on_corrupt} (a
 * choice), given in turn as a URL query parameter and as a property.
 */
class FileSettingsContractTest extends SettingsContract {

    private static final Map<String, Function<FileStateStoreConfig, Object>> VALUES = Map.of(
            FileStateStoreConfig.JOURNAL_FSYNC, FileStateStoreConfig::journalFsync,
            FileStateStoreConfig.SHUTDOWN_HOOK, FileStateStoreConfig::shutdownHook,
            FileStateStoreConfig.JOURNAL_COMMIT_DELAY, FileStateStoreConfig::journalCommitDelay,
            FileStateStoreConfig.JOURNAL_MAX_BATCH, FileStateStoreConfig::journalMaxBatch,
            FileStateStoreConfig.JOURNAL_COMPACT_SIZE, FileStateStoreConfig::journalCompactSize,
            FileStateStoreConfig.CLOCK_RESERVE, FileStateStoreConfig::clockReserve);

    @Override
    protected SettingsFixture createFixture() {
        return new SettingsFixture() {
            private int reads;

            @Override
            public List<Setting> settings() {
                return List.of(
                        Setting.bool(FileStateStoreConfig.JOURNAL_FSYNC),
                        Setting.bool(FileStateStoreConfig.SHUTDOWN_HOOK),
                        Setting.seconds(FileStateStoreConfig.JOURNAL_COMMIT_DELAY, true, Duration.ofSeconds(1)),
                        Setting.integer(FileStateStoreConfig.JOURNAL_MAX_BATCH, 1, Integer.MAX_VALUE),
                        Setting.size(FileStateStoreConfig.JOURNAL_COMPACT_SIZE, 0, Long.MAX_VALUE),
                        Setting.integer(FileStateStoreConfig.CLOCK_RESERVE, 0, Long.MAX_VALUE / 4));
            }

            @Override
            public Object read(String name, String value) {
                FileStateStoreConfig c;
                if (reads++ % 2 == 0) {
                    c = FileStateStoreConfig.parse(BackendUrl.parse("file:///tmp/kit.state?" + name + "="
                            + SettingsFixture.encode(value)), StateStoreOptions.defaults());
                } else {
                    c = FileStateStoreConfig.parse(BackendUrl.parse("/tmp/kit.state"),
                            StateStoreOptions.builder().property(name, value).build());
                }
                return VALUES.get(name).apply(c);
            }
        };
    }
}
