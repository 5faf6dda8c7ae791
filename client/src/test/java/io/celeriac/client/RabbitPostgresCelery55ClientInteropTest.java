package io.celeriac.client;

import io.celeriac.testing.CeleryVersion;
import io.celeriac.testing.PythonPeer;

/**
 * The client on RabbitMQ with PostgreSQL results, against a real Celery 5.5 worker (Debian trixie's, in its root).
 */
class RabbitPostgresCelery55ClientInteropTest extends RabbitPostgresClientInteropTest {

    @Override
    PythonPeer peer() {
        return PythonPeer.of(CeleryVersion.V5_5);
    }
}
