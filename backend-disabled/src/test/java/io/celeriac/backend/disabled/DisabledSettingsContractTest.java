package io.celeriac.backend.disabled;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.tck.SettingsContract;
import io.celeriac.tck.SettingsFixture;

import java.util.List;

/**
 * The settings kit against disabled://: its only settings are every backend's {@code result_expires} and
 * {@code result_extended}, read as under every other scheme.
 */
class DisabledSettingsContractTest extends SettingsContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected SettingsFixture createFixture() {
        return new SettingsFixture() {
            @Override
            public List<Setting> settings() {
                return List.of(Setting.seconds("result_expires", true), Setting.bool("result_extended"));
            }

            @Override
            public Object read(String name, String value) {
                try (Backend b = CELERIAC.openBackend("disabled://?" + name + "=" + SettingsFixture.encode(value))) {
                    return name.equals("result_expires") ? b.options().resultExpires() : b.options().resultExtended();
                }
            }
        };
    }
}
