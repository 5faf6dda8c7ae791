package io.celeriac.client;

import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;

/**
 * The client on a Redis broker with Redis results, against a real Celery 5.6 worker (Debian forky's, in its root):
 * messages shaped as Celery 5.2 sends them run the same on the newest Celery.
 */
class RedisCelery56ClientInteropTest extends RedisClientInteropTest {

    @Override
    PythonPeer peer() {
        return PythonPeer.of(CeleryVersion.V5_6);
    }
}
