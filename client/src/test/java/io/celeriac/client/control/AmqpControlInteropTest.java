package io.celeriac.client.control;

import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link AbstractControlInteropTest} on RabbitMQ: a virtual host of its own is the broker (so no other node on the
 * server answers its broadcasts) and a leased Redis database the result backend.
 */
class AmqpControlInteropTest extends AbstractControlInteropTest {

    private RabbitTestServer.Vhost vhost;
    private RedisTestServer.DatabaseLease lease;

    @Override
    void openServers() {
        RabbitTestServer server = TestServices.rabbitmq();
        assumeTrue(server.canCreateVhosts() || "true".equalsIgnoreCase(System.getenv("CI")),
                "private virtual hosts need the machine's own RabbitMQ and rabbitmqctl");
        vhost = server.createVhost();
        lease = TestServices.redis().leaseDatabase();
    }

    @Override
    String brokerUrl() {
        return vhost.url();
    }

    @Override
    String backendUrl() {
        return lease.url();
    }

    @Override
    boolean openedServers() {
        return vhost != null || lease != null;
    }

    @Override
    void closeServers() {
        try {
            if (lease != null) {
                lease.close();
            }
        } finally {
            if (vhost != null) {
                vhost.close();
            }
        }
    }
}
