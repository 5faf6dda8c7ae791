package io.celeriac.client.control;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

/**
 * {@link AbstractControlInteropTest} on Redis: a leased database of its own is the broker (pidbox broadcasts are
 * per database) and the result backend.
 */
class RedisControlInteropTest extends AbstractControlInteropTest {

    private RedisTestServer.DatabaseLease lease;

    @Override
    void openServers() {
        lease = TestServices.redis().leaseDatabase();
    }

    @Override
    String brokerUrl() {
        return lease.url();
    }

    @Override
    String backendUrl() {
        return lease.url();
    }

    @Override
    boolean openedServers() {
        return lease != null;
    }

    @Override
    void closeServers() {
        lease.close();
    }
}
