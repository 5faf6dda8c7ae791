package io.celeriac.events.state;

import io.celeriac.Celeriac;
import io.celeriac.events.EventState;
import io.celeriac.events.EventStateOptions;
import io.celeriac.tck.EventStateContract;

/** The conformance kit against {@code memory://}, opened through discovery as users open it. */
class MemoryEventStateContractTest extends EventStateContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected EventState createState(EventStateOptions options) {
        return CELERIAC.openEventState("memory://", options);
    }
}
