package io.celeriac.worker;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Python Celery 5.2, 5.5 and 5.6 clients drive the Java worker on Redis (broker and results in a leased database;
 * chords counted natively by whichever worker, Python or Java, finishes the last part).
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class RedisPythonClientInteropTest extends PythonClientInteropContract {

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
            lease = null;
        }
    }
}
