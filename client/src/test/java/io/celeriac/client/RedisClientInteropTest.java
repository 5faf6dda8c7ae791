package io.celeriac.client;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

/**
 * The client on a Redis broker with Redis results, against a real Celery 5.2.6 worker.
 */
class RedisClientInteropTest extends ClientInteropContract {

    private RedisTestServer.DatabaseLease brokerDb;
    private RedisTestServer.DatabaseLease backendDb;

    @Override
    String[] openServers() {
        RedisTestServer redis = TestServices.redis();
        brokerDb = redis.leaseDatabase();
        backendDb = redis.leaseDatabase();
        return new String[] {brokerDb.url(), backendDb.url()};
    }

    @Override
    void closeServers() {
        if (brokerDb != null) {
            brokerDb.close();
        }
        if (backendDb != null) {
            backendDb.close();
        }
    }
}
