package io.celeriac.backend.amqp;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.tck.BrokerContract;
import io.celeriac.tck.BrokerFixture;
import io.celeriac.testing.TestServices;

import java.util.EnumSet;
import java.util.Set;

/** The broker kit on the shared RabbitMQ (127.0.0.1:5672, virtual host {@code /}), every name unique. */
class AmqpBrokerContractTest extends BrokerContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BrokerFixture createFixture() {
        String url = TestServices.rabbitmq().url();
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
