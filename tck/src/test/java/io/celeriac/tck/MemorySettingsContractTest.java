package io.celeriac.tck;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.memory.MemoryStateStoreConfig;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Nested;

import java.util.List;

/**
 * The settings kit against the memory:// reference plugins of core-api: the backend's {@code result_expires} and
 * {@code result_extended} (read for every backend by {@code BackendOptions.withUrlOverrides}) and the state
 * store's {@code shutdown_hook}.
 */
class MemorySettingsContractTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Nested
    class Backend_ extends SettingsContract {
        @Override
        protected SettingsFixture createFixture() {
            return new SettingsFixture() {
                @Override
                public List<Setting> settings() {
                    return List.of(Setting.seconds("result_expires", true), Setting.bool("result_extended"));
                }

                @Override
                public Object read(String name, String value) {
                    try (Backend b = CELERIAC.openBackend("memory://?" + name + "=" + SettingsFixture.encode(value))) {
                        return name.equals("result_expires") ? b.options().resultExpires() : b.options().resultExtended();
                    }
                }
            };
        }
    }

    @Nested
    class StateStore_ extends SettingsContract {
        @Override
        protected SettingsFixture createFixture() {
            return new SettingsFixture() {
                @Override
                public List<Setting> settings() {
                    return List.of(Setting.bool(MemoryStateStoreConfig.SHUTDOWN_HOOK));
                }

                @Override
                public Object read(String name, String value) {
                    return MemoryStateStoreConfig.parse(BackendUrl.parse("memory://kit?" + name + "="
                            + SettingsFixture.encode(value)), StateStoreOptions.defaults()).shutdownHook();
                }
            };
        }
    }
}
