package io.celeriac.events.state;

import io.celeriac.events.EventStateOptions;
import io.celeriac.tck.SettingsContract;
import io.celeriac.tck.SettingsFixture;
import io.celeriac.url.BackendUrl;

import java.util.List;

/** The settings kit against the memory:// event state's query parameters. */
class MemoryEventStateSettingsContractTest extends SettingsContract {

    @Override
    protected SettingsFixture createFixture() {
        return new SettingsFixture() {
            @Override
            public List<Setting> settings() {
                return List.of(
                        Setting.integer(MemoryEventStateConfig.MAX_WORKERS_IN_MEMORY, 1, Integer.MAX_VALUE),
                        Setting.integer(MemoryEventStateConfig.MAX_TASKS_IN_MEMORY, 1, EventStateOptions.MAX_TASKS_LIMIT),
                        Setting.bool(MemoryEventStateConfig.FORGET_OFFLINE_WORKERS));
            }

            @Override
            public Object read(String name, String value) {
                EventStateOptions o = MemoryEventStateConfig.parse(BackendUrl.parse("memory://?" + name + "="
                        + SettingsFixture.encode(value)), EventStateOptions.defaults()).options();
                return switch (name) {
                    case MemoryEventStateConfig.MAX_WORKERS_IN_MEMORY -> o.maxWorkersInMemory();
                    case MemoryEventStateConfig.MAX_TASKS_IN_MEMORY -> o.maxTasksInMemory();
                    default -> o.forgetOfflineWorkers();
                };
            }
        };
    }
}
