package io.celeriac.worker;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

/** The worker on Redis: broker and results in one leased database (native chords). */
class RedisWorkerTest extends WorkerContract {

    private RedisTestServer.DatabaseLease lease;

    @Override
    String[] openServers() {
        lease = TestServices.redis().leaseDatabase();
        return new String[] {lease.url(), lease.url()};
    }

    @Override
    void closeServers() {
        if (lease != null) {
            lease.close();
        }
    }
}
