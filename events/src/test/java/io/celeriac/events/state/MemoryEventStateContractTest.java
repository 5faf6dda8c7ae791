package io.celeriac.events.state;

import io.celeriac.Celeriac;
import io.celeriac.tck.EventStateContract;
import io.celeriac.tck.EventStateFixture;

/** The conformance kit against {@code memory://}, opened through discovery as users open it. */
class MemoryEventStateContractTest extends EventStateContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected EventStateFixture createFixture() {
        return options -> CELERIAC.openEventState("memory://", options);
    }
}
