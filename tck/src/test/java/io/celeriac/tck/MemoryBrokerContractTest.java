package io.celeriac.tck;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;

import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * The broker kit against the memory:// reference broker. It lives here rather than in core-api because the kit
 * depends on core-api; each test gets an in-memory server of its own name, and every capability is declared, so
 * no test is skipped.
 */
class MemoryBrokerContractTest extends BrokerContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BrokerFixture createFixture() {
        String url = "memory://kit-" + UUID.randomUUID();
        return new BrokerFixture() {
            @Override
            public Broker open() {
                return CELERIAC.openBroker(url);
            }

            @Override
            public Set<BrokerCapability> capabilities() {
                return EnumSet.allOf(BrokerCapability.class);
            }
        };
    }
}
